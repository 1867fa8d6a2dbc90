"""GSM-7 replies within two segments, the keywords, and how texted answers are read."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import answers, sms
from forms import referral
from mash.safety import screen


@pytest.mark.parametrize("text, expected", [
    ("We\u2019re \u201chere\u201d \u2013 ok\u2026", "We're \"here\" - ok..."),
    ("caf\u00e9 na\u00efve", "café naive"),  # é is GSM-7; ï is not, so it loses its accent
    ("thumbs \U0001F44D\U0001F3FD up", "thumbs up"),
    ("\u0645\u0631\u062d\u0628\u0627 hello", "hello"),
    ("price \u20ac5 [ok]", "price \u20ac5 [ok]"),
])
def test_replies_are_normalised_to_gsm7(text, expected):
    assert sms.to_gsm7(text) == expected
    assert sms.is_gsm7(sms.to_gsm7(text))


def test_extension_characters_count_twice():
    assert sms.gsm7_length("[a]") == 5
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2 and sms.segments("a" * 307) == 3


def test_fit_keeps_whole_sentences_in_order_within_two_segments():
    parts = ["If you or a child are in danger now, call 999.", "Sentence two is here. " * 20]
    fitted = sms.fit(parts)
    assert fitted.startswith("If you or a child are in danger now, call 999.")
    assert sms.gsm7_length(fitted) <= sms.TWO_SEGMENTS and fitted.endswith(".")
    one_long = sms.fit(["word " * 200])
    assert sms.gsm7_length(one_long) <= sms.TWO_SEGMENTS and one_long.endswith("...")


def test_every_danger_reply_fits_two_gsm7_segments():
    for text in ("he's going to kill us", "i want to kill myself", "im 12 and my dad hits me",
                 "dad is drunk and throwing things at us im hiding in my room"):
        reply = screen(text).reply
        assert reply and sms.is_gsm7(reply) and sms.gsm7_length(reply) <= sms.TWO_SEGMENTS


@pytest.mark.parametrize("text, word", [
    ("STOP", "STOP"), ("stop.", "STOP"), (" Unsubscribe ", "STOP"), ("start", "START"), ("HELP!", "HELP"),
    ("info", "HELP"), ("stop hitting me", None), ("help me", None), ("", None), (None, None),
])
def test_keywords_are_whole_messages_only(text, word):
    assert sms.keyword(text) == word


def test_two_digit_years_are_read_as_a_childs_birth_year():
    field = referral.HELP_CHILD_PAGE.field("date_of_birth")
    today = dt.date(2026, 11, 27)
    assert answers.interpret(field, "4/3/21", today=today) == {"day": "4", "month": "3", "year": "2021"}
    assert answers.interpret(field, "1 jan 98", today=today) == {"day": "1", "month": "1", "year": "1998"}
    assert answers.interpret(field, "last tuesday", today=today) == {"day": "x", "month": "x", "year": "x"}
