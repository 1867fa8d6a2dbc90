"""Write data/eval_dev.yml: the DEVELOPMENT part of the evaluation set as Rasa NLU training examples.

Usage (from the repo root; any Python with PyYAML, Rasa not needed):
    python bot/rasa/scripts/from_eval.py [--eval tests/eval/messages.yml] [--out bot/rasa/data/eval_dev.yml]

Reads tests/eval/messages.yml only. The held-out part (tests/eval/holdout.yml) is never read here: it is
never trained on. Takes the first messages (`at: opening`) under their Rasa intents, and marks in each text
the entities its label gives, where they can be placed exactly:

- child_age: on the token (as Rasa's WhitespaceTokenizer splits the text) that is exactly the labelled number,
  or that number run into "yo", "yr" or "yrs" ("14yo", marked whole as data/nlu.yml does). A labelled age
  that is no such token ("ollie (7)" is the token "(7"), or that is several, drops the message: an unmarked
  age would teach DIET that it is not one. An age of "0" (a baby under a year: "7 weeks", "8 month old",
  "the baby") is the exception: Rasa's child_age is an age in years as written, and months and weeks are
  never marked (data/nlu.yml), so such a message is kept, unmarked, unless it has a "0" token to mark.
- postcode: where the text has the labelled postcode verbatim (case and space ignored, the text's own
  spelling kept); a labelled postcode not found drops the message. Every other entity of the label (place,
  name, relationship, date...) is not one of the model's entities (domain.yml) and is not marked.

A text that is already an example in data/nlu.yml or tests/nlu_holdout.yml (annotations taken out, case and
spacing ignored) is left out: Rasa refuses one text under two intents, and a held-out example must not be
trained on. The output is deterministic (the evaluation set's order), so tests/test_rasa_data.py can check
that the committed file is what this writes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

RASA_DIR = Path(__file__).resolve().parent.parent
ROOT = RASA_DIR.parent.parent
EVAL = ROOT / "tests" / "eval" / "messages.yml"
OUT = RASA_DIR / "data" / "eval_dev.yml"
EXISTING = (RASA_DIR / "data" / "nlu.yml", RASA_DIR / "tests" / "nlu_holdout.yml")

# The evaluation set's intents (of an opening) and the model's (domain.yml). Anything else is left out.
INTENTS = {
    "help": "ask_help", "report": "report_concern", "professional": "professional_referral",
    "find_service": "find_service", "question": "ask_about_service", "human": "talk_to_person",
    "greet": "greet", "thanks": "thank", "goodbye": "goodbye", "out_of_scope": "out_of_scope",
}
# Rasa 3.6 WhitespaceTokenizer's split (rasa/nlu/tokenizers/whitespace_tokenizer.py), with `re` for `regex`:
# the two differ only on some unicode letters, never on a number.
_NOT_A_WORD = re.compile(
    r"[^\w#@&]+(?=\s|$)|"
    r"(\s|^)[^\w#@&]+(?=[^0-9\s])|"
    r"(?<=[^0-9\s])[^\w._~:/?#\[\]()@!$&*+,;=-]+(?=[^0-9\s])"
)
# "my 14yo": one token, marked whole as data/nlu.yml marks it ("my [6yo](child_age)"); the reader takes the digits.
AGE_UNITS = ("yo", "yr", "yrs")
# Rasa reads [text](entity) in an example as an annotation; check_holdout (a sibling script) reads examples.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_holdout import ANNOTATION  # noqa: E402
from check_holdout import examples as examples_in  # noqa: E402

# Characters that would make Rasa read an example as something else: an annotation's brackets, a new line.
UNSAFE = re.compile(r"[\[\]{}\n\r]")


def tokens(text: str) -> list[tuple[str, int]]:
    """Each token as Rasa's WhitespaceTokenizer finds it, with its offset in the text."""
    spans, offset = [], 0
    for word in _NOT_A_WORD.sub(" ", text).split():
        start = text.index(word, offset)
        spans.append((word, start))
        offset = start + len(word)
    return spans


def key(text: str) -> str:
    """A text as Rasa compares examples: annotations out; here also case and spacing ignored (as check_holdout)."""
    return " ".join(ANNOTATION.sub(r"\1", text).lower().split())


