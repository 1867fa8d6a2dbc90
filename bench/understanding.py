"""How well the front door understands people (issue 12), on messages written the way people text.

Reads the evaluation set: tests/eval/messages.yml (the development part: read it, train on it, write rules
from it) and tests/eval/holdout.yml (the held-out part: never trained on, never read to write a rule; only
its figures are printed, never its messages). Each message goes the way a real one goes:

- the danger screen (mash.safety.screen: the rules, and the second net behind them), first, as on every channel:
  danger recall (every danger-now message must get the 999 advice in the first reply) and the false-alarm rate (the
  999 advice given to a message that is not danger now). The screen's second outcome, "check now" (a red contact for
  staff, nothing said to the person), is counted apart: it is no 999 reply, so it is not recall for a danger-now
  message, and it told the person nothing, so it is no false alarm; the report shows how often it fires, on what;
- an answer to the web form's first question, "Is a child in immediate danger right now?", that starts with a
  yes is met by that question (a yes sends the person to 999), not by the screen, and is counted apart too;
- early-help requests (the openings labelled "help") made red by the screen, danger now or check now: at most 5%
  of those that are neither danger now nor marked for a check today (issue 12; those that are marked should be
  red, and are counted apart), and the same for the early-help web requests of the demo and the tests;
- the model (Rasa's /model/parse, started here as `make run` starts it, on the trained model) and the
  deterministic reader, merged by bot.reader.understand: the intent of an opening, and for a reply
  mid-conversation whether it is an answer, a question about the service or a request for a person;
- the facts taken from it: postcode, child's age and date of birth (entity F1).

    .venv/bin/python bench/understanding.py [--no-rasa] [--write docs/understanding.md] [--show-misses]

`--show-misses` prints the development part's misreadings (never the held-out part's). Figures only: no
message of the held-out part is printed or written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.benchlib import markdown  # noqa: E402

PARTS = {"development": ROOT / "tests" / "eval" / "messages.yml", "held-out": ROOT / "tests" / "eval" / "holdout.yml"}
# A reply mid-conversation is read as one of these three by the dialogue (bot.dialogue._at_question).
ANSWER_ASIDES = {"back", "restart", "skip", "dont_know", "not_now", "keep_from_family"}
TARGETS = {"danger recall": 1.0, "false alarms": 0.05, "early help made red": 0.05, "intent accuracy": 0.95,
           "entity F1": 0.9}
LOWER_IS_BETTER = {"false alarms", "early help made red"}
SAFETY_QUESTION = "Is a child in immediate danger right now?"
GATE_YES = {"yes", "y", "yeah", "yep", "yea", "ye", "yh", "yess", "yes!"}


def gate_yes(item: dict[str, Any]) -> bool:
    """An answer to the safety question that begins with a yes: the question itself sends them to 999."""
    words = item["text"].lower().replace(",", " ").replace(".", " ").split()
    return bool(item.get("asked") and item["asked"].startswith(SAFETY_QUESTION) and words and words[0] in GATE_YES)


def load(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text()) or []


def predicted_intent(item: dict[str, Any], understood: Any) -> str:
    """The dialogue's reading in the evaluation set's labels."""
    from bot.reader import is_question

    if item["at"] == "answer":
        aside = understood.digression
        if aside == "human":
            return "human"
        if aside in {"greet", "thanks", "goodbye"}:
            return aside  # said to a person mid-way: answered as such, and the question asked again
        if aside in {"wrong_chat", "off_topic"}:
            # meant for someone else, or about something else (the bins, the weather): said so (bot.dialogue), and
            # the question asked again
            return "out_of_scope"
        if aside == "anonymous" and asked_field(item) == "anonymous" and not is_question(item["text"]):
            return "answer"  # "yes pls i dont want them knowing it was me" answers it (bot.dialogue._is_aside)
        if aside == "keep_from_family" and is_question(item["text"]):
            return "question"  # "will my mum see this": answered as asked (bot.dialogue._aside), not taken as an answer
        if aside and aside not in ANSWER_ASIDES:
            return "question"
        return "answer"
    intent = understood.intent
    return {"who": "question", "yes": "answer", "no": "answer", None: "not understood"}.get(intent, intent)


def asked_field(item: dict[str, Any]) -> str | None:
    """The field whose question an answer was written to, where the product asks it in those words (the item's
    `asked` is the start of the step's own wording in forms.conversation): "How old is the child?" is age_said."""
    from forms.conversation import JOURNEYS

    asked = item.get("asked") if item["at"] == "answer" else None
    if not asked:
        return None
    for journey in JOURNEYS.values():
        for step in journey.fields():
            if step.wording is not None and step.wording.ask.startswith(asked):
                return step.name
    return None


def entity_values(item: dict[str, Any]) -> dict[str, set[str]]:
    found = item.get("entities") or {}
    ages = found.get("child_age")
    return {"postcode": {found["postcode"]} if found.get("postcode") else set(),
            "child_age": {str(a) for a in (ages if isinstance(ages, list) else [ages])} if ages is not None else set(),
            "date": {str(found["date"])} if found.get("date") else set()}


def predicted_entities(understood: Any) -> dict[str, set[str]]:
    facts = understood.facts
    return {"postcode": {facts.postcode} if facts.postcode else set(),
            "child_age": {str(a) for a in facts.ages} | ({str(facts.age)} if facts.age is not None else set()),
            "date": {facts.date_of_birth} if facts.date_of_birth else set()}


def date_matches(label: str, predicted: str) -> bool:
    """A month-and-year label ("2017-03") is met by the reader's first-of-the-month date."""
    return predicted == label or (len(label) == 7 and predicted.startswith(label))


@dataclass
class Figures:
    n: int = 0
    # tp, fn, fp, tn; gate (tp by the safety question); check_danger (a danger-now message only checked);
    # check_other (check now on a message not danger now); unsure, unsure_999, unsure_check;
    # help, help_red (early-help requests not danger now, and those made red); help_plain, help_plain_red (of
    # them, those not to be checked today either)
    danger: Counter = field(default_factory=Counter)
    intents: Counter = field(default_factory=Counter)  # (label, predicted)
    entities: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    misses: list[str] = field(default_factory=list)


def evaluate(items: list[dict[str, Any]], parser: Any, *, keep_misses: bool) -> Figures:
    from bot.answers import date_answered
    from bot.reader import ages_answering, understand
    from mash.safety import screen

    figures = Figures(n=len(items))
    for item in items:
        text = item["text"]
        screening = screen(text)
        danger, checked = bool(item.get("danger")), screening.check_now
        gate = danger and not screening.danger and gate_yes(item)
        fired = screening.danger or gate
        figures.danger[("tp" if fired else "fn") if danger else ("fp" if fired else "tn")] += 1
        figures.danger["gate"] += gate
        figures.danger["check_danger" if danger else "check_other"] += checked and not fired
        if item.get("unsure"):
            figures.danger["unsure"] += 1
            figures.danger["unsure_999"] += fired
            figures.danger["unsure_check"] += checked
        if item["intent"] == "help" and item["at"] == "opening" and not danger:
            figures.danger["help"] += 1
            figures.danger["help_red"] += screening.red
            if not item.get("unsure"):
                figures.danger["help_plain"] += 1
                figures.danger["help_plain_red"] += screening.red
        if danger and not fired and keep_misses:
            how = f"check now only ({','.join(screening.check_categories)})" if checked else "danger missed"
            figures.misses.append(f"{how}: {text!r}")
        if fired and not danger and keep_misses:
            figures.misses.append(f"false alarm ({','.join(screening.categories)}): {text!r}")
        if checked and not danger and keep_misses:
            figures.misses.append(f"check now ({'unsure' if item.get('unsure') else 'not unsure'}; "
                                  f"{','.join(screening.check_categories)}): {text!r}")
        reading = parser.parse(text) if parser is not None and text.strip() else None
        understood = understand(text, reading, child_speaking=screening.child_speaking)
        label, guess = item["intent"], predicted_intent(item, understood)
        figures.intents[label, guess] += 1
        if label != guess and keep_misses:
            figures.misses.append(f"intent {label} read as {guess} ({item['at']}): {text!r}")
        wanted, got = entity_values(item), predicted_entities(understood)
        asked = asked_field(item)
        if asked == "age_said":
            # The age question reads its answer as the dialogue does (bot.dialogue: numbers alone are ages there)
            got["child_age"] = {str(age) for age in ages_answering(text)}
        elif asked in {"date_of_birth", "due_date"}:
            # ... and a date question its date (bot.answers.interpret: "31st oct 2015 (halloween lol)")
            got["date"] = {day} if (day := date_answered(text)) else got["date"]
        for name in wanted:
            hits = {g for g in got[name] if any(w == g or (name == "date" and date_matches(w, g))
                                                for w in wanted[name])}
            figures.entities[name]["tp"] += len(hits)
            figures.entities[name]["fp"] += len(got[name] - hits)
            figures.entities[name]["fn"] += max(0, len(wanted[name]) - len(hits))
            if keep_misses and (got[name] - hits or len(wanted[name]) > len(hits)):
                figures.misses.append(f"{name} {sorted(wanted[name])} read as {sorted(got[name])}: {text!r}")
    return figures


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def f1(counts: Counter) -> tuple[float, float, float]:
    precision = ratio(counts["tp"], counts["tp"] + counts["fp"])
    recall = ratio(counts["tp"], counts["tp"] + counts["fn"])
    return precision, recall, ratio(2 * precision * recall, precision + recall)


def headline(figures: Figures) -> dict[str, float]:
    d = figures.danger
    correct = sum(n for (label, guess), n in figures.intents.items() if label == guess)
    return {"danger recall": ratio(d["tp"], d["tp"] + d["fn"]),
            "false alarms": ratio(d["fp"], d["fp"] + d["tn"]),
            "early help made red": ratio(d["help_plain_red"], d["help_plain"]),
            "intent accuracy": ratio(correct, sum(figures.intents.values())),
            **{f"{name} F1": f1(counts)[2] for name, counts in figures.entities.items()}}


def report(results: dict[str, Figures], seconds: float, with_model: bool) -> str:
    lines = ["# Understanding: the evaluation set (issue 12)", "",
             f"Written by `make understanding-report` (bench/understanding.py){'' if with_model else ', without Rasa'}"
             f" in {seconds:.0f} s. The development part ({results['development'].n} messages) may be read and "
             f"trained on; the held-out part ({results['held-out'].n}) never is, and only its figures appear here. "
             "The development part's openings are also the model's training data (bot/rasa/data/eval_dev.yml) and "
             "its rules were written from it, so its figures are training-set figures: the held-out column is the "
             "honest one. The danger screen is the rules with the second net behind them (mash/danger_net.py, "
             "trained on the development part; its cross-validation inside that part is in docs/benchmarks.md).",
             "", "## Targets (held-out part)", ""]
    held = headline(results["held-out"])
    rows = [("measure", "target", "development", "held-out", "met (held-out)")]
    dev = headline(results["development"])
    for name, value in held.items():
        kind = "entity F1" if name.endswith(" F1") else name
        target = TARGETS[kind]
        met = value <= target if name in LOWER_IS_BETTER else value >= target
        rows.append((name, f"{'<=' if name in LOWER_IS_BETTER else '>='} {target:.0%}", f"{dev[name]:.1%}",
                     f"{value:.1%}", "yes" if met else "**no**"))
    lines += [markdown(rows), ""]
    for part, figures in results.items():
        d = figures.danger
        others = d["fp"] + d["tn"]
        gate = f" ({plural(d['gate'], 'answer')} to the safety question by that question itself)" if d["gate"] else ""
        lines += [f"## {part.capitalize()} part", "",
                  f"Danger now: {d['tp']} of {d['tp'] + d['fn']} got the 999 advice in the first reply{gate}"
                  f"; {d['check_danger']} more only a check now (red for staff, no 999 reply: counted as missed). "
                  f"{d['fp']} of {others} other messages got the 999 advice too (false alarms), and "
                  f"{d['check_other']} ({ratio(d['check_other'], others):.1%}) were raised as check now "
                  f"(red for staff, nothing said to the person). Of the {d['unsure']} a duty worker would want "
                  f"checked today, {d['unsure_check']} were check now and {d['unsure_999']} got the 999 advice. "
                  f"Early-help requests (not danger now) made red by the screen: {d['help_red']} of {d['help']}; "
                  f"of those not marked for a check today, {d['help_plain_red']} of {d['help_plain']}.", ""]
        labels = sorted({label for label, _ in figures.intents} | {guess for _, guess in figures.intents})
        rows = [("intent", "n", "precision", "recall", "F1")]
        pairs = figures.intents.items()
        for label in labels:
            counts = Counter(tp=figures.intents[label, label],
                             fp=sum(n for (lab, guess), n in pairs if guess == label and lab != label),
                             fn=sum(n for (lab, guess), n in pairs if lab == label and guess != label))
            n = sum(v for (lab, _), v in pairs if lab == label)
            p, r, f = f1(counts)
            rows.append((label, str(n), f"{p:.2f}", f"{r:.2f}", f"{f:.2f}"))
        lines += [markdown(rows), ""]
        confused = [(n, label, guess) for (label, guess), n in figures.intents.items() if label != guess]
        if confused:
            lines += ["Most confused (label -> read as): " + "; ".join(
                f"{label} -> {guess} ({n})" for n, label, guess in sorted(confused, reverse=True)[:8]), ""]
        rows = [("entity", "precision", "recall", "F1")]
        for name, counts in figures.entities.items():
            p, r, f = f1(counts)
            rows.append((name, f"{p:.2f}", f"{r:.2f}", f"{f:.2f}"))
        lines += [markdown(rows), ""]
    return "\n".join(lines)


@contextmanager
def rasa_parser() -> Iterator[Any]:
    from bot.rasa_client import RasaParser
    from tests.rasa_support import running_rasa

    with running_rasa(token="understanding-eval") as rasa:  # noqa: S106 - a throwaway local token
        yield RasaParser([rasa.url], timeout=10, auth_token=rasa.token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-rasa", action="store_true", help="the deterministic reader alone (Rasa down)")
    parser.add_argument("--write", type=Path, help="write the report (markdown) here, e.g. docs/understanding.md")
    parser.add_argument("--show-misses", action="store_true", help="print the development part's misreadings")
    args = parser.parse_args()
    began = time.monotonic()
    with (nullcontext(None) if args.no_rasa else rasa_parser()) as model:
        results = {part: evaluate(load(path), model, keep_misses=part == "development" and args.show_misses)
                   for part, path in PARTS.items()}
    text = report(results, time.monotonic() - began, not args.no_rasa)
    print(text)
    if args.show_misses:
        print("\n## Development misreadings\n")
        print("\n".join(results["development"].misses))
    if args.write:
        args.write.write_text(text + "\n")


if __name__ == "__main__":
    main()
