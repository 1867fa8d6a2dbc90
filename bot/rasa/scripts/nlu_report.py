"""Write the NLU cross-validation results as a short Markdown report.

Usage: python scripts/nlu_report.py RESULTS_DIR REPORT.md "COMMAND"
Reads RESULTS_DIR/intent_report.json, intent_errors.json and the entity extractors' reports (from
`rasa test nlu --cross-validation`).
The report names confusion pairs with counts only; it never copies training sentences.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

TARGET = 0.90
EXTRACTORS = ("DIETClassifier", "RegexEntityExtractor")
AVERAGES = ("macro avg", "weighted avg", "micro avg")


def entity_lines(results: Path) -> list[str]:
    """Per entity, the figures of the extractor that extracts it (each extractor is also scored, at zero, on the
    other's entities: those rows are left out)."""
    rows = []
    for extractor in EXTRACTORS:
        report_file = results / f"{extractor}_report.json"
        if not report_file.exists():
            continue
        for name, row in sorted(json.loads(report_file.read_text()).items()):
            if isinstance(row, dict) and name not in AVERAGES and row["precision"] + row["recall"] > 0:
                rows.append(f"| {name} | {extractor} | {row['precision']:.2f} | {row['recall']:.2f} | "
                            f"{row['f1-score']:.2f} | {row['support']} |")
    if not rows:
        return []
    return ["", "## Entities", "",
            "Rasa scores entities token by token, so support counts tokens (a postcode with a space is two).", "",
            "| entity | extractor | precision | recall | F1 | support |", "|---|---|---:|---:|---:|---:|", *rows]


def main(results_dir: str, report_path: str, command: str) -> None:
    results = Path(results_dir)
    report = json.loads((results / "intent_report.json").read_text())
    errors_file = results / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    macro_f1 = report["macro avg"]["f1-score"]
    intents = sorted((name, row) for name, row in report.items()
                     if isinstance(row, dict) and name not in AVERAGES)
    pairs = Counter((e["intent"], (e.get("intent_prediction") or {}).get("name")) for e in errors)

    lines = [
        "# NLU cross-validation",
        "",
        f"Date: {date.today().isoformat()}  ",
        f"Command: `{command}` (run from the repo root)  ",
        f"Intent macro-F1: **{macro_f1:.3f}** (target {TARGET:.2f}: {'met' if macro_f1 >= TARGET else 'not met'})  ",
        f"Accuracy: {report.get('accuracy', 0):.3f} over {report['macro avg']['support']} examples",
        "",
        "Each example is classified by a model trained on the other four folds. The folds are shuffled with a fixed",
        "seed, so a run repeats; another seed (`make rasa-report RASA_CV_SEED=7`) moves the figures by a point or two.",
        "",
        "## Per intent",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in intents:
        lines.append(f"| {name} | {row['precision']:.2f} | {row['recall']:.2f} | {row['f1-score']:.2f} | "
                     f"{row['support']} |")
    lines += entity_lines(results)
    lines += ["", "## Remaining confusion pairs", ""]
    if pairs:
        lines += ["| intent | predicted as | examples |", "|---|---|---:|"]
        lines += [f"| {gold} | {predicted} | {count} |" for (gold, predicted), count in pairs.most_common()]
    else:
        lines.append("None.")
    Path(report_path).write_text("\n".join(lines) + "\n")
    print(f"intent macro-F1 {macro_f1:.3f} -> {report_path}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
