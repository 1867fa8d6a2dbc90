"""A child's consistent identifiers: the NHS number and England's Unique Pupil Number (UPN).

Both carry a check character, so a mistyped digit is caught where it is typed rather than joining up the wrong
child. Each is stored in one normal form (ten digits; thirteen capitals) and shown the way people read it.

The NHS number (NHS Data Dictionary, "NHS Number"): ten digits, the last a modulus 11 check digit. The first
nine are weighted 10 down to 2; the check digit is 11 minus the sum's remainder on division by 11, where 11
means 0 and 10 means the number is not valid. A number whose ten digits are all the same passes the check
(4444444444) but is never issued: systems use such numbers as placeholders, so they would join up every child
whose record holds one.

The UPN (DfE Common Basic Data Set, data item N00001 "Unique Pupil Number", and the UK Government Data
Standards Catalogue "Unique Pupil Number" v2.0; school census validation rule 1510, "UPN invalid (wrong check
letter at character 1)"): a check letter, then twelve characters: the local authority number (3 digits), the
establishment number (4 digits), the last two digits of the year it was issued, and a serial of 3 digits, or of
2 digits and a letter for a temporary UPN. The check letter is the sum of each of those twelve characters'
values times its position in the UPN (2 to 13), modulo 23, as a letter of the alphabet without I, O and S
(0 -> A ... 22 -> Z). A temporary UPN's final letter counts as its value in that same alphabet (A = 0, B = 1).
(The worked example schools' management systems copy, "B207000016049", adds its products to 267 where they
make 266, and so names Q where the rule gives P: the tests use the rule, not the example.)

The local authority number is not checked against DfE's list: codes are added and retired, and a real child's
number must never be refused because this copy of the list is old.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.schema import Field, FieldError, clean_text

NHS_EXAMPLE = "943 476 5919"  # the NHS's own example number, used in its design system's hints
NHS_WEIGHTS = range(10, 1, -1)
UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
UPN_EXAMPLE = "G872330125001"  # a fictional permanent UPN issued in Wokingham (LA 872); its check letter is real
SEPARATORS = re.compile(r"[\s\-‐‑‒–—]")  # spaces and the hyphens and dashes phones and word processors type

NHS_FORMAT = f"Enter an NHS number in the correct format, like {NHS_EXAMPLE}"
NHS_LENGTH = "NHS number must be 10 numbers"
NHS_NOT_REAL = f"Enter a real NHS number, like {NHS_EXAMPLE}. Leave it blank if you do not know it"
UPN_LENGTH = "Unique pupil number must be 13 characters"
UPN_FORMAT = f"Enter a unique pupil number in the correct format: a letter, then 11 numbers, then a number or " \
             f"letter, like {UPN_EXAMPLE}"
UPN_NOT_REAL = "Enter a real unique pupil number. Check the first letter, or leave it blank if you do not know it"


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit of nine digits, or None when no check digit can make them valid (10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(text: str) -> bool:
    try:
        clean_nhs_number(text)
    except FieldError:
        return False
    return True


def clean_nhs_number(text: str) -> str:
    """Ten digits ("9434765919") from what a person typed ("943 476 5919", "943-476-5919"), or FieldError."""
    compact = SEPARATORS.sub("", text)
    if not compact.isascii() or not compact.isdigit():
        raise FieldError(NHS_FORMAT)
    if len(compact) != 10:
        raise FieldError(NHS_LENGTH)
    if len(set(compact)) == 1 or nhs_check_digit(compact[:9]) != int(compact[9]):
        raise FieldError(NHS_NOT_REAL)
    return compact


def format_nhs_number(number: str) -> str:
    """943 476 5919: the 3-3-4 grouping the NHS prints, for reading aloud and comparing by eye."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 and number.isdigit() else number


def upn_check_letter(twelve: str) -> str:
    """The check letter of a UPN's last twelve characters (see the module's note for the rule's source)."""
    total = 0
    for position, char in enumerate(twelve, start=2):
        value = int(char) if char.isdigit() else UPN_ALPHABET.index(char)
        total += value * position
    return UPN_ALPHABET[total % 23]


def is_valid_upn(text: str) -> bool:
    try:
        clean_upn(text)
    except FieldError:
        return False
    return True


def clean_upn(text: str) -> str:
    """Thirteen capitals ("G872330125001") from what a person typed (any case, spaces or hyphens), or FieldError."""
    compact = SEPARATORS.sub("", text).upper()
    if not compact.isascii() or not compact.isalnum():
        raise FieldError(UPN_FORMAT)
    if len(compact) != 13:
        raise FieldError(UPN_LENGTH)
    first, middle, last = compact[0], compact[1:12], compact[12]
    if first not in UPN_ALPHABET or not middle.isdigit() or not (last.isdigit() or last in UPN_ALPHABET):
        raise FieldError(UPN_FORMAT)
    if upn_check_letter(compact[1:]) != first:
        raise FieldError(UPN_NOT_REAL)
    return compact


@dataclass(frozen=True)
class _IdentifierField(Field):
    """An optional identifier: blank is no answer, anything else must pass `cleaner`'s check."""

    def cleaner(self, text: str) -> str:
        raise NotImplementedError

    def clean(self, raw: Any, *, today: dt.date | None = None, answers: Mapping[str, Any] | None = None) -> Any:
        text = clean_text(raw, multiline=False)
        if not text:
            if self.is_required(answers or {}):
                raise FieldError(self.missing_message())
            return None
        return self.cleaner(text)


@dataclass(frozen=True)
class NhsNumberField(_IdentifierField):
    """A schema field that takes an NHS number: cleaned to ten digits, shown as 943 476 5919."""

    def cleaner(self, text: str) -> str:
        return clean_nhs_number(text)

    def label_for(self, value: Any) -> str:
        return format_nhs_number(value) if isinstance(value, str) else super().label_for(value)


@dataclass(frozen=True)
class UpnField(_IdentifierField):
    """A schema field that takes a unique pupil number: cleaned to thirteen capitals."""

    def cleaner(self, text: str) -> str:
        return clean_upn(text)
