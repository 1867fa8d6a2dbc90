"""Benchmark (issues 6 and 14): 10,000 police notifications by CSV and by the partner API, against a baseline.

Writes a CSV of N fictional notifications (default 10,000: 85% domestic abuse, 15% missing-child episodes;
addresses and children drawn from a pool a third the size, so household matching, MARAC counting and routing
all find earlier notifications; 1% of rows malformed, so the error path is exercised), then loads it into a
fresh migrated database with mash.police.import_csv, exactly as `frontdoor partners import` and the staff upload
do. Each case on a fresh database, in the same run, so the machine's load is shared alike:

  * baseline: the CSV import as it was before issue 14 (mash/police.py at BASELINE_REV, read from git): no
    schema, a hand-written recovery parser, values shortened;
  * csv: today's import (the JSON Schema and the standard csv reader), with the process's peak RSS;
  * api: the same notifications posted one by one to POST /api/police/notifications through the Flask app;
  * traced (unless --no-trace): today's CSV import under tracemalloc, for the Python heap's peak.

    .venv/bin/python bench/police_import.py [--rows 10000] [--backends sqlite,postgres] [--no-trace] [--no-api]

Nothing personal is printed: the data is fictional and only counts, timings and sizes are shown.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import importlib.util
import os
import random
import resource
import subprocess
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
BASELINE_REV = "a00171d"  # the last commit with the single-file mash/police.py, before issue 14
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code may use (the import now checks them)
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
            postcode = f"RG{h % 40 + 1} {h % 9 + 1}{INWARD[h % 20]}{INWARD[(h // 20) % 20]}"
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


def baseline_module() -> object | None:
    """mash/police.py as it was at BASELINE_REV, imported under another name; None without git history."""
    found = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_REV}:mash/police.py"], capture_output=True,
                           text=True)
    if found.returncode != 0:
        return None
    path = Path(tempfile.mkdtemp(prefix="fd_bench_baseline_")) / "police_baseline.py"
    path.write_text(found.stdout, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("police_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["police_baseline"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    # Its ChildIn predates the NHS number and UPN that mash.missing now reads: absent is None.
    module.ChildIn.nhs_number = None  # type: ignore[attr-defined]
    module.ChildIn.upn = None  # type: ignore[attr-defined]
    return module


def load(url: str, path: Path, trace: bool, importer: object = None) -> tuple[object, float, int | None]:
    from mash import police

    import_csv = (importer or police).import_csv
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


def post_all(url: str, path: Path, workdir: Path) -> tuple[int, int, float]:
    """Every row of the file as the partner's JSON, posted one by one: (201s, 400s, seconds)."""
    from mash.police import create_partner, row_to_data
    from portal import create_app
    from portal import db as portal_db

    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench-" + uuid.uuid4().hex, "FIELD_ENCRYPTION_KEYS": [generate_key()],
        "BLIND_INDEX_KEY": "bench-blind-index-" + uuid.uuid4().hex,
        "AUDIT_HMAC_KEYS": ["bench:" + uuid.uuid4().hex * 2], "DATABASE_URL": url,
        "INSTANCE_PATH": str(workdir / "instance"), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "FORCE_HTTPS": False, "SESSION_COOKIE_SECURE": False})
    with path.open(encoding="utf-8", newline="") as f:
        bodies = [row_to_data(row) for row in csv.DictReader(f)]
    with app.app_context():
        session = portal_db.session()
        _, token = create_partner(session, "Bench Police")
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    created = refused = 0
    gc.collect()
    started = time.perf_counter()
    for body in bodies:
        status = client.post("/api/police/notifications", json=body, headers=headers).status_code
        created += status == 201
        refused += status == 400
    return created, refused, time.perf_counter() - started


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--no-api", action="store_true", help="skip posting the notifications to the API")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if any(b not in BACKENDS for b in backends) or args.rows < 1:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --rows >= 1")
    keyring.configure([generate_key()], "bench-blind-index-" + uuid.uuid4().hex)
    audit.configure_keys(["bench:" + uuid.uuid4().hex * 2])
    now = dt.datetime.now(dt.UTC)
    table = [("backend", "case", "rows", "added", "refused", "time s", "rows/s", "vs baseline",
              "peak RSS MB (before → after)", "tracemalloc peak MB")]
    baseline = baseline_module()
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp:
        csv_path = Path(tmp) / "notifications.csv"
        bad = write_csv(csv_path, args.rows, now)
        print(f"Police notifications: {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB, {bad} malformed "
              f"on purpose; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; baseline {BASELINE_REV}"
              f"{'' if baseline else ' unavailable (no git history)'})", file=sys.stderr)
        for backend in backends:
            base_s = None
            if baseline is not None:
                with tempfile.TemporaryDirectory(prefix="fd_bench_db_") as dbdir, \
                        BACKENDS[backend](Path(dbdir)) as url:
                    upgrade(url)
                    report, base_s, _ = load(url, csv_path, trace=False, importer=baseline)
                print(f"  {backend} baseline: {report.summary()} in {base_s:.1f} s", file=sys.stderr)
                table.append((backend, f"CSV, baseline {BASELINE_REV}", f"{args.rows:,}", f"{report.created:,}",
                              f"{len(report.errors):,}", f"{base_s:.1f}", f"{args.rows / base_s:,.0f}", "1.00",
                              "-", "-"))
            with tempfile.TemporaryDirectory(prefix="fd_bench_db_") as dbdir, BACKENDS[backend](Path(dbdir)) as url:
                upgrade(url)
                before = max_rss_mb()
                report, elapsed, _ = load(url, csv_path, trace=False)
                after = max_rss_mb()
            print(f"  {backend} csv: {report.summary()} in {elapsed:.1f} s", file=sys.stderr)
            if len(report.errors) != bad:
                raise RuntimeError(f"expected {bad} refused rows, got {len(report.errors)}: {report.errors[:3]}")
            peak_text = "-"
            if not args.no_trace:
                with tempfile.TemporaryDirectory(prefix="fd_bench_db_") as dbdir, \
                        BACKENDS[backend](Path(dbdir)) as url:
                    upgrade(url)
                    _, _, peak = load(url, csv_path, trace=True)
                peak_text = f"{peak / 1e6:.1f}"
            ratio = f"{elapsed / base_s:.2f}" if base_s else "-"
            table.append((backend, "CSV, now", f"{args.rows:,}", f"{report.created:,}", f"{len(report.errors):,}",
                          f"{elapsed:.1f}", f"{args.rows / elapsed:,.0f}", ratio, f"{before:.0f} → {after:.0f}",
                          peak_text))
            if not args.no_api:
                with tempfile.TemporaryDirectory(prefix="fd_bench_db_") as dbdir, \
                        BACKENDS[backend](Path(dbdir)) as url:
                    upgrade(url)
                    created, refused, api_s = post_all(url, csv_path, Path(dbdir))
                print(f"  {backend} api: {created:,} created, {refused:,} refused in {api_s:.1f} s", file=sys.stderr)
                if refused != bad:
                    raise RuntimeError(f"expected {bad} refused posts, got {refused}")
                table.append((backend, "API, one POST each", f"{args.rows:,}", f"{created:,}", f"{refused:,}",
                              f"{api_s:.1f}", f"{args.rows / api_s:,.0f}",
                              f"{api_s / base_s:.2f}" if base_s else "-", "-", "-"))
    print()
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
