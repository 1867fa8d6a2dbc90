"""The Rasa NLU training data, checked without Rasa: the generated examples are what the generator writes, and
no text is taught as two intents (bot/rasa/data, bot/rasa/scripts/from_eval.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
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


def _ages_in():  # bot/rasa/child_age.py, as Rasa loads it (from its own directory)
    import importlib.util

    spec = importlib.util.spec_from_file_location("child_age", RASA / "child_age.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ages_in


@pytest.mark.parametrize("text, ages", [
    ("she's 15 and wont go to school", ["15"]), ("my 15yo", ["15"]), ("hes a 15 yr old", ["15"]),
    ("aged 4", ["4"]), ("my 4 year old wont sleep", ["4"]), ("our four-year-old bites", ["four"]),
    ("hes nearly 3 and not talking", ["3"]), ("worried about my 14 year old son", ["14"]),
    ("im 14 and my mum drinks", ["14"]), ("my 14yo and my 9 year old", ["14", "9"]),
    # not ages in years: a count, a school year, a time, an amount, a pregnancy, months, an adult
    ("i have 4 kids", []), ("hes in year 9", []), ("for 3 weeks now", []), ("been crying for 2 hours", []),
    ("ring me at 4", []), ("im 16 weeks pregnant", []), ("my 6 month old baby", []), ("i am 30", []),
    ("she is 5'2 and tiny", []), ("it happened 14 yrs ago", []),
    # a list is every age of it; an age after "who is" or a birthday to come
    ("my kids are 7 and 9", ["7", "9"]), ("aged 4, 6 and 11", ["4", "6", "11"]), ("my son whos 13", ["13"]),
    ("my daughter who is fourteen", ["fourteen"]), ("he'll be 5 in june", ["5"]), ("he will be 5 minutes", []),
    # "years" mistyped, a sibling, "going on", a list with "n"; never a past age, a weight, a share, a distance
    ("my 9 yeras old", ["9"]), ("her 6yr0", ["6"]), ("my little brother is 7", ["7"]), ("13 going on 30", ["13"]),
    ("they are 3 n 5", ["3", "5"]), ("in care from age 8", []), ("hes 7 stone", []), ("she is 1 of 4", []),
    ("they are 3 streets away", []),
    # the child then the age, "a son of"; never an age gap or an adult
    ("girl 9, boy 6, both off school", ["9", "6"]), ("a daughter of 14", ["14"]), ("he is 15 years older", []),
    ("my 18 yr old", []), ("my eldest is 19", []), ("at 3 years old he was diagnosed", []),
    # a professional's "M 7", "have/has N years", a relative's 's, "a little boy of", grandchildren listed; never a
    # motorway, years left or a count
    ("Referral re M 7, DOB 14/02/2019", ["7"]), ("stuck on the M4, ring me", []), ("my son has 15 years and", ["15"]),
    ("my son has 2 years left", []), ("my nephew's 16 and", ["16"]), ("a little boy of 3", ["3"]),
    ("my grandsons 4 and 2 are", ["4", "2"]), ("the youngest boy of 4 children", []),
])
def test_the_models_child_age_is_where_people_write_an_age(text: str, ages: list[str]):
    """The model's child_age entity (frontdoor_nlu.ChildAgeEntities) is the number of an age as written, on
    that number alone, and never a count, a school year or a time."""
    found = _ages_in()(text)
    assert [value for _, _, value in found] == ages
    assert all(text[start:end] == value for start, end, value in found)
