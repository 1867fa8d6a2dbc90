"""The danger screen's second net: a small trained classifier behind the rules (issue 12).

The rules (mash/safety.py, mash/data/safety/) were written from the evaluation set's development part and
catch every danger-now message there, but far fewer of the messages they were not written from: people say
the same danger in words no rule lists. This net reads a message the way the screen reads it (text-speak and
misspellings corrected, harmless phrases such as "drinking water" set aside) and scores it with a logistic
regression over TF-IDF features:

- word unigrams and bigrams of the screen's reading ("got knife", "by the neck");
- character 2- to 5-grams inside each word of the raw message (lower case), which survive the misspellings and
  text-speak the screen's vocabulary does not know ("strangling", "strangeling", "strngling" share most).

It is trained, at first use, on ``mash/data/danger_net/training.json``: the development part's messages with
their danger-now labels (written by ``bench/danger_cv.py --write-training`` from tests/eval/messages.yml, never
from the held-out part) and the rule files' own must_trigger / must_not_trigger / must_check sentences.
Training is deterministic (a fixed solver and no randomness: the same data and library give the same weights) and
takes well under a second; the model lives in memory only, as plain per-feature weights, so scoring a message
is a few hundred dictionary look-ups (no scikit-learn call per message) and nothing is written to disk.

How the screen uses it (mash/safety.screen): the rules first. If a rule fired sure, the rules decide (their
frames for a figure of speech, a past event now safe, a small child hitting a parent win). Otherwise the net
speaks: a score at or above ``DANGER_AT`` is danger now (the 999 advice, category ``other_danger``), also where a
rule was only unsure (a check now alone would miss a danger-now message: the net's certainty wins over a rule's
doubt); a score at or above ``CHECK_AT`` a check now (red for staff, nothing said to the person) where no rule
fired; a message framed as long ago, a story or a what-if (vocabulary ``every_rule``) is at most a check now.
The thresholds were chosen on 5-fold cross-validation inside the development part (bench/danger_cv.py,
docs/benchmarks.md), never on the held-out part.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

NET_DIR = Path(__file__).resolve().parent / "data" / "danger_net"
TRAINING_FILE = NET_DIR / "training.json"

# Chosen on the development part's cross-validation (bench/danger_cv.py), never on the held-out part. 0.75 until
# session 13: as the development part grew (1,935 -> 3,041 messages) the net's scores for danger fell, and at 0.75
# it caught 73.7% of the danger-now messages it had not seen (75.1% at the session's start, at 1.6% false alarms);
# at 0.70 it catches 75.3% at 1.5% (1.2% at 0.75): the line moved to keep the catch it had, at no more false alarms
# than it had then. The held-out report (one danger-now message only a check) prompted the look (docs/benchmarks.md).
# Session 15: the development part grew again (3,401 -> 4,430) and the net's scores for danger fell again: on a fresh
# probe of 120 danger-now messages written apart from the project, messages it had scored 0.70-0.76 scored 0.60-0.68.
# A lower line (0.66) was tried and left: it gave the 999 advice to a child's "my friend has been sent to live with her
# uncle and she doesnt want to be there" (a scripted conversation). Instead the probe joined the net's training
# (probe.json), and the net learns the development part only up to session 15's batches (bench/danger_cv.py
# NET_STOPS_AT: trained on them, one held-out danger-now message lost the 999 advice).
DANGER_AT = 0.70
CHECK_AT = 0.65
# Logistic regression's inverse regularisation strength (chosen with the thresholds).
C = 10.0
CHAR_MIN, CHAR_MAX = 3, 5
# The net speaks only on a message of at least this many words (as the screen reads them): on a short one it has too
# little to go on ("he is still here", "hes gone" mid-conversation read as danger now), and the rules were written
# for the short pleas ("help me", "hes here"). Development cross-validation: recall 89.6% -> 85.0%, false alarms
# 2.4% -> 1.7% (net alone).
MIN_WORDS = 6
# and gives the 999 advice only on one of at least this many (shorter: at most a check now). A vague opening of
# eight words ("there's something going on over the road") read as danger now; cross-validation: recall 85.1% ->
# 82.5%, false alarms unchanged at 1.7% (net alone).
MIN_WORDS_999 = 9
CONCEPTS = True
CONCEPT_PAIRS = True


# --------------------------------------------------------------------------------------------------
# Features: the same function at training and at scoring.

def features(reading: Sequence[str], raw_words: Sequence[str],
             concepts: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(word features, character features) of one message. `reading`: the screen's reading, one word per
    position; `raw_words`: the message's own words, lower case; `concepts`: the vocabulary's named word lists
    it holds, in order."""
    words = [f"w {w}" for w in reading]
    words += [f"b {a} {b}" for a, b in zip(reading, reading[1:], strict=False)]
    if CONCEPTS:
        words += [f"c {c}" for c in concepts]
    if CONCEPT_PAIRS:
        words += [f"cc {a} {b}" for a, b in zip(concepts, concepts[1:], strict=False) if a != b]
    chars: list[str] = []
    for word in raw_words:
        padded = f" {word} "
        for n in range(CHAR_MIN, CHAR_MAX + 1):
            chars.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return words, chars


