"""The bot's slots are the referral schema's fields: a slot renamed, or a choice the schema no longer has,
fails here rather than in a hand-off a family is waiting on."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.handoff import BOT_JOURNEYS, bot_fields
from forms import referral
from forms.consent import family_consent

DOMAIN = Path(__file__).resolve().parent.parent / "bot" / "rasa" / "domain.yml"
FORM_JOURNEYS = {"help_form": "help", "report_form": "report", "signpost_form": "help"}


def domain() -> dict:
    return yaml.safe_load(DOMAIN.read_text())


def referral_slots() -> dict[str, dict]:
    return {name: slot for name, slot in domain()["slots"].items()
            if not name.startswith("bot_") and name != "requested_slot"}


def test_every_referral_slot_is_a_schema_field():
    known = {name for journey in BOT_JOURNEYS for name in bot_fields(journey)}
    assert set(referral_slots()) - known == set()


def test_each_form_asks_only_for_fields_of_its_journey():
    forms = domain()["forms"]
    assert set(FORM_JOURNEYS) <= set(forms)
    for form, journey in FORM_JOURNEYS.items():
        required = set(forms[form]["required_slots"])
        assert required - set(bot_fields(journey)) == set(), form


def test_slot_types_match_the_schema():
    for name, slot in referral_slots().items():
        kinds = {bot_fields(j)[name].kind for j in BOT_JOURNEYS if name in bot_fields(j)}
        expected = "list" if kinds == {"checkboxes"} else "text"
        # Choices are checked by the portal (/api/bot/check), which knows each journey's own list.
        assert slot["type"] == expected, name


def test_the_worry_menu_numbers_the_help_categories_in_the_schemas_order():
    # The portal reads "2 and 4" as the 2nd and 4th help category (bot/answers.py), so the menu the assistant
    # texts must list them in the schema's order, one number each, "something else" last.
    assert domain()["slots"]["concern_categories"]["mappings"] == [{"type": "custom"}]
    menu = domain()["responses"]["utter_ask_concern_categories"][0]["text"]
    numbers = [int(line.split(" ", 1)[0]) for line in menu.splitlines()[1:]]
    assert numbers == list(range(1, len(referral.HELP_CATEGORIES) + 1))
    assert referral.HELP_CATEGORIES[-1].value == "other" and menu.splitlines()[-1].endswith("something else")


def test_the_help_form_collects_what_early_help_consent_needs():
    asked = set(domain()["forms"]["help_form"]["required_slots"])
    needed = {field for field, _ in family_consent({})} | {"has_parental_responsibility"}
    assert needed <= asked
