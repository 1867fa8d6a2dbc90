"""Benchmark (issue 3): `frontdoor audit verify` over 1,000,000 audit events, beside a read-only walk.

For each backend (SQLite file in WAL mode by default; PostgreSQL with --backends) this builds a fresh migrated
database and writes --n fictional audit events, hash-chained exactly as `mash.audit.append` chains them (its own
`_signed_digest`, the same JSON body and HMAC-SHA256 link to the event before, under a bench key), bulk-inserted
with SQLAlchemy Core in batches of 10,000, then sets `audit_head` to the last event. The events are a plausible
mix (created, viewed, claimed, released, checks, decisions, sign-ins) by fictional actors over the past year,
about 70% of them about one of n/50 bulk-inserted contacts; no personal data is in them, as in the real trail.

Then, each in a fresh process (spawned, so its peak memory is its own), alternating --rounds times:

  * baseline: a read-only walk: the same SELECT that verify runs (the same columns, keyset on seq, the same
    batch size, through SQLAlchemy with the same result types), touching every row, without hashing;
  * verify: `mash.audit.verify(session)`, the function behind `frontdoor audit verify`; it must pass and
    check all --n events.

Reported: wall-clock seconds (the median of the rounds), events per second, the walking process's own CPU
seconds (on SQLite that is nearly all the work; on PostgreSQL the server's share is not in it; it is also less
disturbed than wall-clock time by other load on the machine), and peak resident memory (ru_maxrss) of the
process, beside its resident memory just before the walk began. --tracemalloc adds one more untimed verify
per backend under tracemalloc, for the peak of Python's own allocations.

    .venv/bin/python bench/audit_verify.py [--n 1000000] [--batch 5000] [--rounds 2]
                                           [--backends sqlite,postgres] [--tracemalloc]

Nothing personal is printed: only timings, counts and memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

from benchlib import BACKENDS, markdown  # noqa: E402
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select, text, update  # noqa: E402

from store.crypto import EncryptedJSON, EncryptedText, generate_key, keyring  # noqa: E402
from store.db import make_engine, make_sessionmaker  # noqa: E402
from store.migrate import upgrade  # noqa: E402

AUDIT_KEY = "bench:" + "k" * 40  # a throwaway key for a throwaway trail; the walks get it by name
WRITE_BATCH = 10_000
EVENTS = (  # (event, share, details maker, reason) -- fictional and free of personal data, as the real trail is
    ("contact.created", 10, lambda r: {"channel": r.choice(("web", "sms", "chat", "police", "phone"))}, None),
    ("contact.viewed", 40, lambda r: {}, None),
    ("contact.claimed", 12, lambda r: {}, None),
    ("contact.released", 4, lambda r: {}, None),
    ("check.asked", 10, lambda r: {"agency": r.choice(("police", "health", "education", "housing"))}, None),
    ("check.returned", 8, lambda r: {"agency": r.choice(("police", "health", "education", "housing"))}, None),
    ("decision.recorded", 5, lambda r: {"outcome": "early_help", "level": r.randint(1, 4)},
     "Level of need set from the indicators recorded"),
    ("decision.signed_off", 4, lambda r: {"decision_id": r.randint(1, 50_000)}, None),
    ("staff.signed_in", 7, lambda r: {}, None),
)


# --- databases ------------------------------------------------------------------------------------------------



# --- writing the trail ----------------------------------------------------------------------------------------

def seed_contacts(engine, n: int, now: dt.datetime) -> None:
    """n minimal open contacts for the events to be about (the foreign key wants them)."""
    from mash.models import Contact

    columns = [Column(c.name, Text() if isinstance(c.type, (EncryptedText, EncryptedJSON)) else c.type,
                      primary_key=c.primary_key)
               for c in Contact.__table__.columns]
    table = Table("contacts", MetaData(), *columns)
    token = keyring.encrypt("{}")
    rows = [{"reference": f"FD-2026-{i:06d}", "kind": "concern", "channel": "web", "status": "new",
             "received_at": now, "decision_due_at": now + dt.timedelta(days=1), "rag": "green", "risk_rank": 2,
             "safety_flags": [], "concern_categories": [], "referral_source": "2A", "referrer_type": "professional",
             "referrer_anonymous": False, "answers": token, "journey": "report", "version": 1}
            for i in range(1, n + 1)]
    with engine.begin() as conn:
        for start in range(0, n, WRITE_BATCH):
            conn.execute(insert(table), rows[start:start + WRITE_BATCH])


def write_trail(engine, n: int, seed: int = 3) -> str:
    """n chained events, signed here exactly as mash.audit.append signs them; returns the last hash."""
    from mash.audit import GENESIS, _signed_digest, configured_keys
    from mash.models import AuditEvent, AuditHead

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    contacts = max(1, n // 50)
    seed_contacts(engine, contacts, now)
    kinds = [e for e, *_ in EVENTS]
    weights = [w for _, w, *_ in EVENTS]
    makers = {e: (make, reason) for e, _, make, reason in EVENTS}
    at = now - dt.timedelta(days=365)
    step = dt.timedelta(days=365) / n
    prev_hash = GENESIS
    key_id, key = configured_keys().signing
    table = AuditEvent.__table__
    with engine.begin() as conn:
        batch: list[dict] = []
        for seq in range(1, n + 1):
            at += step
            event = rng.choices(kinds, weights)[0]
            make, reason = makers[event]
            details = make(rng)
            actor = "system:intake" if event == "contact.created" else f"staff:{rng.randint(1, 40)}"
            contact_id = rng.randint(1, contacts) if event != "staff.signed_in" and rng.random() < 0.7 else None
            digest = _signed_digest(key_id, key, prev_hash, seq, at, event, actor, contact_id, reason, details)
            batch.append({"seq": seq, "at": at, "event": event, "actor": actor, "contact_id": contact_id,
                          "reason": reason, "details": details, "prev_hash": prev_hash, "hash": digest,
                          "key_id": key_id})
            prev_hash = digest
            if len(batch) == WRITE_BATCH:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
        conn.execute(update(AuditHead.__table__).where(AuditHead.__table__.c.id == 1)
                     .values(seq=n, last_hash=prev_hash))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE audit_events"))  # as autovacuum would, after a million inserts
    return prev_hash


# --- the two walks, each in its own process ------------------------------------------------------------------

def _rss_mib() -> float:
    """This process's resident memory now, from /proc (Linux), in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def baseline_walk(session, batch: int) -> int:
    """verify's own SELECT, batch by batch, every row touched, nothing hashed."""
    from mash.models import AuditEvent

    expected_seq, seen = 1, 0
    while True:
        rows = session.execute(
            select(AuditEvent.id, AuditEvent.seq, AuditEvent.at, AuditEvent.event, AuditEvent.actor,
                   AuditEvent.contact_id, AuditEvent.reason, AuditEvent.details, AuditEvent.prev_hash,
                   AuditEvent.hash)
            .where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return seen
        for r in rows:
            if r.seq != expected_seq or not r.prev_hash or not r.hash:
                raise RuntimeError(f"unexpected row at {expected_seq}")
            expected_seq, seen = r.seq + 1, seen + 1


def walk(case: str, url: str, fernet_key: str, batch: int, n: int, traced: bool, out) -> None:
    """Runs in a spawned process: one timed walk, then its figures on `out`."""
    import tracemalloc

    from mash import audit

    keyring.configure([fernet_key], "bench-blind-index-key-" + "x" * 20)
    audit.configure_keys([AUDIT_KEY])
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    with sessionmaker() as dbs:  # connect and warm the statement cache outside the timing
        dbs.scalar(select(func.count()).select_from(text("audit_head")))
    before = _rss_mib()
    if traced:
        tracemalloc.start()
    with sessionmaker() as dbs:
        start, cpu_start = time.perf_counter(), time.process_time()
        if case == "verify":
            result = audit.verify(dbs, batch=batch)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            if not result.ok or result.checked != n:
                raise RuntimeError(f"verify did not pass: {result}")
            checked = result.checked
        else:
            checked = baseline_walk(dbs, batch)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    engine.dispose()
    out.put({"case": case, "seconds": elapsed, "cpu": cpu, "checked": checked, "rss_before": before,
             "peak": _peak_mib(), "traced_peak": traced_peak})


def in_process(case: str, url: str, fernet_key: str, batch: int, n: int, traced: bool = False) -> dict:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=walk, args=(case, url, fernet_key, batch, n, traced, out))
    proc.start()
    try:
        result = out.get(timeout=3600)
    except Exception:
        proc.join(5)
        raise RuntimeError(f"the {case} process failed (exit code {proc.exitcode})") from None
    proc.join()
    return result


