"""The child's age as the product reads it, scored on the evaluation set's DEVELOPMENT part only (issue 12).

Reads tests/eval/messages.yml only (the held-out part is never read here). The merged reading is what
bot.reader.understand makes of the reader's own ages and the model's `child_age` entity; the model's child_age is
frontdoor_nlu.ChildAgeEntities, which replaces DIET's ages with bot/rasa/child_age.py's, so here Rasa is not run:
its entities are child_age.ages_in's (exactly what the trained model returns for child_age). Scored with
bench/understanding.py's entity counting (entity_values, f1).

    .venv/bin/python bench/child_age_dev.py [--fresh | --second | --marker TEXT | --third] [--show-misses]

`--fresh`: only the batch written to test how the age reading generalises (the items after the comment that
opens it, written before the age patterns were read and committed alone first). `--second`: only the second batch,
written after the changes the first one led to, to measure them on messages they were not made from.
`--marker TEXT`: the batch whose opening comment line starts with TEXT (to the next "# Added" or "# ---" comment);
`--third`: the third batch, "ages 3" (session 12), written before the changes it led to.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.understanding import entity_values, f1, predicted_entities  # noqa: E402

DEVELOPMENT = ROOT / "tests" / "eval" / "messages.yml"
FRESH_MARK = "# Added 2026-12-07 (issue 12, child_age): a fresh batch"
SECOND_MARK = "# Added 2026-12-07 (issue 12, child_age), second fresh batch"
THIRD_MARK = '# --- fresh batch "ages 3" (session 12)'


def _ages_in() -> Any:
    spec = importlib.util.spec_from_file_location("child_age", ROOT / "bot" / "rasa" / "child_age.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ages_in


def fresh_batch(text: str, mark: str = FRESH_MARK) -> list[dict[str, Any]]:
    begins = text.index(mark)
    ends = [at for at in (text.find("\n# Added", begins + 1), text.find("\n# ---", begins + 1)) if at >= 0]
    return yaml.safe_load(text[begins:min(ends)] if ends else text[begins:]) or []


def score(items: list[dict[str, Any]], *, show_misses: bool = False) -> Counter:
    from bot.reader import Reading, understand

    ages_in = _ages_in()
    counts: Counter = Counter()
    for item in items:
        text = item["text"]
        model = [value for _, _, value in ages_in(text)]
        reading = Reading(intent=None, confidence=0.0, entities={"child_age": model} if model else {})
        got = predicted_entities(understand(text, reading))["child_age"]
        wanted = entity_values(item)["child_age"]
        hits = got & wanted
        counts["tp"] += len(hits)
        counts["fp"] += len(got - hits)
        counts["fn"] += max(0, len(wanted) - len(hits))
        if show_misses and (got - hits or len(wanted) > len(hits)):
            print(f"  {sorted(wanted)} read as {sorted(got)}: {text!r}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--fresh", action="store_true", help="only the fresh batch")
    which.add_argument("--second", action="store_true", help="only the second fresh batch")
    which.add_argument("--third", action="store_true", help='only the third fresh batch, "ages 3"')
    which.add_argument("--marker", help="only the batch opened by the comment line starting with this text")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    text = DEVELOPMENT.read_text(encoding="utf-8")
    mark = (FRESH_MARK if args.fresh else SECOND_MARK if args.second else THIRD_MARK if args.third
            else args.marker)
    items = fresh_batch(text, mark) if mark else yaml.safe_load(text)
    counts = score(items, show_misses=args.show_misses)
    precision, recall, f = f1(counts)
    part = ("fresh batch" if args.fresh else "second fresh batch" if args.second
            else "third fresh batch" if args.third else f"batch {args.marker!r}" if args.marker
            else "development part")
    print(f"{part}: {len(items)} messages; child_age "
          f"tp {counts['tp']} fp {counts['fp']} fn {counts['fn']}: precision {precision:.3f} recall {recall:.3f} "
          f"F1 {f:.3f}")


if __name__ == "__main__":
    main()
