"""Benchmark (issue 6): importing 10,000 police notifications from CSV — time and peak memory.

Writes a CSV of N fictional notifications (default 10,000: 85% domestic abuse, 15% missing-child episodes;
addresses and children drawn from a pool a third the size, so household matching, MARAC counting and routing
all find earlier notifications; 1% of rows malformed, so the error path is exercised), then loads it into a
fresh migrated database with mash.police.import_csv, exactly as `frontdoor partners import` and the staff upload
do. Two runs, each on a fresh database:

  * timed: wall time and rows per second, and the process's peak RSS (resource.getrusage) before and after;
  * traced: the same import under tracemalloc, for the Python heap's peak (slower; its time is not reported).

    .venv/bin/python bench/police_import.py [--rows 10000] [--backends sqlite,postgres] [--no-trace]

Nothing personal is printed: the data is fictional and only counts, timings and sizes are shown.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")

from benchlib import BACKENDS, markdown  # noqa: E402

from mash import audit  # noqa: E402
from store.crypto import generate_key, keyring  # noqa: E402
from store.db import make_engine, make_sessionmaker  # noqa: E402
from store.migrate import upgrade  # noqa: E402

FIRST = ("Amy", "Ben", "Cara", "Dev", "Ella", "Finn", "Gus", "Hana", "Isla", "Jay", "Kai", "Lena", "Mo", "Nia")
LAST = ("Adams", "Brook", "Clarke", "Dunn", "Evans", "Fox", "Green", "Hill", "Iqbal", "Jones", "Khan", "Lowe")
STREETS = ("Elm Road", "Ash Close", "Birch Way", "Cedar Street", "Oak Lane", "Willow Drive", "Maple Court")


def write_csv(path: Path, rows: int, now: dt.datetime, seed: int = 6) -> int:
    """N fictional notifications; returns how many rows were made malformed on purpose."""
    from mash.police import CSV_COLUMNS

    rng = random.Random(seed)
    pool = max(1, rows // 3)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for i in range(rows):
            h = rng.randrange(pool)  # the household: its address and its children
            address = f"{h % 200 + 1} {STREETS[h % len(STREETS)]}, Reading"
            postcode = f"RG{h % 40 + 1} {h % 9 + 1}{chr(65 + h % 26)}{chr(65 + (h // 26) % 26)}"
            last = LAST[h % len(LAST)]
            kids = [(FIRST[(h + k) % len(FIRST)], last,
                     f"{2010 + (h + k) % 14}-{(h % 12) + 1:02d}-{(k * 7 + h) % 28 + 1:02d}")
                    for k in range(h % 3 + 1)]
            occurred = now - dt.timedelta(minutes=rng.randrange(1, 60 * 24 * 300))
            summary = "Fictional incident for the benchmark. " * rng.randint(1, 6)
            if rng.random() < 0.15:
                went = occurred.strftime("%Y-%m-%dT%H:%M")
                back = (occurred + dt.timedelta(hours=rng.randint(2, 60)))
                back_text = back.strftime("%Y-%m-%dT%H:%M") if back < now and rng.random() < 0.8 else ""
                first, surname, dob = kids[0]
                row = ["missing", f"BENCH/MP/{i:06d}", went, back_text, "found" if back_text else "", address,
                       postcode, "", f"{first}|{surname}|{dob}", "", "", "", summary]
            else:
                ticks = rng.choice((2, 5, 8, 10, 12, 14, 16))
                grade = "high" if ticks >= 14 else ("medium" if ticks >= 10 else "standard")
                children = ";".join(f"{a}|{b}|{c}|{rng.choice(('present', 'witnessed'))}" for a, b, c in kids)
                row = ["domestic_abuse", f"BENCH/DA/{i:06d}", occurred.strftime("%Y-%m-%dT%H:%M"), "", "", address,
                       postcode, f"Adult {h}|victim;Adult {h + 1}|suspect", children, grade, str(ticks),
                       rng.choice(("yes", "no", "unknown")), summary]
            if rng.random() < 0.01:  # a malformed row: an unknown DASH grade or a date in the future
                bad += 1
                if row[0] == "domestic_abuse":
                    row[9] = "severe"
                else:
                    row[2] = "2099-01-01T00:00"
            writer.writerow(row)
    return bad


def load(url: str, path: Path, trace: bool) -> tuple[object, float, int | None]:
    from mash.police import import_csv

    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        gc.collect()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        with sessions() as session, path.open(encoding="utf-8", newline="") as lines:
            report = import_csv(session, lines, source="csv:bench", actor="system:bench")
        elapsed = time.perf_counter() - started
        peak = None
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return report, elapsed, peak
    finally:
        engine.dispose()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if any(b not in BACKENDS for b in backends) or args.rows < 1:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --rows >= 1")
    keyring.configure([generate_key()], "bench-blind-index-" + uuid.uuid4().hex)
    audit.configure_keys(["bench:" + uuid.uuid4().hex * 2])
    now = dt.datetime.now(dt.UTC)
    table = [("backend", "rows", "added", "refused", "time s", "rows/s", "peak RSS MB (before → after)",
              "tracemalloc peak MB")]
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp:
        csv_path = Path(tmp) / "notifications.csv"
        bad = write_csv(csv_path, args.rows, now)
        print(f"Police CSV import: {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB, {bad} malformed on "
              f"purpose; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="fd_bench_db_") as dbdir, BACKENDS[backend](Path(dbdir)) as url:
                upgrade(url)
                before = max_rss_mb()
                report, elapsed, _ = load(url, csv_path, trace=False)
                after = max_rss_mb()
            print(f"  {backend}: {report.summary()} in {elapsed:.1f} s", file=sys.stderr)
            if len(report.errors) != bad:
                raise RuntimeError(f"expected {bad} refused rows, got {len(report.errors)}")
            peak_text = "-"
            if not args.no_trace:
                with tempfile.TemporaryDirectory(prefix="fd_bench_db_") as dbdir, \
                        BACKENDS[backend](Path(dbdir)) as url:
                    upgrade(url)
                    _, _, peak = load(url, csv_path, trace=True)
                peak_text = f"{peak / 1e6:.1f}"
            table.append((backend, f"{args.rows:,}", f"{report.created:,}", f"{len(report.errors):,}",
                          f"{elapsed:.1f}", f"{args.rows / elapsed:,.0f}", f"{before:.0f} → {after:.0f}", peak_text))
    print()
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
