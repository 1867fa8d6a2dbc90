"""Issue 12's evaluation in `make test`: the held-out part of the evaluation set (tests/eval/holdout.yml), read the way
a real message is read (the danger screen first, then the trained Rasa model and the portal's reader), against the
issue's targets. Only figures are asserted and printed, never a held-out message (bench/understanding.py is the
report; this is its gate)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.understanding import PARTS, TARGETS, Figures, evaluate, headline, load
from bot.rasa_client import RasaParser
from tests.rasa_support import running_rasa

pytestmark = pytest.mark.slow

# Issue 12's targets that the held-out part meets today: a change that breaks one fails here.
MET = {"danger recall": TARGETS["danger recall"], "false alarms": TARGETS["false alarms"],
       "early help made red": TARGETS["early help made red"], "postcode F1": TARGETS["entity F1"],
       "date F1": TARGETS["entity F1"]}
# Not met yet (issue 12 stays open for them: intent accuracy >= 95%, child_age F1 >= 90%). Until they are, floors
# about two points under the figures reached (intent 93.1% in session 13, 92.2% in session 14, 94.5% in session 15;
# child_age 88.9% in session 14, 89.7% in session 15, docs/understanding.md), so that a retrained model's small
# differences do not fail the suite but a real fall does; raise each to its target in TARGETS when it is reached.
FLOORS = {"intent accuracy": 0.925, "child_age F1": 0.877}


@pytest.fixture(scope="module")
def held_out() -> Iterator[Figures]:
    with running_rasa(token="understanding-test") as rasa:  # noqa: S106 - a throwaway local token
        yield evaluate(load(PARTS["held-out"]), RasaParser([rasa.url], timeout=10, auth_token=rasa.token),
                       keep_misses=False)


def _figures(figures: Figures) -> dict[str, Any]:
    return {name: round(value, 3) for name, value in headline(figures).items()}


def test_the_held_out_part_is_large_enough_to_mean_something(held_out: Figures) -> None:
    assert held_out.n >= 200 and held_out.danger["tp"] + held_out.danger["fn"] >= 25


@pytest.mark.parametrize("measure", sorted(MET))
def test_a_met_target_stays_met_on_the_held_out_part(held_out: Figures, measure: str) -> None:
    value, target = headline(held_out)[measure], MET[measure]
    lower_is_better = measure in {"false alarms", "early help made red"}
    assert (value <= target) if lower_is_better else (value >= target), _figures(held_out)


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_understanding_not_yet_at_its_target_does_not_fall_below_what_was_reached(held_out: Figures,
                                                                                  measure: str) -> None:
    assert headline(held_out)[measure] >= FLOORS[measure], _figures(held_out)


def test_the_demo_early_help_request_is_not_made_red_by_the_screen() -> None:
    """The demo's family asking for early help (and the tests' own example of it) is not put at the top of a queue."""
    from forms import examples
    from mash.safety import screen

    answers = examples.family_help_request()
    assert not screen(answers["what_happened"]).red
