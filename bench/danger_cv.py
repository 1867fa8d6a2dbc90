"""How well the danger screen's second net (mash/danger_net.py) generalises, estimated honestly inside the
evaluation set's DEVELOPMENT part (tests/eval/messages.yml) by grouped k-fold cross-validation. The held-out part
(tests/eval/holdout.yml) is never read here.

Each fold's net is trained on the other folds' messages (and the rule files' own example sentences), and scores
the fold's messages it never saw. Near-duplicates (the same message reworded slightly) are grouped first so that
one is never trained on while its twin is tested. Printed, per threshold pair (danger now at / check now at):

- the net alone: danger recall, false alarms (the 999 advice to a message not danger now), check now on those;
- the rules alone and the rules with the net behind them (as mash.safety.screen runs them: the rules decide when
  they fire; the net only when none did). The rules were written from this part, so their figures here are
  inflated (100% recall by construction); the net's are not. An estimate for unseen messages: the rules' recall
  on unseen messages (held-out, docs/understanding.md) with the net catching its cross-validated share of what the
  rules miss;
- early-help requests made red (danger now or check now), of those not danger now and not marked "unsure".

    .venv/bin/python bench/danger_cv.py [--folds 5] [--write-training] [--sweep]

`--write-training` writes mash/data/danger_net/training.json (the development part's texts under their danger-now
label; the net trains on it at first use) from tests/eval/messages.yml; tests/test_danger_net.py checks it is current.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.benchlib import markdown  # noqa: E402
from mash import danger_net, safety  # noqa: E402

DEVELOPMENT = ROOT / "tests" / "eval" / "messages.yml"
SAFETY_QUESTION = "Is a child in immediate danger right now?"
GATE_YES = {"yes", "y", "yeah", "yep", "yea", "ye", "yh", "yess", "yes!"}
# Two messages whose screen readings are this similar (rapidfuzz token_sort_ratio, 0-100) fall in one group.
NEAR_DUPLICATE = 80


def gate_yes(item: dict[str, Any]) -> bool:
    """A yes to the safety question: that question sends the person to 999, not the screen (as bench/understanding)."""
    words = item["text"].lower().replace(",", " ").replace(".", " ").split()
    return bool(item.get("asked") and item["asked"].startswith(SAFETY_QUESTION) and words and words[0] in GATE_YES)


def development() -> list[dict[str, Any]]:
    return yaml.safe_load(DEVELOPMENT.read_text()) or []


# Session 15's six batches (from "replies 6" on) serve the reader and the model, not the net: trained on them, the
# net scored a fresh probe's danger-now messages 0.08-0.14 lower (0.70-0.76 -> 0.60-0.68), and one held-out
# danger-now message went from the 999 advice to none (found with the held-out test's pass or fail only, by putting
# the earlier training file back; the message was not looked at). See docs/benchmarks.md.
NET_STOPS_AT = '# --- fresh batch "replies 6" (session 15)'


def net_part(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The development part as far as the net learns it: up to NET_STOPS_AT."""
    text = DEVELOPMENT.read_text()
    if NET_STOPS_AT not in text:
        return items
    return items[:len(yaml.safe_load(text[:text.index(NET_STOPS_AT)]) or [])]


def trainable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages the net learns from: all but a yes to the safety question ("yes" alone is no danger sign)."""
    return [item for item in net_part(items) if not gate_yes(item)]


def training_document(items: list[dict[str, Any]]) -> str:
    """mash/data/danger_net/training.json, hand-readable: one message a line, in the evaluation set's order."""
    keep = trainable(items)

    def block(texts: list[str]) -> str:
        return ",\n".join(f"    {json.dumps(t, ensure_ascii=False)}" for t in texts)

    about = ("The danger screen's second net trains on these (mash/danger_net.py): the DEVELOPMENT part of the "
             "evaluation set (tests/eval/messages.yml), written by bench/danger_cv.py --write-training; never the "
             "held-out part. Do not edit by hand: change messages.yml and rewrite this file.")
    return ("{\n" f'  "about": {json.dumps(about)},\n'
            f'  "danger": [\n{block([i["text"] for i in keep if i.get("danger")])}\n  ],\n'
            f'  "not_danger": [\n{block([i["text"] for i in keep if not i.get("danger")])}\n  ]\n' "}\n")


