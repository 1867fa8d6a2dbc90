"""The craft of a text message: GSM-7 only (one stray emoji turns a 160-character segment into 70), at most two
segments per reply, and the keywords every UK SMS service must answer (STOP, START, HELP)."""

from __future__ import annotations

import re
import unicodedata

# The GSM 03.38 default alphabet, and its extension table (each of those costs two characters).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")
SEGMENT = 160
MULTIPART_SEGMENT = 153
TWO_SEGMENTS = 2 * MULTIPART_SEGMENT  # 306: the most any reply may use
INBOUND_LIMIT = 1600  # Twilio's own limit for one message; anything longer is cut here and marked

_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-", "\t": " ",
}
_SPACES = re.compile(r"[ ]{2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "OPTIN"})
HELP_WORDS = frozenset({"HELP", "INFO"})
_KEYWORD_TRIM = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def to_gsm7(text: str) -> str:
    """Replace what would force UCS-2 (curly quotes, dashes, emoji, accents outside GSM-7) with plain text."""
    out: list[str] = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if len(char) > 1 or char in GSM_BASIC or char in GSM_EXTENDED:
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        plain = "".join(c for c in decomposed if c in GSM_BASIC or c in GSM_EXTENDED)
        out.append(plain)  # emoji and other scripts drop out; the words around them stay
    return _SPACES.sub(" ", "".join(out)).strip()


def gsm7_length(text: str) -> int:
    """Characters as the network counts them: extension characters take two."""
    return sum(2 if c in GSM_EXTENDED else 1 for c in text)


def is_gsm7(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def segments(text: str) -> int:
    length = gsm7_length(text)
    return 1 if length <= SEGMENT else -(-length // MULTIPART_SEGMENT)


UCS2_SEGMENT = 70
UCS2_MULTIPART_SEGMENT = 67


def tidy(text: str) -> str:
    """Only the look-alikes that would force UCS-2 for nothing (curly quotes, dashes, ellipses) made plain."""
    return "".join(_REPLACEMENTS.get(char, char) for char in text)


def measure(text: str) -> tuple[str, str, int, int]:
    """A person's message as it will be sent, whole: (body, encoding, units, segments).

    A practitioner's words are never thinned: when, with the look-alikes made plain, the text is GSM-7, it goes
    as GSM-7 (extension characters count two); otherwise (Urdu, Polish, an emoji) it goes as UCS-2, every
    character kept, counted in UTF-16 code units (70 in one text, 67 in each part of a longer one). The
    workspace's counter (static/staff.mjs) counts the same way."""
    body = tidy(text)
    if is_gsm7(body):
        units = gsm7_length(body)
        return body, "gsm7", units, 1 if units <= SEGMENT else -(-units // MULTIPART_SEGMENT)
    units = len(body.encode("utf-16-le")) // 2
    return body, "ucs2", units, 1 if units <= UCS2_SEGMENT else -(-units // UCS2_MULTIPART_SEGMENT)


def fit(parts: list[str], limit: int = TWO_SEGMENTS) -> str:
    """Join a turn's replies into one text within `limit`: whole sentences, in order, the first always kept
    (safety advice comes first, so it is never the part that is cut)."""
    sentences = [s for part in parts for s in _SENTENCE_END.split(to_gsm7(part)) if s]
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join([*kept, sentence])
        if gsm7_length(candidate) <= limit:
            kept.append(sentence)
        elif not kept:  # one sentence longer than the limit: cut it at a word
            words, line = sentence.split(" "), ""
            for word in words:
                if gsm7_length(f"{line} {word}".strip()) > limit - 3:
                    break
                line = f"{line} {word}".strip()
            kept.append(line + "...")
            break
    return " ".join(kept)


def keyword(text: str | None) -> str | None:
    """STOP, START or HELP when the whole message is one of their words ("Stop", "stop.", " HELP ")."""
    word = _KEYWORD_TRIM.sub("", (text or "")).upper()
    if word in STOP_WORDS:
        return "STOP"
    if word in START_WORDS:
        return "START"
    if word in HELP_WORDS:
        return "HELP"
    return None
