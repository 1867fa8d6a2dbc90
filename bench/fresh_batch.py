"""Score a fresh batch of the evaluation set's development part once, with one trained model (issue 12).

A batch is the run of items after a marker comment in tests/eval/messages.yml (e.g. '# --- fresh batch
"openings 3" ...'). Its texts are read by MODEL (a .tar.gz trained without them, for an honest figure) through
bot/rasa/scripts/parse_texts.py in .venv-rasa, then the product's reading (danger screen, model, bot.reader.understand)
is scored as bench/understanding.py scores it: intent accuracy, confusions, entity F1, and the screen's misses and
false alarms on the batch. Never reads tests/eval/holdout.yml.

    .venv/bin/python bench/fresh_batch.py --marker 'openings 3' --model bot/rasa/models/frontdoor.tar.gz
        [--readings FILE.json] [--reuse] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.nlu_dev_cv import ENV, RASA_BIN, RASA_DIR, Readings, split_at, summary  # noqa: E402
from bench.understanding import evaluate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--marker", required=True)
    parser.add_argument("--model", type=Path, default=RASA_DIR / "models" / "frontdoor.tar.gz")
    parser.add_argument("--readings", type=Path, default=RASA_DIR / "results" / "fresh-batch.json")
    parser.add_argument("--reuse", action="store_true", help="score the kept readings again, without parsing")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    _, batch = split_at(args.marker)
    texts = sorted({item["text"] for item in batch if item["text"].strip()})
    if not args.reuse:
        args.readings.parent.mkdir(parents=True, exist_ok=True)
        source = args.readings.with_suffix(".texts.json")
        source.write_text(json.dumps(texts))
        subprocess.run(["nice", str(RASA_BIN / "python"), "scripts/parse_texts.py", str(args.model.resolve()),
                        str(source.resolve()), str(args.readings.resolve())],
                       cwd=RASA_DIR, env=ENV, check=True, capture_output=True)
    readings = json.loads(args.readings.read_text())
    figures = evaluate(batch, Readings(readings, set()), keep_misses=True)
    print(f"batch after {args.marker!r}: {figures.n} messages")
    print("\n".join(summary(figures)))
    d = figures.danger
    print(f"danger now: {d['tp']} of {d['tp'] + d['fn']} caught, {d['fp']} false alarms; "
          f"unsure {d['unsure']} (999 {d['unsure_999']}, check {d['unsure_check']})")
    for miss in figures.misses:
        if args.show_misses or miss.startswith(("danger missed", "check now only", "false alarm")):
            print(miss)


if __name__ == "__main__":
    main()