# --- measuring ------------------------------------------------------------------------------------------------

CASES = (("baseline", "baseline: read-only walk, no hashing"), ("verify", "audit.verify (frontdoor audit verify)"))


@dataclass
class Result:
    backend: str
    case: str
    n: int
    batch: int
    seconds: list[float]
    cpu_seconds: list[float]
    rss_before: float
    peak: float
    traced_peak: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_seconds)


def run_backend(backend: str, n: int, batch: int, rounds: int, traced: bool) -> list[Result]:
    fernet_key = generate_key()
    keyring.configure([fernet_key], "bench-blind-index-key-" + "x" * 20)
    from mash import audit

    audit.configure_keys([AUDIT_KEY])
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        write_trail(engine, n)
        with engine.connect() as conn:
            stored = conn.scalar(text("SELECT count(*) FROM audit_events"))
            size = (conn.scalar(text("SELECT pg_total_relation_size('audit_events')")) / 2**20
                    if backend == "postgres" else os.path.getsize(Path(tmp) / "frontdoor.db") / 2**20)
        engine.dispose()
        if stored != n:
            raise RuntimeError(f"expected {n} events, found {stored}")
        print(f"  {backend}: wrote {n:,} chained events in {time.perf_counter() - started:.1f} s "
              f"({'audit_events table' if backend == 'postgres' else 'database file'} {size:,.0f} MiB)",
              file=sys.stderr)
        figures: dict[str, list[dict]] = {case: [] for case, _ in CASES}
        for i in range(rounds):  # alternate, so both walks see the same machine and the same cache
            for case, _ in CASES:
                got = in_process(case, url, fernet_key, batch, n)
                if got["checked"] != n:
                    raise RuntimeError(f"{case} saw {got['checked']} events, expected {n}")
                figures[case].append(got)
                print(f"  {backend}: round {i + 1}: {case} {got['seconds']:.2f} s ({got['cpu']:.2f} s CPU), "
                      f"peak RSS {got['peak']:.0f} MiB", file=sys.stderr)
        traced_peak = in_process("verify", url, fernet_key, batch, n, traced=True)["traced_peak"] if traced else None
    results = []
    for case, label in CASES:
        runs = figures[case]
        results.append(Result(backend, label, n, batch, [r["seconds"] for r in runs],
                              [r["cpu"] for r in runs],
                              statistics.median(r["rss_before"] for r in runs), max(r["peak"] for r in runs),
                              traced_peak if case == "verify" else None))
    return results