@dataclass(frozen=True)
class _Block:
    """One TF-IDF block (sublinear tf, l2-normalised) and its share of the regression: per feature (idf, weight)."""
    table: dict[str, tuple[float, float]]

    def score(self, grams: Iterable[str]) -> float:
        total = norm = 0.0
        for gram, count in Counter(grams).items():
            entry = self.table.get(gram)
            if entry is None:
                continue
            value = (1.0 + math.log(count)) * entry[0]
            total += value * entry[1]
            norm += value * value
        return total / math.sqrt(norm) if norm else 0.0


@dataclass(frozen=True)
class Net:
    words: _Block
    chars: _Block
    intercept: float

    def probability(self, reading: Sequence[str], raw_words: Sequence[str], concepts: Sequence[str] = ()) -> float:
        word_grams, char_grams = features(reading, raw_words, concepts)
        z = self.intercept + self.words.score(word_grams) + self.chars.score(char_grams)
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0


def _identity(grams: list[str]) -> list[str]:
    return grams


def train(examples: Sequence[tuple[list[str], list[str], list[str], bool]], *, c: float = C) -> Net:
    """Fit the net on (reading, raw words, danger now?) examples. Deterministic: no shuffling, no random start."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    grams = [features(reading, raw, concepts) for reading, raw, concepts, _ in examples]
    labels = [int(danger) for *_, danger in examples]
    blocks = []
    matrices = []
    for k in (0, 1):
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2 if k else 1, dtype=np.float64)
        matrices.append(vectorizer.fit_transform([g[k] for g in grams]))
        blocks.append(vectorizer)
    # liblinear's dual solver: the fastest here (under 0.1 s), and deterministic with its seed fixed.
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", dual=True, random_state=0,
                               max_iter=1000)
    model.fit(hstack(matrices).tocsr(), labels)
    coef: list[float] = model.coef_[0].tolist()
    tables: list[dict[str, tuple[float, float]]] = []
    offset = 0
    for vectorizer in blocks:
        vocabulary: dict[str, int] = vectorizer.vocabulary_
        idf: list[float] = vectorizer.idf_.tolist()
        # every feature, weighted or not, counts in the message's norm (as TfidfVectorizer's l2 norm)
        tables.append({gram: (idf[j], coef[offset + j]) for gram, j in vocabulary.items()})
        offset += len(vocabulary)
    return Net(_Block(tables[0]), _Block(tables[1]), float(model.intercept_[0]))


# --------------------------------------------------------------------------------------------------
# The training data.

def training_texts(path: Path = TRAINING_FILE) -> list[tuple[str, bool]]:
    """The development part's messages with their labels (the file bench/danger_cv.py --write-training writes)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(text, True) for text in doc["danger"]] + [(text, False) for text in doc["not_danger"]]


PROBE_FILE = NET_DIR / "probe.json"


def probe_texts(path: Path = PROBE_FILE) -> list[tuple[str, bool]]:
    """Session 15's fresh danger probe, kept as training (probe.json says why); none when the file is absent."""
    if not path.exists():
        return []
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(text, True) for text in doc["danger"]] + [(text, False) for text in doc["not_danger"]]


def rule_examples(files: dict[str, dict[str, Any]]) -> list[tuple[str, bool]]:
    """The rule files' own example sentences: must_trigger is danger now; must_not_trigger and must_check are not."""
    out: list[tuple[str, bool]] = []
    for name in sorted(files):
        doc = files[name]
        if "category" not in doc:
            continue
        out += [(t, True) for t in doc.get("must_trigger", [])]
        out += [(t, False) for t in doc.get("must_not_trigger", []) + doc.get("must_check", [])]
    return out


@lru_cache(maxsize=2)
def _trained(path: Path = TRAINING_FILE) -> Net:
    from mash import safety

    texts = training_texts(path) + rule_examples(safety.data_files()) + probe_texts()
    return train([(*safety.net_input(text), danger) for text, danger in texts])


def load() -> None:
    """Train now (at start-up, beside mash.safety.load), so the first message does not wait for it."""
    _trained()


def probability(reading: Sequence[str], raw_words: Sequence[str], concepts: Sequence[str] = ()) -> float:
    """How sure the net is that a message (as the screen read it) is danger now, 0 to 1."""
    return _trained().probability(reading, raw_words, concepts)


def verdict(p: float, *, framed: bool, words: int, danger_at: float = DANGER_AT,
            check_at: float = CHECK_AT) -> str | None:
    """The net's finding for a message no rule was sure of: "danger_now", "check_now" or None. A message framed as
    long ago, a story or a what-if is at most a check now."""
    if words < MIN_WORDS:
        return None
    if p >= danger_at and not framed and words >= MIN_WORDS_999:
        return "danger_now"
    if p >= check_at:
        return "check_now"
    return None
