"""The kind of worry a report by text or web chat is about, read from the person's own words.

The web form asks "What are you worried about?" with checkboxes (forms.referral CONCERN_CATEGORIES); a conversation
never does, so every report by text reached the queue as "Worry: Not said yet" (a probe). This reads the same kinds
from the report's words (its opening message and its answer to "What has happened?") and from what the danger screen
found, for staff to see marked "from their words". It is only ever shown: triage never reads it (mash.triage reads the
categories a person chose), so a contact's RAG, level and flags are what they were without it.

Deterministic, no network, no model. What it knows is data in report_worries.json (its "about" says how a rule
reads), so a safeguarding lead can read and change it. Precision before recall: a rule that could be wrong about
whose worry it is, or could be a figure of speech, is left out; saying nothing is better than a wrong worry.
Never logs or returns any of the words: a reading holds worry codes and rule ids only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

from forms.referral import CONCERN_CATEGORIES

DATA_FILE = Path(__file__).resolve().with_name("report_worries.json")
# The kinds of worry that can be read from words: every concern category but "something else" (which says nothing)
# and a child under 13 who is pregnant (an age and a pregnancy; the referral asks both outright).
READABLE = tuple(c.value for c in CONCERN_CATEGORIES if c.value not in ("other", "pregnant_under_13"))
SENTENCE, PAUSE, SET_ASIDE = ".", ",", "_"
BARRIERS = frozenset({SENTENCE, PAUSE, "but"})
NEGATION_WINDOW = 3

_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018\u0060\u00b4\u02bc"), None)
# "4yo", "4 y/o", "7 yr old", "15yrs": an age, read as "4 year old".
_AGES = re.compile(r"\b(\d{1,2})\s*(?:y\s*/\s*o|yo|yrs?\s+old|years?\s+old)\b|\b(\d{1,2})(?:yo|yrs?)\b")
_INSIDE_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_SENTENCE_ENDS = re.compile(r"[.!?;:\n\r]+")
_WORDS = re.compile(r"[^\W_]+|[.,]")
_DIGIT_RUNS = re.compile(r"\d+|[^\W\d_]+")


class WorryDataError(ValueError):
    """report_worries.json says something this module cannot read."""


@dataclass(frozen=True)
class WorryReading:
    """The worries read (CONCERN_CATEGORIES values, in the form's order) and the rules that read them (ids such as
    "neglect.left_alone" or "screen.child_alone", never any words)."""

    worries: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


NOTHING_READ = WorryReading()


# --- Reading the words --------------------------------------------------------------------------------------------
def _split(text: str, text_speak: dict[str, tuple[str, ...]]) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = _AGES.sub(lambda m: f" {m.group(1) or m.group(2)} year old ", text)
    text = _INSIDE_HYPHEN.sub(" ", text).replace("&", " and ").replace("+", " and ")
    text = _SENTENCE_ENDS.sub(f" {SENTENCE} ", text)
    words: list[str] = []
    for raw in _WORDS.findall(text):
        if raw in text_speak:
            words.extend(text_speak[raw])
            continue
        for piece in _DIGIT_RUNS.findall(raw) if raw not in (SENTENCE, PAUSE) else [raw]:
            words.extend(text_speak.get(piece, (piece,)))
    return words


@dataclass(frozen=True)
class _Part:
    """One part of a cue: alternatives, each a sequence of words ("off her face"); "word*" is a word start."""

    alternatives: tuple[tuple[str, ...], ...]
    optional: bool = False

    @property
    def _by_first(self) -> tuple[dict[str, list[tuple[str, ...]]], list[tuple[str, ...]]]:
        index = self.__dict__.get("_index")
        if index is None:  # alternatives by their first word, and those whose first word is a word start
            exact: dict[str, list[tuple[str, ...]]] = {}
            starts = [a for a in self.alternatives if a[0].endswith("*")]
            for alternative in self.alternatives:
                if not alternative[0].endswith("*"):
                    exact.setdefault(alternative[0], []).append(alternative)
            index = (exact, starts)
            object.__setattr__(self, "_index", index)
        return index

    def ends(self, words: Sequence[str], at: int) -> list[int]:
        found = [at] if self.optional else []
        if at >= len(words):
            return found
        exact, starts = self._by_first
        for alternative in (*exact.get(words[at], ()), *starts):
            end = at + len(alternative)
            if end <= len(words) and all(_word_matches(p, w) for p, w in zip(alternative, words[at:end], strict=True)):
                found.append(end)
        return found

    def starts_in(self, words: Sequence[str], positions: Iterable[int]) -> bool:
        return any(end > at for at in positions if 0 <= at < len(words) for end in self.ends(words, at))


def _word_matches(pattern: str, word: str) -> bool:
    if word in BARRIERS or word == SET_ASIDE:
        return False
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


@dataclass(frozen=True)
class _Rule:
    id: str
    worry: str
    parts: tuple[_Part, ...]
    gaps: tuple[int, ...]  # before each part after the first: how many words may come between
    all_of: bool = False
    within: int = 0
    unless_before: _Part | None = None
    before: int = 4
    unless_after: _Part | None = None
    unless_near: _Part | None = None
    near: int = 2
    unless: _Part | None = None
    writer: str | None = None  # "child" | "adult"


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    gaps: tuple[int, ...]  # positions of the words that came between the parts


class _Data:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.text_speak = {k: tuple(v.split()) for k, v in doc.get("text_speak", {}).items()}
        self.negation = frozenset(doc.get("negation", []))
        self.negation_to_the_pause = [self.phrase(p) for p in doc.get("negation_to_the_pause", [])]
        self.lists: dict[str, list[str]] = doc.get("lists", {})
        self.sentences_not_read = [self.phrase(p) for p in doc.get("sentences_not_read", [])]
        self.set_aside = sorted((self.phrase(p) for p in doc.get("set_aside", [])), key=len, reverse=True)
        self.rules: list[_Rule] = []
        self.examples: dict[str, tuple[list[str], list[str]]] = {}
        for worry, spec in doc.get("worries", {}).items():
            if worry not in READABLE:
                raise WorryDataError(f"{worry}: not a concern category that can be read")
            self.examples[worry] = (list(spec.get("says", [])), list(spec.get("never", [])))
            for raw in spec.get("rules", []):
                self.rules.append(self._rule(worry, raw))
        self.screen: dict[str, dict[str, Any]] = doc.get("screen", {})
        for category, spec in self.screen.items():
            named = [spec.get("worry"), *spec.get("unless_read", []), *spec.get("as_the_words_say", {})]
            if not any(named) or any(w not in READABLE for w in named if w is not None):
                raise WorryDataError(f"screen {category}: names no worry, or one that cannot be read")
        self.hints = {category: {worry: self.part(phrases) for worry, phrases in spec["as_the_words_say"].items()}
                      for category, spec in self.screen.items() if "as_the_words_say" in spec}
        self.first_person = self.part(["{first_person}"])

    def words(self, phrase: str) -> list[str]:
        return _split(phrase, self.text_speak)

    def expand(self, alternative: str, seen: tuple[str, ...] = ()) -> list[str]:
        alternative = alternative.strip()
        if alternative.startswith("{") and alternative.endswith("}"):
            name = alternative[1:-1]
            if name not in self.lists or name in seen:
                raise WorryDataError(f"unknown or circular list {{{name}}}")
            return [p for item in self.lists[name] for p in self.expand(item, (*seen, name))]
        return [alternative]

    def phrase(self, text: str) -> tuple[str, ...]:
        """A phrase read as the message is read; a word ending in "*" stays a word start ("strangl*")."""
        out: list[str] = []
        for word in text.split():
            read = self.words(word.rstrip("*"))
            if word.endswith("*") and read:
                read[-1] += "*"
            out.extend(read)
        return tuple(out)

    def part(self, alternatives: Iterable[str], optional: bool = False) -> _Part:
        phrases = {self.phrase(p) for a in alternatives for p in self.expand(a)}
        if not phrases or not all(phrases):
            raise WorryDataError(f"an empty part in {list(alternatives)}")
        return _Part(tuple(sorted(phrases)), optional)

    def _rule(self, worry: str, raw: dict[str, Any]) -> _Rule:
        rule_id = f"{worry}.{raw.get('id')}"
        if "cue" in raw:
            parts, gaps, gap_next = [], [], 0
            for piece in raw["cue"]:
                if piece == "...":
                    gap_next = int(raw.get("gap", 3))
                    continue
                optional = piece.endswith("?")
                parts.append(self.part(piece.rstrip("?").split("|"), optional))
                gaps.append(gap_next)
                gap_next = 0
            return self._with_filters(rule_id, worry, raw, tuple(parts), tuple(gaps[1:]))
        if "all_of" in raw:
            parts = [self.part(piece.split("|")) for piece in raw["all_of"]]
            return self._with_filters(rule_id, worry, raw, tuple(parts), (), all_of=True,
                                      within=int(raw.get("within", 10)))
        raise WorryDataError(f"{rule_id}: a rule needs a cue or all_of")

    def _with_filters(self, rule_id: str, worry: str, raw: dict[str, Any], parts: tuple[_Part, ...],
                      gaps: tuple[int, ...], **kwargs: Any) -> _Rule:
        def named(key: str) -> _Part | None:
            return self.part(raw[key]) if raw.get(key) else None

        if raw.get("writer") not in (None, "child", "adult"):
            raise WorryDataError(f"{rule_id}: writer is child or adult")
        return _Rule(rule_id, worry, parts, gaps, unless_before=named("unless_before"),
                     before=int(raw.get("before", 4)), unless_after=named("unless_after"),
                     unless_near=named("unless_near"), near=int(raw.get("near", 2)), unless=named("unless"),
                     writer=raw.get("writer"), **kwargs)

    def read(self, text: str) -> list[str]:
        """The words as the rules read them: a sentence framed as a question about the rules, a what-if, a film or
        the writer's own childhood is left out; each phrase set aside becomes one neutral word."""
        words: list[str] = []
        for sentence in _sentences(self.words(text)):
            if not any(tuple(sentence[p:p + len(f)]) == f for f in self.sentences_not_read
                       for p in range(len(sentence))):
                words.extend([*sentence, SENTENCE])
        out: list[str] = []
        at = 0
        while at < len(words):
            phrase = next((p for p in self.set_aside if tuple(words[at:at + len(p)]) == p), None)
            if phrase:
                out.append(SET_ASIDE)
                at += len(phrase)
            else:
                out.append(words[at])
                at += 1
        return out