def table(results: list[Result]) -> str:
    header = ("backend", "case", "events", "batch", "rounds", "seconds (median)", "events / s", "time / baseline",
              "client CPU s", "CPU / baseline", "RSS before walk MiB", "peak RSS MiB")
    if any(r.traced_peak is not None for r in results):
        header += ("tracemalloc peak MiB",)
    rows = [header]
    for r in results:
        base = next(b for b in results if b.backend == r.backend and b.case.startswith("baseline"))
        row = (r.backend, r.case, f"{r.n:,}", f"{r.batch:,}", str(len(r.seconds)), f"{r.median:.2f}",
               f"{r.n / r.median:,.0f}", "-" if r is base else f"{r.median / base.median:.2f}x",
               f"{r.cpu_median:.2f}", "-" if r is base else f"{r.cpu_median / base.cpu_median:.2f}x",
               f"{r.rss_before:.0f}", f"{r.peak:.0f}")
        if len(header) > len(row):
            row += ("-" if r.traced_peak is None else f"{r.traced_peak:.1f}",)
        rows.append(row)
    return markdown(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="audit events to write and verify (1000000)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per SELECT, as verify's default (5000)")
    parser.add_argument("--rounds", type=int, default=2, help="timed walks per case, alternating (2)")
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="one more, untimed verify under tracemalloc for Python's peak allocations")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends or args.n < 1 or args.batch < 1 or args.rounds < 1:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --n, --batch and --rounds >= 1")

    print(f"Audit verify: {args.n:,} events, batches of {args.batch:,}, {args.rounds} rounds "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    results: list[Result] = []
    for backend in backends:
        results.extend(run_backend(backend, args.n, args.batch, args.rounds, args.tracemalloc))
    print()
    print(table(results))
    print()
    for backend in backends:
        base, ver = (r for r in results if r.backend == backend)
        print(f"{backend}: verify checks {args.n / ver.median:,.0f} events/s, {ver.median / base.median:.1f}x the "
              f"read-only walk; the chain passed every time.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
