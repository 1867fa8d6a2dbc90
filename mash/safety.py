"""The safety screen: is a child (or the writer) in danger now? Deterministic, fast, no network, no Rasa.

Runs on every inbound message of every channel before anything else (issue 5, item 3; domain.md, "Safety
first, on every channel"). On danger the first reply carries the 999 advice.

Everything the screen knows lives in data files under ``mash/data/safety/`` so that a safeguarding lead can
read and change it without reading Python:

- ``vocabulary.json``: how text-speak, misspellings and emoji are read (``u`` -> ``you``, ``🔪`` -> ``knife``),
  the named word lists the rules use (``{child}``, ``{intoxicated}``...), and harmless phrases that are set
  aside before the rules run ("drinking water", "blood test", "milk drunk").
- one file per danger category (``violence_now.json``, ``child_alone.json``...), each with its rules and the
  sentences that must and must not set it off; the tests run every one of those sentences.
- ``child_speaking.json``: signs that the writer is a child, so the reply gives Childline.

How a rule reads (also in vocabulary.json, ``how_to_read_a_rule``):

- ``he got knife``: those words, next to each other, in that order.
- ``he ... knife``: ``...`` lets a few other words come between (the rule's ``gap``; 4 unless it says).
- ``got|has|holding``: any one of these words.
- ``{child}``: any word or phrase from the named list in vocabulary.json.
- ``strangl*``: any word starting "strangl".
- ``the?``: this word may be missing.
- ``all_of`` + ``within``: every part somewhere inside a stretch of that many words, in any order.
- ``unless``: the rule does not fire if the message also contains any of these.
- ``unless_near``: the rule does not fire if any of these comes within ``near`` words (default 2) of what it
  matched (before or after, or inside it).
- ``everything_else``: the rule fires only if every word of the message is one of these (for messages that
  are only a plea or only fear: "please help", "help me now", "im so scared"; not "can you help me with a form").

Two outcomes (issue 12): **danger now** (the 999 advice in the first reply, a red contact at the head of the queue)
and **check now**, where a rule is unsure: a red contact whose reason tells staff to check it now, and nothing
said to the person (no 999 reply, no safety mode: the conversation carries on). A rule is unsure when

- it says ``"outcome": "check_now"`` (a weaker sign: grooming suspected, an adult boyfriend of a 13-year-old);
- or the message holds one of its ``unsure_if`` phrases (anywhere): it happened in the past ("last month",
  "years ago"), it happens "sometimes" or "most evenings", or the person says they are safe now ("hes in
  prison now", "she is safe in school now");

and in either case the message holds none of its ``sure_if`` phrases (anywhere), which make it danger now
after all ("right now", "tonight", "hes coming back", "please help").

"Yesterday", "last night" and "on saturday" are past ({recent_past}) only for the rules that read hurt already done
(hitting, a fight, a child hurt: "he hit her yesterday" is checked now, not a 999 reply). Every other rule reads
only the older past ({past}): a threat to kill made last night, a rape, an overdose or a child taken yesterday, a
child who went missing last night, are danger now. A
professional telling what they saw of a child in their care ("pupil came in with bruises, says dad hit her";
{seen_by_professional}) makes the rules that read hurt unsure: the harm was before, the child is with them now;
still danger now with a {still_now} phrase ("hes picking her up at 3", "scared to go home").

Some frames make *every* finding unsure, whatever the rule (``every_rule`` in vocabulary.json): the message is
about long ago ("years ago", "in 2021", "when i was little"), about a film, a book or the news, joking ("lol"),
or hypothetical ("what if", "do you help with"). Then a finding is a check now unless the message also holds one
of the rule's ``sure_if`` phrases or one of ``every_rule``'s own (``{still_now}``: "right now", "hes outside"...).

Danger now wins: a message that fires any danger-now rule gets the 999 advice, whatever else fired.

Behind the rules, a second net (mash/danger_net.py): a small classifier trained deterministically at first use on
the evaluation set's development part, for danger said in words no rule lists. It speaks when no rule was sure
(a rule sure of danger decides; its frames for a figure of speech, a past event now safe or a small child hitting a
parent win): sure, danger now in the category ``other_danger`` (also over a rule that was only unsure); less sure,
a check now where no rule fired; a message framed as long ago, a story or a what-if is at most a check now.
Still deterministic (same input, same output), in this process, no network.

The screen never logs, stores or returns the message text: ``Screening.matched`` holds rule ids only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data" / "safety"
VOCABULARY_FILE = "vocabulary.json"
CHILD_SPEAKING_FILE = "child_speaking.json"

DEFAULT_OUT_OF_HOURS_NUMBER = "01344 351 999"
SMS_LIMIT = 306  # two GSM-7 segments
DANGER_LINE = "If you or a child are in danger now, call 999."
SILENT_LINE = "If it's not safe to talk, call 999 and press 55 when asked."
CHILDLINE_LINE = "You can call Childline free on 0800 1111, day or night."
OUT_OF_HOURS_LINE = "Out of hours, call our emergency duty team on {number}."
SAMARITANS_LINE = "Samaritans are there any time, free, on 116 123."
URGENT_LINE = "We have marked your message urgent for our team."
# Someone badly hurt or ill now (not breathing, blue, fitting, will not wake, bleeding): the 999 call is for an
# ambulance, and the call handler talks them through what to do until it comes (session 14's probe: "call 999" alone
# read the same for a fit as for a fight)
# The writer is an ambulance crew or the ambulance is there ("paramedic on scene", "ambulance is here")
_CREW_THERE = re.compile(r"\b(paramedic|paramedics|ambulance crew|crew) (here|on scene|at scene|on site)\b|"
                         r"^(paramedic|ambulance crew)( here)?\s*[,.:;-]")
AMBULANCE_LINE = "Ask for an ambulance and stay on the line: they will tell you what to do."
# "i took some pills" must not read as "call 999 if you think you are in danger": some harm comes hours later.
SWALLOWED_LINE = "If anyone has taken pills or something harmful, call 999 now, even if they seem fine."
# An overdose however it is said ("took an overdose last night", "she od'd", "overdosed on her tablets"): the live
# probe found "my daughter took an overdose last night" got the 999 line but nothing saying she needs help even if
# she seems fine (some harm, paracetamol's, comes days later).
_OD_SPELLINGS = re.compile(r"\bod['’]d\b|\bo\.d\.(?=\s|$)|\bode['’]d\b", re.IGNORECASE)
# What a professional mid-referral may write that is never only what they saw of a child in their care (see
# `screen`'s `professional`): harm to the writer, harm to come, strangling, a child afraid to go home or about to
# be collected.
_STAYS_URGENT = re.compile(
    r"\b(me|us|myself)\b|\b(will|going to|gonna|about to)\b|'ll\b|\bwhen (he|she|they|dad|mum|her \w+|his \w+) "
    r"(gets?|comes?) (home|back)\b|\bif (he|she|they) (finds?|found) out\b|\bstrangl|\bchok|\bthroat\b|\bneck\b|"
    r"\b(do not|dont|doesnt|does not|didnt|did not|wont|will not|scared to|afraid to|frightened to) (want to )?"
    r"go(ing)? home\b|\b(collect\w*|pick\w* (her|him|them) up|picking up)\b|\bcoming to\b|\b(now|tonight|today)\b")
_OVERDOSE = re.compile(r"\b(overdos\w*|od|oded)\b")  # after _OD_SPELLINGS: "she od'd" reads "overdosed"
SWALLOWED_RULES = frozenset({"suicide.i_took_pills", "suicide.took_lots_of_pills", "injury.child_took_medicine",
                             "injury.swallowed", "injury.child_got_into", "injury.swallowed_household",
                             "injury.swallowed_then_named"})
# When no rule fired, the second net (mash/danger_net.py) may still find danger, in words no rule lists: its
# category and its two "rule ids" (it is no rule of the data files).
NET_CATEGORY = "other_danger"
NET_TITLE = "The words read like someone may be in danger (found by the screen's model, not by a rule)"
NET_DANGER = "net.danger_now"
NET_CHECK = "net.check_now"
# Categories where the person may be near someone dangerous and unable to speak on the phone (the net's too:
# it does not know what the danger is).
SILENT_CATEGORIES = frozenset({"violence_now", "locked_in", "help_with_fear", "child_being_hurt", "sexual_abuse",
                               "intoxicated_carer_with_child", "taken_or_followed", NET_CATEGORY})

DEFAULT_GAP = 4
NAMED_LISTS = ("seen_by_professional", "still_now", "safe_now")
DEFAULT_NEAR = 2
GAP_MARK = "..."


class SafetyDataError(ValueError):
    """A data file under mash/data/safety is malformed (raised at load time, never while screening)."""


@dataclass(frozen=True)
class Screening:
    danger: bool
    categories: tuple[str, ...] = ()
    child_speaking: bool = False
    reply: str | None = None
    matched: tuple[str, ...] = ()  # rule ids, for tests and audit; never any of the message text
    # Check now (never with danger): a rule was unsure. Staff check at once; the person is told nothing.
    check_now: bool = False
    check_categories: tuple[str, ...] = ()
    check_matched: tuple[str, ...] = ()

    @property
    def red(self) -> bool:
        """Danger now or check now: either way the contact is red."""
        return self.danger or self.check_now


NO_DANGER = Screening(danger=False)
CHECK_NOW = "check_now"
DANGER_NOW = "danger_now"


# --------------------------------------------------------------------------------------------------
# Reading text: lower case, no accents, no punctuation, text-speak and emoji read as words.

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u0060\u00b4\u02bc\u2032\uff07"})
_CONTRACTIONS = [
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'"), ""),
]
_WORD = re.compile(r"[^\W_]+")
# "won t", "he s", "i m": an apostrophe typed as a space (or lost to autocorrect) before a contraction.
_SPACED_CONTRACTION = re.compile(r"\b([a-z]+) (t|s|m|re|ve|ll|d)\b")
_DIGIT_RUNS = re.compile(r"\d+|[^\W\d_]+")
_RUN3 = re.compile(r"(.)\1{2,}")
_RUN2 = re.compile(r"(.)\1+")
# Emoji modifiers that carry no meaning for the screen: variation selectors, zero-width joiner, skin tones.
_EMOJI_NOISE = {0xFE0E: None, 0xFE0F: None, 0x200D: None, **{cp: None for cp in range(0x1F3FB, 0x1F400)}}


def _collapse3(word: str) -> str:
    """helppp -> helpp, sooo -> soo (three or more of a letter become two)."""
    return _RUN3.sub(r"\1\1", word)


def _collapse1(word: str) -> str:
    """helpp -> help, kill -> kil (every run of a letter becomes one)."""
    return _RUN2.sub(r"\1", word)


def _squeezings(word: str) -> list[str]:
    """Every way of reading each run of a repeated letter as one or two of it: ``oooff`` -> ``of``, ``off``,
    ``oof``, ``ooff``. Which one is meant is decided by which is a known word, so double letters that matter
    (``off``, ``kill``, ``bleeding``) survive. Words with many runs try only all-single and all-double."""
    runs = [(m.group(1), len(m.group(0))) for m in re.finditer(r"(.)\1*", word)]
    repeated = [i for i, (_, n) in enumerate(runs) if n > 1]
    if not repeated:
        return [word]
    if len(repeated) > 5:
        return list(dict.fromkeys((word, _collapse3(word), _collapse1(word))))
    out = []
    for choice in product((1, 2), repeat=len(repeated)):
        lengths = dict(zip(repeated, choice, strict=True))
        out.append("".join(ch * lengths.get(i, n) for i, (ch, n) in enumerate(runs)))
    return out


# --------------------------------------------------------------------------------------------------
# Compiled rules.

@dataclass(frozen=True)
class _Item:
    slot: int  # index into the compiled slots
    gap: int  # how many other words may come between this item and the one before
    optional: bool


@dataclass(frozen=True)
class _Sequence:
    items: tuple[_Item, ...]


@dataclass(frozen=True)
class _Rule:
    id: str
    category: str
    parts: tuple[_Sequence, ...]  # one part: a sequence; more: all_of
    within: int
    unless: tuple[_Sequence, ...]
    unless_near: tuple[_Sequence, ...]
    near: int
    everything_else: int | None  # a slot every word of the message must belong to
    required: tuple[frozenset[int], ...]  # per part, the word sets its first word can come from (a quick pre-check)
    check_only: bool = False  # "outcome": "check_now"
    unsure_if: tuple[_Sequence, ...] = ()
    sure_if: tuple[_Sequence, ...] = ()
    # unsure where a professional tells what they saw of a child in their care ({seen_by_professional} among its
    # unsure_if): also when the conversation, not this message, says the writer is one
    seen_by_professional: bool = False


@dataclass(frozen=True)
class _Neutral:
    sequence: _Sequence
    becomes: tuple[str, ...]


class _Compiled:
    """Everything the data files say, compiled once: word sets, phrases, slots, rules, normalisation tables."""

    def __init__(self, vocabulary: dict[str, Any], categories: list[dict[str, Any]],
                 child_speaking: dict[str, Any]) -> None:
        # A rewrite is one or more positions; a position written "my|ma" may be read as either word.
        self.rewrites: dict[str, tuple[tuple[str, ...], ...]] = {
            key.lower(): tuple(tuple(position.split("|")) for position in value.lower().split())
            for key, value in vocabulary.get("rewrites", {}).items()}
        self.emoji: dict[int, str | None] = {
            ord(ch): f" {word} " for ch, word in vocabulary.get("emoji", {}).items() if len(ch) == 1}
        self.emoji.update(_EMOJI_NOISE)
        self.multi_emoji = {seq: f" {word} " for seq, word in vocabulary.get("emoji", {}).items() if len(seq) > 1}
        self.classes: dict[str, list[str]] = vocabulary.get("classes", {})
        self.never_correct = frozenset(w.lower() for w in vocabulary.get("never_correct", []))
        self._class_cache: dict[str, list[tuple[int, ...]]] = {}
        self._expanding: set[str] = set()
        self.wordsets: list[tuple[frozenset[str], tuple[str, ...]]] = []
        self._wordset_ids: dict[tuple[frozenset[str], tuple[str, ...]], int] = {}
        self.slots: list[tuple[tuple[int, ...], ...]] = []  # slot -> phrases (tuples of word-set ids)
        self._slot_ids: dict[tuple[tuple[int, ...], ...], int] = {}

        self.neutral = tuple(
            _Neutral(self._sequence(entry["pattern"], 0, f"neutral {entry['pattern']!r}"),
                     tuple(entry.get("becomes", "").lower().split()))
            for entry in vocabulary.get("neutral", []))
        frames = vocabulary.get("every_rule", {})
        self.frame_unsure = tuple(self._sequence(t, DEFAULT_GAP, "every_rule") for t in frames.get("unsure_if", []))
        self.frame_sure = tuple(self._sequence(t, DEFAULT_GAP, "every_rule") for t in frames.get("sure_if", []))
        # Word lists the screen's code reads itself (not only through rules), compiled as one-item sequences.
        self.named = {name: self._sequence(f"{{{name}}}", DEFAULT_GAP, "mash/safety.py")
                      for name in NAMED_LISTS if name in self.classes}
        self.rules: list[_Rule] = []
        self.category_order: list[str] = []
        seen: set[str] = set()
        for doc in sorted(categories, key=lambda d: (d.get("order", 99), d["category"])):
            self.category_order.append(doc["category"])
            self.rules.extend(self._rules(doc, doc["category"], seen))
        self.child_rules = self._rules(child_speaking, "child_speaking", seen)
        for name in self.classes:  # compile every word list, used or not, so a broken one fails at load
            self._class(name, "vocabulary.json")

        # Indexes from a word to the word sets it belongs to.
        self.exact_index: dict[str, list[int]] = {}
        self.prefix_index: dict[str, list[int]] = {}
        for ws_id, (exact, prefixes) in enumerate(self.wordsets):
            for word in exact:
                self.exact_index.setdefault(word, []).append(ws_id)
            for prefix in prefixes:
                self.prefix_index.setdefault(prefix, []).append(ws_id)
        self.prefix_lengths = sorted({len(p) for p in self.prefix_index})
        self.known = frozenset(self.exact_index) | {
            w for positions in self.rewrites.values() for forms in positions for w in forms}
        index: dict[str, set[str]] = {}
        for word in self.known:
            index.setdefault(_collapse1(word), set()).add(word)
        self.collapsed_index = {k: next(iter(v)) for k, v in index.items() if len(v) == 1 and k not in self.known}
        self.fuzzy = self._fuzzy_table(vocabulary.get("fuzzy", []))
        self._class_phrases: dict[int, list[tuple[tuple[int, ...], tuple[str, ...]]]] | None = None

    # -- compiling ---------------------------------------------------------------------------------

    def _rules(self, doc: dict[str, Any], category: str, seen: set[str]) -> list[_Rule]:
        file_gap = int(doc.get("gap", DEFAULT_GAP))
        rules = []
        for raw in doc.get("rules", []):
            rule_id = raw.get("id")
            if not rule_id or rule_id in seen:
                raise SafetyDataError(f"{category}: missing or repeated rule id {rule_id!r}")
            seen.add(rule_id)
            gap = int(raw.get("gap", file_gap))
            where = f"{category} rule {rule_id}"
            if ("pattern" in raw) == ("all_of" in raw):
                raise SafetyDataError(f"{where}: give exactly one of pattern or all_of")
            texts = [raw["pattern"]] if "pattern" in raw else list(raw["all_of"])
            parts = tuple(self._sequence(text, gap, where) for text in texts)
            if "all_of" in raw and "within" not in raw:
                raise SafetyDataError(f"{where}: all_of needs within")
            everything_else = None
            if "everything_else" in raw:
                phrases = self._alternatives(raw["everything_else"], where)
                if any(len(phrase) != 1 for phrase in phrases):
                    raise SafetyDataError(f"{where}: everything_else takes single words only")
                everything_else = self._slot(phrases)
            outcome = raw.get("outcome", DANGER_NOW)
            if outcome not in (DANGER_NOW, CHECK_NOW):
                raise SafetyDataError(f"{where}: outcome is {DANGER_NOW!r} or {CHECK_NOW!r}, not {outcome!r}")
            if "sure_if" in raw and "unsure_if" not in raw and outcome != CHECK_NOW:
                raise SafetyDataError(f"{where}: sure_if only overrides unsure_if or a check_now outcome")
            rules.append(_Rule(
                id=rule_id, category=category, parts=parts, within=int(raw.get("within", 0)),
                unless=tuple(self._sequence(t, gap, where) for t in raw.get("unless", [])),
                unless_near=tuple(self._sequence(t, gap, where) for t in raw.get("unless_near", [])),
                near=int(raw.get("near", DEFAULT_NEAR)),
                everything_else=everything_else,
                required=tuple(frozenset(phrase[0] for phrase in self.slots[part.items[0].slot]) for part in parts),
                check_only=outcome == CHECK_NOW,
                unsure_if=tuple(self._sequence(t, gap, where) for t in raw.get("unsure_if", [])),
                sure_if=tuple(self._sequence(t, gap, where) for t in raw.get("sure_if", [])),
                seen_by_professional="{seen_by_professional}" in raw.get("unsure_if", [])))
        return rules

    def _sequence(self, text: str, gap: int, where: str) -> _Sequence:
        words = text.lower().replace("\u2026", f" {GAP_MARK} ").split()
        items: list[_Item] = []
        pending_gap = 0
        for word in words:
            if word == GAP_MARK:
                if not items:
                    raise SafetyDataError(f"{where}: {text!r} cannot start with ...")
                pending_gap = gap
                continue
            optional = word.endswith("?")
            phrases = self._alternatives(word.rstrip("?"), where)
            items.append(_Item(self._slot(phrases), pending_gap, optional))
            pending_gap = 0
        if not items or items[0].optional or items[-1].optional:
            raise SafetyDataError(f"{where}: {text!r} is empty, or starts or ends with an optional word")
        return _Sequence(tuple(items))

    def _alternatives(self, word: str, where: str) -> list[tuple[int, ...]]:
        """``a|b*|{class}`` -> phrases (tuples of word-set ids). Single words share one word set."""
        exact: set[str] = set()
        prefixes: set[str] = set()
        phrases: list[tuple[int, ...]] = []
        for alt in word.split("|"):
            if not alt:
                raise SafetyDataError(f"{where}: empty alternative in {word!r}")
            if alt.startswith("{") and alt.endswith("}"):
                for phrase in self._class(alt[1:-1], where):
                    if len(phrase) == 1:
                        ws_exact, ws_prefixes = self.wordsets[phrase[0]]
                        exact |= ws_exact
                        prefixes |= set(ws_prefixes)
                    else:
                        phrases.append(phrase)
            elif alt.endswith("*"):
                if len(alt) < 3:
                    raise SafetyDataError(f"{where}: prefix {alt!r} is too short")
                prefixes.add(alt[:-1])
            else:
                self._check_word(alt, where)
                exact.add(alt)
        if exact or prefixes:
            phrases.insert(0, (self._wordset(exact, prefixes),))
        return phrases

    def _check_word(self, word: str, where: str) -> None:
        """A rule word must be one the screen can see: a message never contains ``don't`` or ``im`` once read
        (they become ``do not`` and ``i am``), so a rule that says them could never fire."""
        if not _WORD.fullmatch(word):
            raise SafetyDataError(f"{where}: {word!r} is not a plain word (no punctuation or apostrophes)")
        positions = self.rewrites.get(word)
        if positions is not None and not (len(positions) == 1 and word in positions[0]):
            read = " ".join("|".join(forms) for forms in positions)
            raise SafetyDataError(f"{where}: {word!r} is read as {read!r}; write that")

    def _class(self, name: str, where: str) -> list[tuple[int, ...]]:
        if name in self._class_cache:
            return self._class_cache[name]
        if name not in self.classes:
            raise SafetyDataError(f"{where}: no word list called {{{name}}} in vocabulary.json")
        if name in self._expanding:
            raise SafetyDataError(f"{where}: word list {{{name}}} refers to itself")
        self._expanding.add(name)
        phrases: list[tuple[int, ...]] = []
        for entry in self.classes[name]:
            positions: list[list[tuple[int, ...]]] = []
            for word in entry.lower().split():
                alternatives = self._alternatives(word.rstrip("?"), f"{{{name}}}")
                if word.endswith("?"):
                    alternatives = [*alternatives, ()]
                positions.append(alternatives)
            for combo in product(*positions):
                phrase = tuple(ws for part in combo for ws in part)
                if phrase and phrase not in phrases:
                    phrases.append(phrase)
        self._expanding.discard(name)
        self._class_cache[name] = phrases
        return phrases

    def _wordset(self, exact: Iterable[str], prefixes: Iterable[str]) -> int:
        key = (frozenset(exact), tuple(sorted(set(prefixes))))
        if key not in self._wordset_ids:
            self._wordset_ids[key] = len(self.wordsets)
            self.wordsets.append(key)
        return self._wordset_ids[key]

    def _slot(self, phrases: list[tuple[int, ...]]) -> int:
        key = tuple(dict.fromkeys(phrases))
        if key not in self._slot_ids:
            self._slot_ids[key] = len(self.slots)
            self.slots.append(key)
        return self._slot_ids[key]

    def _fuzzy_table(self, targets: Iterable[str]) -> dict[str, str]:
        """One-slip misspellings of the key words: two letters swapped (any word of 4+ letters), one letter
        missing (words of 6+), one letter extra (words of 5+). Real words listed in never_correct are not
        corrected (``cared`` is not ``scared``); a slip that could be two key words is left alone."""
        table: dict[str, set[str]] = {}
        letters = "abcdefghijklmnopqrstuvwxyz"
        for target in (t.lower() for t in targets):
            variants: set[str] = set()
            n = len(target)
            if n >= 4:
                variants |= {target[:i] + target[i + 1] + target[i] + target[i + 2:] for i in range(n - 1)}
            if n >= 6:
                variants |= {target[:i] + target[i + 1:] for i in range(n)}
            if n >= 5:
                variants |= {target[:i] + c + target[i:] for i in range(n + 1) for c in letters}
            for variant in variants - {target}:
                table.setdefault(variant, set()).add(target)
        return {v: next(iter(t)) for v, t in table.items()
                if len(t) == 1 and v not in self.known and v not in self.never_correct}

    # -- reading a message -------------------------------------------------------------------------

    def tokens(self, text: str) -> list[tuple[str, ...]]:
        """The message as a list of positions, each with the word forms it may be read as."""
        text = unicodedata.normalize("NFKC", text)
        for seq, word in self.multi_emoji.items():
            if seq in text:
                text = text.replace(seq, word)
        text = text.translate(self.emoji).casefold()
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = _SPACED_CONTRACTION.sub(r"\1'\2", text.translate(_APOSTROPHES))
        if "'" in text:
            for pattern, replacement in _CONTRACTIONS:
                text = pattern.sub(replacement, text)
        text = text.replace("&", " and ")
        out: list[tuple[str, ...]] = []
        for raw in _WORD.findall(text):
            out.extend(_read_word(self, raw))
        return out

    def forms(self, word: str) -> tuple[str, ...]:
        """The word and what it may stand for: squeezed (helppp -> help), a dropped g (drinkin -> drinking),
        a z plural (hitz -> hits), an s plural or possessive (babys -> baby), a one-slip misspelling of a key
        word (bbay -> baby). Known words and the never_correct list are read as they are."""
        if word in self.known or word.isdigit() or word in self.never_correct:
            return (word,)
        forms = [word]
        c3 = _collapse3(word)
        squeezed = _squeezings(word)
        for candidate in squeezed:
            if candidate in self.known:
                forms.append(candidate)
            if candidate.endswith("in") and candidate + "g" in self.known:
                forms.append(candidate + "g")  # drinkin -> drinking
        for candidate in (_collapse1(word), _collapse1(word + "g") if word.endswith("in") else ""):
            if candidate in self.collapsed_index:
                forms.append(self.collapsed_index[candidate])  # kil -> kill, hiting -> hitting
        if word.endswith("z") and word[:-1] + "s" in self.known:
            forms.append(word[:-1] + "s")
        if len(word) >= 4 and word.endswith("s") and word[:-1] in self.known:
            forms.append(word[:-1])
        if len(forms) == 1 and not any(self._has_prefix(w) for w in (word, c3)):
            target = (self.fuzzy.get(word) or self.fuzzy.get(c3)
                      or (self.fuzzy.get(word + "g") if word.endswith("in") else None))  # battrin -> battering
            if target:
                forms.append(target)
        return tuple(dict.fromkeys(forms))

    def class_phrases(self) -> dict[int, list[tuple[tuple[int, ...], tuple[str, ...]]]]:
        """First word set -> (the phrase's other word sets, the named word lists it is an entry of), for the second
        net's concepts (compiled at first use)."""
        if self._class_phrases is None:
            table: dict[tuple[int, ...], list[str]] = {}
            for name in sorted(self.classes):
                for phrase in self._class(name, "vocabulary.json"):
                    table.setdefault(phrase, []).append(name)
            index: dict[int, list[tuple[tuple[int, ...], tuple[str, ...]]]] = {}
            for phrase, names in table.items():
                index.setdefault(phrase[0], []).append((phrase[1:], tuple(dict.fromkeys(names))))
            self._class_phrases = index
        return self._class_phrases

    def _has_prefix(self, word: str) -> bool:
        return any(word[:n] in self.prefix_index for n in self.prefix_lengths if n <= len(word))


@lru_cache(maxsize=8192)
def _read_word(compiled: _Compiled, raw: str) -> tuple[tuple[str, ...], ...]:
    """One word of the message -> one or more positions (``im`` -> ``i``, ``am``), each with its forms."""
    if raw in compiled.rewrites:
        return compiled.rewrites[raw]
    if raw not in compiled.known:
        for variant in (_collapse3(raw), _collapse1(raw)):
            if variant in compiled.rewrites:
                return compiled.rewrites[variant]
    if not raw.isdigit() and any(c.isdigit() for c in raw):
        out: list[tuple[str, ...]] = []
        for part in _DIGIT_RUNS.findall(raw):
            out.extend(_read_word(compiled, part) if part != raw else [(part,)])
        return tuple(out)
    return (compiled.forms(raw),)


class _Message:
    """One message, indexed for matching: which positions each word set, phrase and slot matches."""

    def __init__(self, compiled: _Compiled, tokens: Sequence[tuple[str, ...]]) -> None:
        self.c = compiled
        self.length = len(tokens)
        positions: dict[int, list[int]] = {}
        exact_index, prefix_index, lengths = compiled.exact_index, compiled.prefix_index, compiled.prefix_lengths
        for i, forms in enumerate(tokens):
            hit: set[int] = set()
            for form in forms:
                hit.update(exact_index.get(form, ()))
                for n in lengths:
                    if n > len(form):
                        break
                    hit.update(prefix_index.get(form[:n], ()))
            for ws in hit:
                positions.setdefault(ws, []).append(i)
        self.ws_positions = positions
        self.present = frozenset(positions)
        self.ws_sets = {ws: set(p) for ws, p in positions.items()}
        self._slot_spans: dict[int, list[tuple[int, int]]] = {}
        self._framed: bool | None = None

    def slot_spans(self, slot: int) -> list[tuple[int, int]]:
        cached = self._slot_spans.get(slot)
        if cached is not None:
            return cached
        spans: set[tuple[int, int]] = set()
        for phrase in self.c.slots[slot]:
            first = self.ws_positions.get(phrase[0])
            if not first:
                continue
            if len(phrase) == 1:
                spans.update((p, p + 1) for p in first)
                continue
            rest = [self.ws_sets.get(ws) for ws in phrase[1:]]
            if not all(rest):
                continue
            for p in first:
                if all(p + k + 1 in s for k, s in enumerate(rest)):  # type: ignore[operator]
                    spans.add((p, p + len(phrase)))
        result = sorted(spans)
        self._slot_spans[slot] = result
        return result

    def sequence_spans(self, seq: _Sequence) -> list[tuple[int, int]]:
        """Every (start, end) where the sequence matches; for each end, the latest start."""
        items = seq.items
        if any(not item.optional and not self.slot_spans(item.slot) for item in items):
            return []
        # states: end -> (start, extra gap allowed because optional items were skipped)
        states: dict[int, tuple[int, int]] = {e: (s, 0) for s, e in self.slot_spans(items[0].slot)}
        for item in items[1:]:
            ends = sorted(states)
            new: dict[int, tuple[int, int]] = {}
            for s, e in self.slot_spans(item.slot):
                max_allowed = item.gap + max((x for _, x in states.values()), default=0)
                lo = bisect_left(ends, s - max_allowed)
                hi = bisect_right(ends, s)
                best = -1
                for pe in ends[lo:hi]:
                    start, extra = states[pe]
                    if s - pe <= item.gap + extra and start > best:
                        best = start
                if best >= 0 and new.get(e, (-1, 0))[0] < best:
                    new[e] = (best, 0)
            if item.optional:
                for pe, (start, extra) in states.items():
                    skipped = (start, extra + item.gap)
                    if pe not in new or new[pe][0] < start:
                        new[pe] = skipped
            states = new
            if not states:
                return []
        return sorted((start, end) for end, (start, _) in states.items())

    def rule_spans(self, rule: _Rule) -> list[tuple[int, int]]:
        if len(rule.parts) == 1:
            return self.sequence_spans(rule.parts[0])
        spans_per_part = []
        for part in rule.parts:
            spans = self.sequence_spans(part)
            if not spans:
                return []
            spans_per_part.append(spans)
        starts_per_part = [[s for s, _ in spans] for spans in spans_per_part]
        found: list[tuple[int, int]] = []
        for window_start in sorted({s for spans in spans_per_part for s, _ in spans}):
            limit = window_start + rule.within
            end = window_start
            for spans, starts in zip(spans_per_part, starts_per_part, strict=True):
                i = bisect_left(starts, window_start)
                best = None
                while i < len(spans) and spans[i][0] <= limit:
                    if spans[i][1] <= limit and (best is None or spans[i][1] < best):
                        best = spans[i][1]
                    i += 1
                if best is None:
                    break
                end = max(end, best)
            else:
                found.append((window_start, end))
        return found

    def fires(self, rule: _Rule) -> bool:
        if any(self.present.isdisjoint(first_words) for first_words in rule.required):
            return False
        spans = self.rule_spans(rule)
        if not spans:
            return False
        if rule.everything_else is not None and len(self.slot_spans(rule.everything_else)) < self.length:
            return False  # (single words only, so one span per word it matches)
        if any(self.sequence_spans(u) for u in rule.unless):
            return False
        if not rule.unless_near:
            return True
        blockers = [b for u in rule.unless_near for b in self.sequence_spans(u)]
        return any(not any(bs - e <= rule.near and s - be <= rule.near for bs, be in blockers) for s, e in spans)

    def unsure(self, rule: _Rule, *, professional: bool = False) -> bool:
        """Does this rule's finding (it has fired) only call for a check now, not the 999 advice? `professional`:
        the conversation says the writer is a professional telling what they saw of a child in their care."""
        if any(self.sequence_spans(s) for s in rule.sure_if):
            return False
        if rule.check_only or any(self.sequence_spans(u) for u in rule.unsure_if):
            return True
        if professional and rule.seen_by_professional:
            return True
        return self.framed_unsure()

    def holds_class(self, name: str) -> bool:
        """Does the message hold a phrase of this word list (one of NAMED_LISTS)?"""
        sequence = self.c.named.get(name)
        return sequence is not None and bool(self.sequence_spans(sequence))

    def framed_unsure(self) -> bool:
        """The message as a whole is framed as long ago, a story, a joke or a what-if (vocabulary ``every_rule``),
        and says nothing that makes it now."""
        if self._framed is None:
            self._framed = (any(self.sequence_spans(u) for u in self.c.frame_unsure)
                            and not any(self.sequence_spans(s) for s in self.c.frame_sure))
        return self._framed


# --------------------------------------------------------------------------------------------------
# Loading.

def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:  # pragma: no cover - a broken data file
        raise SafetyDataError(f"{path.name}: {exc}") from exc


def data_files(directory: Path = DATA_DIR) -> dict[str, dict[str, Any]]:
    """Every data file by name (the tests read the examples from here)."""
    return {path.name: _read_json(path) for path in sorted(directory.glob("*.json"))}


@lru_cache(maxsize=4)
def _compiled(directory: Path = DATA_DIR) -> _Compiled:
    files = data_files(directory)
    vocabulary = files.pop(VOCABULARY_FILE, None)
    child = files.pop(CHILD_SPEAKING_FILE, None)
    if vocabulary is None or child is None:
        raise SafetyDataError(f"{directory} needs {VOCABULARY_FILE} and {CHILD_SPEAKING_FILE}")
    categories = []
    for name, doc in files.items():
        if "category" not in doc:
            raise SafetyDataError(f"{name}: no category")
        categories.append(doc)
    return _Compiled(vocabulary, categories, child)


def load(directory: Path = DATA_DIR) -> None:
    """Compile the data now (at start-up), so that a broken data file fails loudly before any message."""
    _compiled(directory)


def read_as(text: str, directory: Path = DATA_DIR) -> str:
    """How the screen reads a message, one word per position (its first correction, if any): for tests and the data
    files' examples. Never call this on a real message in a log line."""
    compiled = _compiled(directory)
    message = _prepare(compiled, text)
    return " ".join(_reading(message))


def _reading(tokens: Sequence[tuple[str, ...]]) -> list[str]:
    return [forms[1] if len(forms) > 1 else forms[0] for forms in tokens]


def _raw_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _concepts(message: _Message) -> list[str]:
    """The vocabulary's named word lists the message holds, in order of position (``child``, ``weapon``, ``by the
    neck``...): the net learns "a {weapon} word" as well as the words it saw, so a weapon it never saw still counts."""
    by_first = message.c.class_phrases()
    ws_sets = message.ws_sets
    found: set[tuple[int, str]] = set()
    for ws, positions in message.ws_positions.items():
        for rest, names in by_first.get(ws, ()):
            if not rest:
                found.update((p, name) for p in positions for name in names)
                continue
            sets = [ws_sets.get(w) for w in rest]
            if all(sets):
                found.update((p, name) for p in positions for name in names
                             if all(p + k + 1 in s for k, s in enumerate(sets)))  # type: ignore[operator]
    return [name for _, name in sorted(found)]


NetInput = tuple[list[str], list[str], list[str]]


def net_input(text: str, directory: Path = DATA_DIR) -> NetInput:
    """What the second net (mash.danger_net) reads: the screen's reading of the message, one word per position;
    the message's own words in lower case; the named word lists it holds. For training and the cross-validation
    bench; never logged."""
    compiled = _compiled(directory)
    tokens = _prepare(compiled, text)
    return _reading(tokens), _raw_words(text), _concepts(_Message(compiled, tokens)) if tokens else []


def framed(text: str, directory: Path = DATA_DIR) -> bool:
    """Is the message framed as long ago, a story or a what-if, with nothing that makes it now (vocabulary
    ``every_rule``)? Then a finding of the net is at most a check now. For the cross-validation bench."""
    compiled = _compiled(directory)
    tokens = _prepare(compiled, text)
    return bool(tokens) and _Message(compiled, tokens).framed_unsure()


def _prepare(compiled: _Compiled, text: str) -> list[tuple[str, ...]]:
    tokens = compiled.tokens(text)
    if not tokens or not compiled.neutral:
        return tokens
    message = _Message(compiled, tokens)
    replacements: list[tuple[int, int, tuple[str, ...]]] = []
    for neutral in compiled.neutral:
        replacements.extend((s, e, neutral.becomes) for s, e in message.sequence_spans(neutral.sequence))
    if not replacements:
        return tokens
    out: list[tuple[str, ...]] = []
    position = 0
    for start, end, becomes in sorted(replacements, key=lambda r: (r[0], -r[1])):
        if start < position:
            continue
        out.extend(tokens[position:start])
        out.extend((w,) for w in becomes)
        position = end
    out.extend(tokens[position:])
    return out


# --------------------------------------------------------------------------------------------------
# The screen and its reply.

def screen_each(texts: Iterable[str | None], *, out_of_hours_number: str = DEFAULT_OUT_OF_HOURS_NUMBER,
                professional_says_no_danger: bool = False) -> Screening:
    """Screen each answer of a form on its own and combine the findings: danger anywhere is danger, else a check
    anywhere is a check. A word in one box never joins the next box's words into a rule.

    `professional_says_no_danger`: a professional answered "no" to "Is a child in immediate danger right now?"
    on the same form. Their account then describes what happened, usually before today ("came to school with
    bruising"), so what the rules read as danger now is raised as a check now instead: red, at the top with the
    reds, its reason named for staff, and no 999 page for a teacher who has just told us no one is in danger."""
    found = [screen(text, out_of_hours_number=out_of_hours_number) for text in texts if text]
    dangers = [f for f in found if f.danger]
    if dangers and professional_says_no_danger:
        categories = tuple(dict.fromkeys(c for f in dangers for c in f.categories))
        unsure = tuple(dict.fromkeys([*categories, *(c for f in found for c in f.check_categories)]))
        return Screening(danger=False, check_now=True, check_categories=unsure,
                         check_matched=tuple(m for f in found for m in (*f.matched, *f.check_matched)))
    if dangers:
        first = dangers[0]
        return Screening(danger=True, categories=tuple(dict.fromkeys(c for f in dangers for c in f.categories)),
                         child_speaking=any(f.child_speaking for f in dangers), reply=first.reply,
                         matched=tuple(m for f in dangers for m in f.matched))
    checks = [f for f in found if f.check_now]
    if checks:
        return Screening(danger=False, check_now=True,
                         check_categories=tuple(dict.fromkeys(c for f in checks for c in f.check_categories)),
                         check_matched=tuple(m for f in checks for m in f.check_matched))
    return NO_DANGER


_WITNESS_WORDS = frozenset({"saw", "seen", "watched", "witnessed", "noticed"})
_NOW_WORDS = frozenset({"now", "still", "just", "tonight", "currently", "happening"})


def _net_verdict(message: _Message, tokens: list[tuple[str, ...]], text: str) -> str | None:
    """The second net's finding (mash.danger_net.verdict) on a message, with the screen's frames for it."""
    from mash import danger_net

    reading = _reading(tokens)
    # A witness telling what they saw, with no word that makes it now, is framed like the past for the net:
    # at most a check now ("saw a woman screaming at a little girl in the park", found by the scripted
    # conversations). The rules keep their own frames; this is the net's only.
    witnessed = bool(_WITNESS_WORDS & set(reading)) and not (_NOW_WORDS & set(reading))
    # So is a professional telling what they saw of a child in their care ("pupil came in with bruises"): the
    # child is with them, the harm is before today (vocabulary ``seen_by_professional``; the rules that read
    # hurt list it in their own unsure_if).
    seen = message.holds_class("seen_by_professional") and not message.holds_class("still_now")
    return danger_net.verdict(danger_net.probability(reading, _raw_words(text), _concepts(message)),
                              framed=message.framed_unsure() or witnessed or seen, words=len(reading))


def screen(text: str | None, *, out_of_hours_number: str = DEFAULT_OUT_OF_HOURS_NUMBER,
           directory: Path = DATA_DIR, net: bool = True, professional: bool = False) -> Screening:
    """Screen one inbound message. Deterministic; no network; safe on any input (None, empty, huge).
    `net=False`: the rules alone, without the second net (for the benches that compare the two).
    `professional`: an earlier message of the conversation said the writer is a professional (a teacher whose
    first text said "a pupil came in with bruises", answering "what happened?" with "she says her step dad grabbed
    her"): the rules that read hurt are unsure as they are when the message itself says so ({seen_by_professional});
    still danger now with a {still_now} phrase, and every other rule as it is. Never for harm to the writer ("he
    hits me"), harm to come ("dad will beat her when she gets home"), strangling, or a child not wanting to go home
    or about to be collected: those are read as they would be from anyone (the final review)."""
    if not text or not isinstance(text, str):
        return NO_DANGER
    text = _OD_SPELLINGS.sub("overdosed", text)  # "she od'd": the tokens would read "odd"
    professional = professional and not _STAYS_URGENT.search(text.lower())
    compiled = _compiled(directory)
    tokens = _prepare(compiled, text)
    if not tokens:
        return NO_DANGER
    message = _Message(compiled, tokens)
    fired_rules = [rule for rule in compiled.rules if message.fires(rule)]
    child_speaking = any(message.fires(rule) for rule in compiled.child_rules)
    sure = [rule for rule in fired_rules if not message.unsure(rule, professional=professional)]
    verdict = _net_verdict(message, tokens, text) if net and not sure and (not fired_rules or not professional) \
        else None
    if verdict == DANGER_NOW:
        # The net is sure where no rule was, or where a rule was only unsure (its frame, or a rule that only ever
        # checks): the net's certainty wins over a rule's doubt. A danger-now message a rule reads as a check now is
        # missed, the worst bug here; in the development part's cross-validation this upgraded 4 of 2,611 other
        # messages (0.15%) and no danger-now one was a check alone (docs/benchmarks.md)
        # with the categories of any rule that was unsure, so the advice fits ("...taken more pills": the pills line)
        doubted = {rule.category for rule in fired_rules}
        categories = tuple(c for c in compiled.category_order if c in doubted) + (NET_CATEGORY,)
        ids = tuple(rule.id for rule in fired_rules)
        swallowed = bool(SWALLOWED_RULES & set(ids)) or bool(
            doubted & {"suicide_self_harm", "injury"} and _OVERDOSE.search(text.lower()))
        return Screening(danger=True, categories=categories, child_speaking=child_speaking,
                         reply=advice(categories, child_speaking=child_speaking,
                                      out_of_hours_number=out_of_hours_number, swallowed=swallowed,
                                      crew_there=bool(_CREW_THERE.search(text.lower()))),
                         matched=(NET_DANGER, *ids))
    if verdict == CHECK_NOW and not fired_rules:
        return Screening(danger=False, child_speaking=child_speaking, check_now=True,
                         check_categories=(NET_CATEGORY,), check_matched=(NET_CHECK,))
    if not sure:
        if not fired_rules:
            return Screening(danger=False, child_speaking=child_speaking)
        unsure = {rule.category for rule in fired_rules}
        return Screening(danger=False, child_speaking=child_speaking, check_now=True,
                         check_categories=tuple(c for c in compiled.category_order if c in unsure),
                         check_matched=tuple(rule.id for rule in fired_rules))
    matched = tuple(rule.id for rule in sure)
    fired = {rule.category for rule in sure}
    categories = tuple(c for c in compiled.category_order if c in fired)
    swallowed = bool(SWALLOWED_RULES & set(matched)) or bool(
        fired & {"suicide_self_harm", "injury"} and _OVERDOSE.search(text.lower()))
    return Screening(danger=True, categories=categories, child_speaking=child_speaking,
                     reply=advice(categories, child_speaking=child_speaking, out_of_hours_number=out_of_hours_number,
                                  swallowed=swallowed, crew_there=bool(_CREW_THERE.search(text.lower()))),
                     matched=matched)


def titles(directory: Path = DATA_DIR) -> dict[str, str]:
    """Each danger category's title, in words, from its data file ("Violence happening, threatened or...")."""
    return {**{doc["category"]: doc.get("title", doc["category"]) for doc in data_files(directory).values()
               if "category" in doc}, NET_CATEGORY: NET_TITLE}


_TITLES: dict[str, str] = {}


def category_words(categories: list[str]) -> list[str]:
    """The screen's categories as staff read them, lower case ("a carer drunk or high with a child"), never codes."""
    if not _TITLES:
        _TITLES.update(titles())
    return [_TITLES.get(str(c), str(c).replace("_", " ")).lower() for c in categories]


def describe_flag(flag: str, *, short: bool = False) -> str:
    """A contact's safety flag as staff read it: ``check_now:child_alone`` -> "Check now: ...". Other flags
    (``domestic_abuse``, ``baby_under_one``) come back in plain words. `short`: a few words, for the queue."""
    kind, _, category = flag.partition(":")
    if kind in (DANGER_NOW, CHECK_NOW) and category:
        if not _TITLES:
            _TITLES.update(titles())
        title = _TITLES.get(category, category.replace("_", " ")).lower()
        if short:
            return f"{'Danger now' if kind == DANGER_NOW else 'Check now'}: {title}"
        if kind == DANGER_NOW:
            return f"Danger now: {title}. The person was told to call 999."
        return (f"Check now: {title}? The screen was unsure (it may be past, now and then, said to be safe now, or "
                "a weaker sign), so the person was not told to call 999. Read what they wrote now.")
    return flag.replace("_", " ")


def advice(categories: Iterable[str], *, child_speaking: bool,
           out_of_hours_number: str = DEFAULT_OUT_OF_HOURS_NUMBER, swallowed: bool = False,
           crew_there: bool = False) -> str:
    """The first reply on danger, for SMS: the 999 line first, then what fits the danger and the writer,
    within two GSM-7 segments (lower-priority lines are dropped if a long number would overflow)."""
    categories = set(categories)
    lines = [DANGER_LINE]
    optional: list[str] = [SWALLOWED_LINE] if swallowed else []  # in order of importance
    if "injury" in categories and not crew_there:  # a paramedic on scene is not told to ask for an ambulance
        optional.append(AMBULANCE_LINE)
    if categories & SILENT_CATEGORIES:
        optional.append(SILENT_LINE)
    if child_speaking:
        optional.append(CHILDLINE_LINE)
    else:
        optional.append(OUT_OF_HOURS_LINE.format(number=out_of_hours_number))
        if "suicide_self_harm" in categories:
            optional.append(SAMARITANS_LINE)
    optional.append(URGENT_LINE)
    for line in optional:
        if len(" ".join([*lines, line])) <= SMS_LIMIT:
            lines.append(line)
    return " ".join(lines)