def _sentences(words: list[str]) -> Iterator[list[str]]:
    start = 0
    for at, word in enumerate(words):
        if word == SENTENCE:
            if at > start:
                yield words[start:at]
            start = at + 1
    if start < len(words):
        yield words[start:]


@lru_cache(maxsize=2)
def _data(path: Path = DATA_FILE) -> _Data:
    try:
        return _Data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:  # pragma: no cover - a broken data file fails loudly
        raise WorryDataError(f"{path.name}: {exc}") from exc


def examples(path: Path = DATA_FILE) -> dict[str, tuple[list[str], list[str]]]:
    """Each worry's examples from the data file: (what must read it, what must not). For the tests."""
    return _data(path).examples


# --- Matching --------------------------------------------------------------------------------------------------
def _sequence(rule: _Rule, words: Sequence[str], start: int) -> Iterator[_Match]:
    def walk(index: int, at: int, gaps: tuple[int, ...]) -> Iterator[_Match]:
        if index == len(rule.parts):
            yield _Match(start, at, gaps)
            return
        allowed = rule.gaps[index - 1] if index else 0
        for skip in range(allowed + 1):
            between = tuple(range(at, at + skip))
            if any(p >= len(words) or words[p] in BARRIERS for p in between):
                break
            for end in rule.parts[index].ends(words, at + skip):
                if end == at + skip and index == 0:
                    continue  # a match never starts with a missing part
                yield from walk(index + 1, end, gaps + between)

    yield from walk(0, start, ())


