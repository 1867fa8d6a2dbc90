"""Cross-validation of the language understanding inside the evaluation set's DEVELOPMENT part (issue 12).

The development part's openings are the model's training data (bot/rasa/data/eval_dev.yml), so the understanding
report's development column is a training-set figure. This holds some back: the development part
(tests/eval/messages.yml) is split into K folds, grouped by text (a text asked twice is in one fold) and spread
across the intents alike; for each fold a model is trained on data/nlu.yml and the generated examples of the
other folds, and every message of the fold (openings and answers) goes the way the understanding report sends
it: the danger screen, the model and the deterministic reader merged by bot.reader.understand. Intent accuracy
and entity F1 are counted as bench/understanding.py counts them, summed over the folds.

Never reads tests/eval/holdout.yml. Prints figures only, and with --show-misses the development part's misses.

    .venv/bin/python bench/nlu_dev_cv.py [--config bot/rasa/config.yml] [--folds 3] [--seed 2026]
        [--name NAME] [--reuse] [--drop-model-entities child_age] [--show-misses]

Needs .venv-rasa (make rasa-setup). Trains K models one after another, niced (about 2-3 min each on 2 busy
cores); the readings are kept in bot/rasa/results/dev-cv/NAME/, so --reuse scores them again (after a change to
the reader, say) without training.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.understanding import PARTS, Figures, evaluate, f1, headline, load  # noqa: E402


def split_at(marker: str, path: Path = PARTS["development"]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The development part's items before the comment line holding the marker, and from it on."""
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("#") and marker in line)
    return yaml.safe_load("".join(lines[:at])) or [], yaml.safe_load("".join(lines[at:])) or []

RASA_DIR = ROOT / "bot" / "rasa"
RASA_BIN = ROOT / ".venv-rasa" / "bin"
EVAL_DEV = RASA_DIR / "data" / "eval_dev.yml"
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def key(text: str) -> str:
    """A text as from_eval.py compares them: annotations out, case and spacing ignored."""
    return " ".join(ANNOTATION.sub(r"\1", text).lower().split())


def folds(items: list[dict[str, Any]], k: int, seed: int) -> list[int]:
    """Each item's fold: grouped by text, the groups of each intent dealt round the folds in a seeded order."""
    groups: dict[str, str] = {}
    for item in items:
        groups.setdefault(key(item["text"]), f"{item['at']}:{item['intent']}")
    order = sorted(groups, key=lambda g: hashlib.sha1(f"{seed}:{g}".encode(), usedforsecurity=False).hexdigest())
    dealt: Counter = Counter()
    fold_of: dict[str, int] = {}
    for group in order:
        fold_of[group] = dealt[groups[group]] % k
        dealt[groups[group]] += 1
    return [fold_of[key(item["text"])] for item in items]


def snapshot(config: Path, work: Path) -> Path:
    """The config and the training data as they are now, so an edit while the folds train changes none of them."""
    into = work / "snapshot"
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for path in (config, RASA_DIR / "data" / "nlu.yml", EVAL_DEV):
        shutil.copy(path, into / path.name)
    return into


def training_data(held_back: set[str], source: Path, into: Path) -> int:
    """data/nlu.yml and the generated examples whose text is not held back; returns how many were dropped."""
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "nlu.yml", into / "nlu.yml")
    kept, dropped = [], 0
    for line in (source / EVAL_DEV.name).read_text().splitlines():
        if line.startswith("    - ") and key(line[6:]) in held_back:
            dropped += 1
            continue
        kept.append(line)
    (into / "eval_dev.yml").write_text("\n".join(kept) + "\n")
    return dropped