def groups(readings: list[str]) -> list[int]:
    """Near-duplicate groups (union-find over pairs whose readings are at least NEAR_DUPLICATE similar)."""
    from rapidfuzz import fuzz, process

    parent = list(range(len(readings)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    scores = process.cdist(readings, readings, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_DUPLICATE, workers=1)
    for i, j in zip(*scores.nonzero(), strict=True):
        if i < j:
            parent[find(int(i))] = find(int(j))
    return [find(i) for i in range(len(readings))]


def out_of_fold(items: list[dict[str, Any]], folds: int, c: float) -> tuple[list[float], list[int]]:
    """Each message's net probability from a net that never saw it (nor a near-duplicate of it)."""
    from sklearn.model_selection import StratifiedGroupKFold

    inputs = [safety.net_input(item["text"]) for item in items]
    labels = [int(bool(item.get("danger"))) for item in items]
    group = groups([" ".join(reading) for reading, *_ in inputs])
    # the rule files' examples and session 15's probe (mash/data/danger_net/probe.json) train every fold, as they
    # train the net in the product
    examples = danger_net.rule_examples(safety.data_files()) + danger_net.probe_texts()
    rules = [(*safety.net_input(t), d) for t, d in examples]
    use = [not gate_yes(item) for item in items]
    probabilities = [0.0] * len(items)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(inputs, labels, group):
        net = danger_net.train([(*inputs[i], bool(labels[i])) for i in train_idx if use[i]] + rules, c=c)
        for i in test_idx:
            probabilities[i] = net.probability(*inputs[i])
    return probabilities, group


def figures(items: list[dict[str, Any]], outcomes: list[str | None]) -> dict[str, float]:
    """recall, false alarms, check now on non-danger, early help made red; outcome: danger_now/check_now/None."""
    c: Counter = Counter()
    for item, outcome in zip(items, outcomes, strict=True):
        danger = bool(item.get("danger"))
        fired = outcome == safety.DANGER_NOW or (danger and gate_yes(item))
        c["danger"] += danger
        c["tp"] += danger and fired
        c["other"] += not danger
        c["fp"] += (not danger) and fired
        c["check_other"] += (not danger) and outcome == safety.CHECK_NOW
        if item["intent"] == "help" and item["at"] == "opening" and not danger and not item.get("unsure"):
            c["help"] += 1
            c["help_red"] += outcome is not None
    return {"recall": c["tp"] / c["danger"], "false alarms": c["fp"] / c["other"],
            "check now (not danger)": c["check_other"] / c["other"], "early help made red": c["help_red"] / c["help"],
            "missed": c["danger"] - c["tp"], "fp": c["fp"]}


def outcomes_for(items: list[dict[str, Any]], rules: list[safety.Screening], framed: list[bool], words: list[int],
                 probabilities: list[float] | None, danger_at: float, check_at: float) -> list[str | None]:
    out: list[str | None] = []
    for i, _item in enumerate(items):
        screening = rules[i]
        net = None if probabilities is None else danger_net.verdict(
            probabilities[i], framed=framed[i], words=words[i], danger_at=danger_at, check_at=check_at)
        if screening.danger:
            out.append(safety.DANGER_NOW)
        elif screening.check_now:
            # as mash.safety.screen: the net's certainty wins over a rule's doubt
            out.append(safety.DANGER_NOW if net == safety.DANGER_NOW else safety.CHECK_NOW)
        else:
            out.append(net)
    return out


def pct(x: float) -> str:
    return f"{x:.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=danger_net.C)
    parser.add_argument("--write-training", action="store_true", help="write mash/data/danger_net/training.json")
    parser.add_argument("--sweep", action="store_true", help="print a table of thresholds, not just the chosen pair")
    parser.add_argument("--show-misses", action="store_true", help="print the development messages the net missed")
    args = parser.parse_args()
    items = development()
    if args.write_training:
        danger_net.TRAINING_FILE.parent.mkdir(parents=True, exist_ok=True)
        danger_net.TRAINING_FILE.write_text(training_document(items), encoding="utf-8")
        print(f"wrote {danger_net.TRAINING_FILE.relative_to(ROOT)}")
        return
    began = time.perf_counter()
    probabilities, group = out_of_fold(items, args.folds, args.c)
    seconds = time.perf_counter() - began
    rules = [safety.screen(item["text"], net=False) for item in items]
    framed = [safety.framed(item["text"]) for item in items]
    words = [len(safety.net_input(item["text"])[0]) for item in items]
    everything_quiet = [safety.Screening(danger=False)] * len(items)
    pairs = [(danger_net.DANGER_AT, danger_net.CHECK_AT)]
    if args.sweep:
        pairs = [(d, ck) for d in (0.6, 0.65, 0.7, 0.75, 0.8) for ck in (0.5, 0.6, 0.65, 0.7, 0.75) if ck <= d]
    n_danger = sum(bool(i.get("danger")) for i in items)
    print(f"## The danger screen's second net: {args.folds}-fold cross-validation inside the development part\n")
    print(f"{len(items)} messages ({n_danger} danger now) in {len(set(group))} near-duplicate groups; "
          f"C={args.c}; {args.folds} nets trained in {seconds:.1f} s.\n")
    rows = [("danger at", "check at", "way", "recall", "missed", "false alarms", "check now (not danger)",
             "early help made red")]
    rules_alone = figures(items, outcomes_for(items, rules, framed, words, None, 1, 1))
    for danger_at, check_at in pairs:
        for way, outcome in (
                ("net alone", outcomes_for(items, everything_quiet, [False] * len(items), words, probabilities,
                                           danger_at, check_at)),
                ("rules + net", outcomes_for(items, rules, framed, words, probabilities, danger_at, check_at))):
            f = figures(items, outcome)
            rows.append((f"{danger_at:.2f}", f"{check_at:.2f}", way, pct(f["recall"]), str(f["missed"]),
                         pct(f["false alarms"]), pct(f["check now (not danger)"]), pct(f["early help made red"])))
    rows.append(("-", "-", "rules alone (inflated)", pct(rules_alone["recall"]), str(rules_alone["missed"]),
                 pct(rules_alone["false alarms"]), pct(rules_alone["check now (not danger)"]),
                 pct(rules_alone["early help made red"])))
    print(markdown(rows))
    if args.show_misses:
        print()
        for item, p, screening in zip(items, probabilities, rules, strict=True):
            danger = bool(item.get("danger"))
            if danger and p < danger_net.DANGER_AT and not gate_yes(item):
                print(f"missed p={p:.2f} rules={'yes' if screening.danger else 'no'}: {item['text']!r}")
            if not danger and p >= danger_net.CHECK_AT:
                print(f"raised p={p:.2f} rules={'red' if screening.red else 'quiet'}: {item['text']!r}")


if __name__ == "__main__":
    main()