def _all_of(rule: _Rule, words: Sequence[str]) -> Iterator[_Match]:
    spans = [[(at, end) for at in range(len(words)) for end in part.ends(words, at) if end > at]
             for part in rule.parts]
    for anchor in spans[0]:
        near = [[(s, e) for s, e in others if abs(s - anchor[0]) <= rule.within] for others in spans[1:]]
        for chosen in product([anchor], *near):
            start, end = min(s for s, _ in chosen), max(e for _, e in chosen)
            if end - start > rule.within or SENTENCE in words[start:end]:
                continue
            covered = {p for s, e in chosen for p in range(s, e)}
            if len(covered) < sum(e - s for s, e in chosen):
                continue  # each part its own words: "man in a car" is not also the "car" it must be seen with
            yield _Match(start, end, tuple(p for p in range(start, end) if p not in covered))


def _negated(data: _Data, words: Sequence[str], match: _Match) -> bool:
    """A negation just before the match (three words, in the same clause) or inside it; or a wider one ("no sign of",
    "no concerns") anywhere before it in the same clause."""
    clause = match.start
    while clause > 0 and words[clause - 1] not in BARRIERS:
        clause -= 1
    before = range(max(clause, match.start - NEGATION_WINDOW), match.start)
    if any(words[p] in data.negation and not (words[p] == "no" and p + 1 < len(words) and
                                              words[p + 1] in ("one", "body"))
           for p in (*before, *match.gaps)):
        return True
    return any(tuple(words[p:p + len(phrase)]) == phrase for phrase in data.negation_to_the_pause
               for p in range(clause, match.start))


