"""Blind indexes that let search find what was misspelt or typed differently, without decrypting to look.

A name's *sound* index: a keyed hash of how the first and last names sound, so "Jaden Moris" finds the
candidates stored as "Jayden Morris" by one indexed lookup; only those few are decrypted and ranked with
rapidfuzz (portal.staff.lookup). The sound of a name is a Soundex-like code in which the first letter is coded
too (so Catherine and Kathryn, Jayden and Gaiden sound alike), on the first word of the first name and the last
word of the last name, in either order (a surname typed first still finds the child).

A phone number's index: a keyed hash of the number in E.164, so "07700 900123" and "+44 7700 900123" are one.
"""

from __future__ import annotations

import phonenumbers

from store.crypto import keyring, normalise_for_index

_CODES = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"), "l": "4",
          **dict.fromkeys("mn", "5"), "r": "6"}


def sound_key(name: str | None) -> str:
    """Four digits for how a word sounds: letters in one group count once in a row; vowels part them, h, w and
    y do not. "" for nothing to code."""
    letters = "".join(ch for ch in normalise_for_index(name or "") if ch.isalpha())
    out: list[str] = []
    last = ""
    for ch in letters:
        code = _CODES.get(ch, "")
        if code and code != last:
            out.append(code)
        if ch not in "hwy":
            last = code
    return "".join(out)[:4]


def _first_word(text: str | None) -> str:
    words = (text or "").split()
    return words[0] if words else ""


def _last_word(text: str | None) -> str:
    words = (text or "").split()
    return words[-1] if words else ""


def name_sound_index(first_name: str | None, last_name: str | None) -> str | None:
    """The sound index of a person's first and last names, or None unless both sound like something."""
    keys = sorted((sound_key(_first_word(first_name)), sound_key(_last_word(last_name))))
    if not all(keys):
        return None
    return keyring.blind_index("name-sound", "|".join(keys))


def query_sound_index(words: list[str]) -> str | None:
    """The sound index of a name typed in search: its first and last words, in either order."""
    if len(words) < 2:
        return None
    return name_sound_index(words[0], words[-1])


def e164(text: str | None) -> str | None:
    """A UK or international phone number in E.164, or None when it is not one."""
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_index(text: str | None) -> str | None:
    """The blind index of a phone number (E.164), or None when it is not one."""
    number = e164(text)
    return keyring.blind_index("phone", number) if number else None