def existing_examples(paths: tuple[Path, ...]) -> set[str]:
    """The example texts (keys) of the intents in Rasa NLU YAML files: check_holdout's reader, one for both."""
    return set().union(*(examples_in(path) for path in paths))


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def annotate(text: str, entities: dict[str, Any]) -> tuple[str | None, str]:
    """The text with its child_age and postcode marked, or None and why it cannot be marked exactly."""
    marks: list[tuple[int, int, str]] = []
    words = tokens(text)
    for age in dict.fromkeys(as_list(entities.get("child_age"))):
        forms = {age} | {age + unit for unit in AGE_UNITS}
        at = [(start, len(word)) for word, start in words if word.lower() in forms]
        if len(at) > 1:
            return None, "age ambiguous"
        if not at:
            if age == "0":
                continue  # months or weeks: never marked (see the docstring)
            return None, "age not a token"
        marks.append((at[0][0], at[0][0] + at[0][1], "child_age"))
    for postcode in as_list(entities.get("postcode")):
        pattern = r"(?<![a-z0-9])" + r"\s?".join(re.escape(c) for c in postcode.replace(" ", "")) + r"(?![a-z0-9])"
        found = list(re.finditer(pattern, text, flags=re.IGNORECASE))
        if len(found) != 1:
            return None, "postcode not found" if not found else "postcode ambiguous"
        marks.append((found[0].start(), found[0].end(), "postcode"))
    marks.sort()
    if any(a[1] > b[0] for a, b in zip(marks, marks[1:], strict=False)):
        return None, "entities overlap"
    out, last = [], 0
    for start, end, name in marks:
        out += [text[last:start], f"[{text[start:end]}]({name})"]
        last = end
    out.append(text[last:])
    return "".join(out), ""


def generate(eval_path: Path = EVAL, existing: tuple[Path, ...] = EXISTING) -> tuple[str, Counter]:
    """The text of eval_dev.yml, and a count of what was left out and why."""
    items = yaml.safe_load(eval_path.read_text()) or []
    seen = existing_examples(existing)
    by_intent: dict[str, list[str]] = {intent: [] for intent in dict.fromkeys(INTENTS.values())}
    skipped: Counter = Counter()
    for item in items:
        if item.get("at") != "opening":
            continue
        intent = INTENTS.get(item.get("intent"))
        text = " ".join(str(item.get("text") or "").split())
        if intent is None:
            skipped["intent not for the model"] += 1
            continue
        if not text or UNSAFE.search(text) or text.startswith(("#", "- ")):
            skipped["text Rasa would misread"] += 1
            continue
        if key(text) in seen:
            skipped["already an example"] += 1
            continue
        example, why = annotate(text, item.get("entities") or {})
        if example is None:
            skipped[why] += 1
            continue
        seen.add(key(text))
        by_intent[intent].append(example)
    kept = sum(len(v) for v in by_intent.values())
    lines = [
        'version: "3.1"',
        "",
        "# GENERATED by bot/rasa/scripts/from_eval.py from tests/eval/messages.yml (the evaluation set's",
        "# DEVELOPMENT part): do not edit; change the evaluation set or the script, then run",
        "#   python bot/rasa/scripts/from_eval.py",
        "# (tests/test_rasa_data.py fails when this file is not what the script writes).",
        "# The first messages (`at: opening`) under their Rasa intents, danger-now ones included (the model reads",
        "# a message the safety screen misses), child_age and postcode marked where the label gives them exactly.",
        "# The held-out part (tests/eval/holdout.yml) is never read: its figures are the honest ones.",
        f"# {kept} examples; left out: "
        + (", ".join(f"{why} {n}" for why, n in sorted(skipped.items())) or "none") + ".",
        "",
        "nlu:",
    ]
    for intent, examples in by_intent.items():
        if not examples:
            continue
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples] + [""]
    return "\n".join(lines).rstrip("\n") + "\n", skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    text, skipped = generate(args.eval)
    args.out.write_text(text)
    print(f"wrote {args.out}; left out: {dict(skipped) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