def train_and_parse(config: Path, fold: int, held_back: set[str], texts: list[str], work: Path, *,
                    keep_model: bool = False) -> dict[str, Any]:
    data, models = work / f"data{fold}", work / "models"
    shutil.rmtree(data, ignore_errors=True)
    dropped = training_data(held_back, config.parent, data)
    began = time.monotonic()
    peak_kb = 0
    if not (keep_model and (models / f"fold{fold}.tar.gz").exists()):
        timed = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
        run = subprocess.run(
            ["nice", *timed, str(RASA_BIN / "rasa"), "train", "nlu", "--config", str(config), "--nlu", str(data),
             "--out", str(models), "--fixed-model-name", f"fold{fold}"],
            cwd=RASA_DIR, env=ENV, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit(f"training fold {fold} failed:\n{run.stderr[-3000:]}")
        peak_kb = int(run.stderr.strip().splitlines()[-1]) if timed else 0
    seconds = time.monotonic() - began
    source, target = work / f"texts{fold}.json", work / f"readings{fold}.json"
    source.write_text(json.dumps(texts))
    subprocess.run(["nice", str(RASA_BIN / "python"), "scripts/parse_texts.py", str(models / f"fold{fold}.tar.gz"),
                    str(source), str(target)], cwd=RASA_DIR, env=ENV, check=True, capture_output=True)
    stats = {"fold": fold, "train_seconds": round(seconds), "peak_mb": peak_kb // 1024, "held_back_examples": dropped}
    (work / f"stats{fold}.json").write_text(json.dumps(stats))
    return stats


class Readings:
    """A parser (as bot.rasa_client.RasaParser) that answers from the readings of a fold's model."""

    def __init__(self, readings: dict[str, Any], drop: set[str]) -> None:
        self.readings, self.drop = readings, drop

    def parse(self, text: str) -> Any:
        from bot.rasa_client import _reading

        body = dict(self.readings[text])
        body["entities"] = [e for e in body.get("entities") or [] if e.get("entity") not in self.drop]
        return _reading(body)


def summary(figures: Figures) -> list[str]:
    lines = [f"{name}: {value:.1%}" for name, value in headline(figures).items()
             if name == "intent accuracy" or name.endswith(" F1")]
    pairs = figures.intents
    labels = sorted({label for label, _ in pairs})
    lines.append("intent         n    precision recall F1")
    for label in labels:
        counts = Counter(tp=pairs[label, label],
                         fp=sum(n for (lab, guess), n in pairs.items() if guess == label and lab != label),
                         fn=sum(n for (lab, guess), n in pairs.items() if lab == label and guess != label))
        n = sum(v for (lab, _), v in pairs.items() if lab == label)
        p, r, f = f1(counts)
        lines.append(f"{label:14} {n:4} {p:9.2f} {r:6.2f} {f:5.2f}")
    confused = sorted(((n, label, guess) for (label, guess), n in pairs.items() if label != guess), reverse=True)
    lines.append("confused: " + "; ".join(f"{label} -> {guess} ({n})" for n, label, guess in confused[:12]))
    for name, counts in figures.entities.items():
        p, r, f = f1(counts)
        lines.append(f"{name}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} (tp {counts['tp']} fp {counts['fp']} "
                     f"fn {counts['fn']})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=RASA_DIR / "config.yml")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--name", default="default", help="keep the readings in bot/rasa/results/dev-cv/NAME")
    parser.add_argument("--reuse", action="store_true", help="score the kept readings again, without training")
    parser.add_argument("--keep-models", action="store_true", help="parse with the fold models already trained")
    parser.add_argument("--drop-model-entities", nargs="*", default=[], help="leave out the model's entities")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--split", metavar="MARKER", help="also score the items before and after the comment line "
                        "holding MARKER in messages.yml apart (an older part and a fresh batch)")
    args = parser.parse_args()
    items = load(PARTS["development"])
    fold_of = folds(items, args.folds, args.seed)
    work = RASA_DIR / "results" / "dev-cv" / args.name
    work.mkdir(parents=True, exist_ok=True)
    config = work / "snapshot" / args.config.name if args.reuse else snapshot(args.config.resolve(), work) / \
        args.config.name
    total = Figures()
    total.entities = defaultdict(Counter)
    older = len(split_at(args.split)[0]) if args.split else len(items)
    parts = {"older": Figures(), "fresh": Figures()}
    for part in parts.values():
        part.entities = defaultdict(Counter)
    misses: list[str] = []
    for fold in range(args.folds):
        mine = [item for item, f in zip(items, fold_of, strict=True) if f == fold]
        index = [i for i, f in enumerate(fold_of) if f == fold]
        if args.reuse:
            # the messages this fold's model held back when it was trained, whatever has been added since (the
            # folds of a larger file fall differently): a message added later has no reading, and is left out
            held = set(json.loads((work / f"texts{fold}.json").read_text()))
            index = [i for i, item in enumerate(items) if item["text"] in held]
            mine = [items[i] for i in index]
        texts = sorted({item["text"] for item in mine if item["text"].strip()})
        if not args.reuse:
            stats = train_and_parse(config, fold, {key(t) for t in texts}, texts, work,
                                    keep_model=args.keep_models)
            print(json.dumps(stats), flush=True)
        readings = json.loads((work / f"readings{fold}.json").read_text())
        figures = evaluate(mine, Readings(readings, set(args.drop_model_entities)), keep_misses=args.show_misses)
        total.n += figures.n
        total.intents.update(figures.intents)
        for name, counts in figures.entities.items():
            total.entities[name].update(counts)
        misses += [m for m in figures.misses if not m.startswith(("false alarm", "check now", "danger missed"))]
        if args.split:
            for name, chosen in (("older", [m for m, i in zip(mine, index, strict=True) if i < older]),
                                 ("fresh", [m for m, i in zip(mine, index, strict=True) if i >= older])):
                some = evaluate(chosen, Readings(readings, set(args.drop_model_entities)), keep_misses=False)
                parts[name].n += some.n
                parts[name].intents.update(some.intents)
                for entity, counts in some.entities.items():
                    parts[name].entities[entity].update(counts)
    print(f"development part, {args.folds}-fold cross-validation (seed {args.seed}), {total.n} messages, "
          f"config {args.config.name}, readings in {work.relative_to(ROOT)}")
    print("\n".join(summary(total)))
    if args.split:
        for name, part in parts.items():
            print(f"\n{name} part ({'before' if name == 'older' else 'after'} {args.split!r}), {part.n} messages")
            print("\n".join(summary(part)))
    if args.show_misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