def _back_to_sentence(words: Sequence[str], start: int, count: int) -> range:
    first = start
    while first > 0 and start - first < count and words[first - 1] != SENTENCE:
        first -= 1
    return range(first, start)


def _stands(data: _Data, rule: _Rule, words: Sequence[str], match: _Match) -> bool:
    if _negated(data, words, match):
        return False
    if rule.unless_before and rule.unless_before.starts_in(words, _back_to_sentence(words, match.start, rule.before)):
        return False
    if rule.unless_after and rule.unless_after.starts_in(words, [match.end]):
        return False
    if rule.unless_near:
        around = [*_back_to_sentence(words, match.start, rule.near), *match.gaps,
                  *range(match.end, min(match.end + rule.near, len(words)))]
        if rule.unless_near.starts_in(words, around):
            return False
    return True


def _fires(data: _Data, rule: _Rule, words: Sequence[str]) -> bool:
    if rule.unless and rule.unless.starts_in(words, range(len(words))):
        return False
    matches = _all_of(rule, words) if rule.all_of else (
        m for start in range(len(words)) for m in _sequence(rule, words, start))
    return any(_stands(data, rule, words, m) for m in matches)


def _says(data: _Data, part: _Part, words: Sequence[str]) -> bool:
    """The words hold one of these phrases, not negated just before it."""
    return any(not _negated(data, words, _Match(at, end, ())) for at in range(len(words))
               for end in part.ends(words, at) if end > at)


# --- The reading ----------------------------------------------------------------------------------------------------
def read_worries(texts: Iterable[str | None], *, screened: Iterable[str] = (),
                 child_writing: bool = False) -> WorryReading:
    """The kinds of worry in a report's words (`texts`: its opening message and its answer to "What has happened?")
    and in what the danger screen found (`screened`: mash.safety categories, danger now or check now).
    `child_writing`: a child or young person writing about themselves ("he hits me" is then a parent hitting a
    child, not a partner hitting an adult)."""
    data = _data()
    writer = "child" if child_writing else "adult"
    words = [w for t in texts if t and t.strip() for w in data.read(t)]
    read: dict[str, list[str]] = {}
    for rule in data.rules:
        if rule.worry in read or (rule.writer and rule.writer != writer):
            continue
        if _fires(data, rule, words):
            read.setdefault(rule.worry, []).append(rule.id)
    found = set(screened)
    for category, spec in data.screen.items():  # in the file's order: a child hurt after self-harm is read
        if category not in found:
            continue
        for worry, phrases in data.hints.get(category, {}).items():
            if worry not in read and _says(data, phrases, words):
                read[worry] = [f"screen.{category}"]
        worry = spec.get("worry")
        if worry is None or worry in read or any(w in read for w in spec.get("unless_read", [])):
            continue
        if spec.get("first_person") and not child_writing and _says(data, data.first_person, words):
            continue  # an adult writing of themselves ("i want to end it"): not a child's self-harm
        read[worry] = [f"screen.{category}"]
    worries = tuple(w for w in READABLE if w in read)
    return WorryReading(worries, tuple(rule for w in worries for rule in read[w]))


def screened_categories(flags: Iterable[str] | None) -> tuple[str, ...]:
    """The danger screen's categories in a contact's flags ("danger_now:child_alone", "check_now:sexual_abuse")."""
    return tuple(dict.fromkeys(flag.partition(":")[2] for flag in flags or ()
                               if flag.startswith(("danger_now:", "check_now:"))))


def load() -> None:
    """Read the data file now (at start-up or in a test), so a broken file fails before any report."""
    _data()
