"""Fail when the NLU model does worse than it should on the held-out examples.

Usage: python scripts/check_holdout.py RESULTS_DIR [--min-accuracy 0.85] [--holdout FILE --train FILE...]
Reads RESULTS_DIR/intent_report.json (from `rasa test nlu --nlu tests/nlu_holdout.yml`) and exits 1 when the
intent accuracy is below the minimum. With --holdout and --train it also fails when a held-out example (entity
annotations taken out, case ignored) is also an example in any of the training files: a copied example proves
nothing.
Prints figures and intent names only, never an example's text.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
EXAMPLE = re.compile(r"^\s+- (.*)$")


def examples(path: Path) -> set[str]:
    """The example texts in a Rasa NLU YAML file, annotations removed, lower-cased (regex blocks left out)."""
    found, in_intent = set(), False
    for line in path.read_text().splitlines():
        if line.startswith("- "):
            in_intent = line.startswith("- intent:")
            continue
        match = EXAMPLE.match(line)
        if in_intent and match:
            found.add(" ".join(ANNOTATION.sub(r"\1", match.group(1)).lower().split()))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--min-accuracy", type=float, default=0.85)
    parser.add_argument("--holdout", type=Path)
    parser.add_argument("--train", type=Path, nargs="+")
    args = parser.parse_args()

    failed = False
    if args.holdout and args.train:
        copied = examples(args.holdout) & set().union(*(examples(path) for path in args.train))
        if copied:
            print(f"{len(copied)} held-out example(s) are also training examples: take them out of one file")
            failed = True

    report = json.loads((Path(args.results) / "intent_report.json").read_text())
    accuracy = report["accuracy"]
    support = report["macro avg"]["support"]
    print(f"held-out intent accuracy {accuracy:.3f} over {support} examples (minimum {args.min_accuracy:.2f}), "
          f"macro-F1 {report['macro avg']['f1-score']:.3f}")
    weak = sorted(name for name, row in report.items()
                  if isinstance(row, dict) and name not in ("macro avg", "weighted avg", "micro avg")
                  and row.get("recall", 1) < 1)
    if weak:
        print("intents with a held-out example missed: " + ", ".join(weak))
    for extractor in ("DIETClassifier", "RegexEntityExtractor"):
        entity_file = Path(args.results) / f"{extractor}_report.json"
        if entity_file.exists():
            rows = json.loads(entity_file.read_text())
            figures = [f"{name} F1 {row['f1-score']:.2f} ({row['support']})" for name, row in sorted(rows.items())
                       if isinstance(row, dict) and name not in ("macro avg", "weighted avg", "micro avg")
                       and row.get("precision", 0) + row.get("recall", 0) > 0]
            if figures:
                print(f"{extractor}: " + ", ".join(figures))
    if accuracy < args.min_accuracy:
        print(f"held-out intent accuracy {accuracy:.3f} is below {args.min_accuracy:.2f}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
