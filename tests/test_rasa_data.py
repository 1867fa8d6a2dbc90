"""The Rasa NLU training data, checked without Rasa: the generated examples are what the generator writes, and
no text is taught as two intents (bot/rasa/data, bot/rasa/scripts/from_eval.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from bot.reader import RASA_INTENTS

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / "bot" / "rasa"
GENERATOR = RASA / "scripts" / "from_eval.py"
GENERATED = RASA / "data" / "eval_dev.yml"
TRAINING = (RASA / "data" / "nlu.yml", GENERATED)
HOLDOUT = RASA / "tests" / "nlu_holdout.yml"
ANNOTATION = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example as written) for every intent example in a Rasa NLU YAML file."""
    found = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        if "intent" in block:
            found += [(block["intent"], line[2:]) for line in block["examples"].splitlines() if line.startswith("- ")]
    return found


def plain(example: str) -> str:
    """The text Rasa trains on, annotations taken out; case and spacing ignored, stricter than Rasa's own check."""
    return " ".join(ANNOTATION.sub(r"\1", example).lower().split())


def test_the_generated_examples_are_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "eval_dev.yml"
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    assert out.read_text() == GENERATED.read_text(), \
        "bot/rasa/data/eval_dev.yml is stale: run `python bot/rasa/scripts/from_eval.py` and commit it"


def test_no_text_is_under_two_intents() -> None:
    intents_of: dict[str, set[str]] = defaultdict(set)
    for path in TRAINING:
        for intent, example in examples(path):
            intents_of[plain(example)].add(intent)
    clashes = {text: sorted(intents) for text, intents in intents_of.items() if len(intents) > 1}
    assert not clashes


def test_no_held_out_example_is_trained_on() -> None:
    trained = {plain(example) for path in TRAINING for _, example in examples(path)}
    assert not [example for _, example in examples(HOLDOUT) if plain(example) in trained]


def test_the_data_uses_the_domain_and_the_reader_knows_every_intent() -> None:
    domain = yaml.safe_load((RASA / "domain.yml").read_text())
    used = {intent for path in (*TRAINING, HOLDOUT) for intent, _ in examples(path)}
    marked = {entity for path in (*TRAINING, HOLDOUT) for _, example in examples(path)
              for _, entity in ANNOTATION.findall(example)}
    assert used <= set(domain["intents"])
    assert marked <= set(domain["entities"])
    assert set(RASA_INTENTS) == set(domain["intents"])


def test_a_marked_age_is_a_whole_token_holding_the_number() -> None:
    for _, example in examples(GENERATED):
        for value, entity in ANNOTATION.findall(example):
            if entity == "child_age":
                assert re.fullmatch(r"\d{1,2}(yo|yr|yrs)?", value, flags=re.IGNORECASE), example
