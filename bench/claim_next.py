"""Benchmark (issue 3): "take the next contact" with 8 concurrent workers on PostgreSQL, beside a bare-UPDATE baseline.

Each run gets a fresh migrated database with --n unclaimed, open contacts (fictional, bulk-inserted with
SQLAlchemy Core: red 10%, amber 30%, green 60%, received over the last six weeks) and one practitioner per
worker. Then, with every worker released at once:

  * claim_next, 8 workers: each thread has its own session and its own practitioner, and calls
    `mash.claims.claim_next` then commits, in a loop, until nothing is left to claim (SELECT ... FOR UPDATE
    SKIP LOCKED on PostgreSQL, the conditional UPDATE and the `contact.claimed` audit event);
  * claim_next, 1 worker: the same loop on one thread, for comparison;
  * baseline, 8 workers: each thread runs `UPDATE contacts SET version = version WHERE id = :id` and commits,
    over its own pre-assigned share of the same number of contacts: the same number of row updates and
    commits with no choosing, no contention logic and no audit event.

Afterwards every claim run is checked: each contact is claimed, each by exactly one practitioner (distinct
actors of its `contact.claimed` events), there are exactly as many `contact.claimed` events as contacts, and
the audit chain verifies. The three cases take turns, --rounds times, each on a fresh database. Reported:
the median total time, operations per second, the latency of one operation (claim_next and its commit), and
how often a worker came away empty-handed (claim_next returned None) while contacts were still left to claim;
such a worker looks again, as a practitioner pressing "next" again would.

    .venv/bin/python bench/claim_next.py [--n 10000] [--workers 8] [--rounds 2] [--backends postgres] [--explain]
                                         [--before REV]

--before REV adds a fourth case, taking turns with the others: claim_next with 8 workers as the code was at git
revision REV: its mash/claims.py and mash/audit.py, loaded from git into this process, on a database migrated
only as far as REV's newest migration (or 0012 if that is older: the two audit columns today's models write).
So a change to the claim, the audit writer or the indexes is measured against the old code in the same run, on
the same machine and load.

SQLite can be given to --backends too (the conditional UPDATE over the 8 most urgent candidates, no SKIP
LOCKED); any refusal under contention ("database is locked") is rolled back, retried and counted. --explain
prints the plan of claim_next's SELECT on a separate database with half the contacts claimed. Nothing personal
is printed: only timings, counts and query plans.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

import pyotp  # noqa: E402
from benchlib import BACKENDS, markdown  # noqa: E402
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from mash import audit  # noqa: E402
from store.crypto import EncryptedJSON, EncryptedText, generate_key, keyring  # noqa: E402
from store.db import make_engine, make_sessionmaker  # noqa: E402
from store.migrate import upgrade  # noqa: E402

PASSWORD = "long-password-123"  # noqa: S105  (fictional bench accounts in a throwaway database)
RAG = (("red", 0, 0.10), ("amber", 1, 0.30), ("green", 2, 0.60))


# --- databases ------------------------------------------------------------------------------------------------



# --- fictional data -------------------------------------------------------------------------------------------

def seed_contacts(engine, n: int, now: dt.datetime, seed: int = 3) -> None:
    """n open, unclaimed contacts; the encrypted `answers` column gets one "{}" token, made once."""
    from mash.models import Contact

    columns = [Column(c.name, Text() if isinstance(c.type, (EncryptedText, EncryptedJSON)) else c.type,
                      primary_key=c.primary_key)
               for c in Contact.__table__.columns]
    table = Table("contacts", MetaData(), *columns)
    rng = random.Random(seed)
    token = keyring.encrypt("{}")
    window = dt.timedelta(weeks=6).total_seconds()
    rows = []
    for i in range(1, n + 1):
        rag, rank = rng.choices([(r, k) for r, k, _ in RAG], weights=[w for _, _, w in RAG])[0]
        received = now - dt.timedelta(seconds=rng.uniform(0, window))
        rows.append({"reference": f"FD-2026-{i:06d}", "kind": "concern", "channel": "web", "status": "new",
                     "received_at": received, "decision_due_at": received + dt.timedelta(days=1),
                     "rag": rag, "risk_rank": rank, "safety_flags": [], "concern_categories": [],
                     "referral_source": "2A", "referrer_type": "professional", "referrer_anonymous": False,
                     "answers": token, "journey": "report", "version": 1})
    with engine.begin() as conn:
        for start in range(0, n, 5000):
            conn.execute(insert(table), rows[start:start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE contacts"))


@dataclass
class Worker:
    ops: int = 0
    retries: int = 0  # refused by the database ("database is locked"), rolled back and tried again
    misses: int = 0  # claim_next found nothing it could take while other workers still held the last ones
    latencies_ms: list[float] = field(default_factory=list)
    error: BaseException | None = None


@dataclass
class Run:
    backend: str
    case: str
    workers: int
    seconds: float
    ops: int
    retries: int
    misses: int
    latencies_ms: list[float]
    check: str = ""
    per_worker: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ops / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


class Database:
    """A fresh migrated database with n open contacts and one practitioner per worker."""

    def __init__(self, url: str, n: int, workers: int, revision: str = "head") -> None:
        from mash.staff import create_user

        upgrade(url, revision)
        self.url, self.n = url, n
        self.engine = make_engine(url, pool_size=workers + 2, max_overflow=0) if not url.startswith("sqlite") \
            else make_engine(url)
        self.sessionmaker = make_sessionmaker(self.engine)
        with self.sessionmaker() as dbs:
            self.users = [create_user(dbs, email=f"worker-{i}-{uuid.uuid4().hex[:6]}@bench.invalid",
                                      name=f"Bench Worker {i}", role="practitioner", password=PASSWORD,
                                      totp_secret=pyotp.random_base32()).user for i in range(workers)]
            dbs.commit()
        seed_contacts(self.engine, n, dt.datetime.now(dt.UTC))

    def close(self) -> None:
        self.engine.dispose()


def _remaining(dbs, now: dt.datetime) -> int:
    from mash.claims import _claimable
    from mash.models import Contact

    return dbs.scalar(select(func.count()).select_from(Contact).where(*_claimable(now)))


def run_threads(targets: list[Callable[[Worker], None]]) -> tuple[float, list[Worker]]:
    workers = [Worker() for _ in targets]
    barrier = threading.Barrier(len(targets) + 1)

    def wrap(target: Callable[[Worker], None], worker: Worker) -> None:
        barrier.wait()
        try:
            target(worker)
        except BaseException as exc:  # reported after the run
            worker.error = exc

    threads = [threading.Thread(target=wrap, args=(t, w)) for t, w in zip(targets, workers, strict=True)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    for w in workers:
        if w.error is not None:
            raise RuntimeError(f"a worker failed: {type(w.error).__name__}: {w.error}") from w.error
    return elapsed, workers


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def module_at(rev: str, path: str) -> ModuleType:
    """A module's source as it was at `rev`, loaded beside today's under its own name (and today's models)."""
    module = ModuleType(f"bench_before_{Path(path).stem}")
    module.__file__ = f"{rev}:{path}"
    sys.modules[module.__name__] = module  # dataclasses look their module up while the source runs
    exec(compile(_git("show", f"{rev}:{path}"), module.__file__, "exec"), module.__dict__)  # noqa: S102  (ours)
    return module


# The old modules run on today's models, which write audit_events.key_id and read audit_head.legacy_seq (0012: two
# columns, one nullable, nothing indexed). A revision older than that gets them too, and nothing else: its
# contacts keep their own indexes (no 0013 partial index), which is what the claim's cost depends on.
MODELS_NEED = "0012"


def migration_at(rev: str) -> str:
    """The newest migration at `rev` (they are numbered in one line: 0001, 0002, ...)."""
    names = _git("ls-tree", "--name-only", f"{rev}:migrations/versions").split()
    return max(name.split("_", 1)[0] for name in names if name[:4].isdigit())


@dataclass(frozen=True)
class Code:
    """What claim_next runs: today's modules and schema, or those of a git revision."""

    claims: ModuleType
    audit: ModuleType
    revision: str = "head"


def code_at(rev: str | None) -> Code:
    import mash.audit
    import mash.claims

    if rev is None:
        return Code(mash.claims, mash.audit)
    old_audit = module_at(rev, "mash/audit.py")
    if hasattr(old_audit, "configure_keys"):  # a keyed writer signs with today's bench key
        old_audit.configure_keys([f"{key_id}:{key.decode()}" for key_id, key in mash.audit.configured_keys().keys])
    return Code(module_at(rev, "mash/claims.py"), old_audit, max(migration_at(rev), MODELS_NEED))


@contextmanager
def running(code: Code) -> Iterator[Code]:
    """Run with `code`'s audit writer everywhere claims and accounts write, so one writer makes the chain."""
    import mash.audit
    import mash.claims
    import mash.staff

    code.claims.audit = mash.claims.audit = mash.staff.audit = code.audit  # type: ignore[attr-defined]
    try:
        yield code
    finally:
        mash.claims.audit = mash.staff.audit = mash.audit  # type: ignore[assignment]


def claim_loop(db: Database, user, claims: ModuleType) -> Callable[[Worker], None]:
    claim_next = claims.claim_next

    def loop(worker: Worker) -> None:
        with db.sessionmaker() as dbs:
            while True:
                start = time.perf_counter()
                try:
                    got = claim_next(dbs, user)
                    dbs.commit()
                except OperationalError:  # SQLite: "database is locked" under contention
                    dbs.rollback()
                    worker.retries += 1
                    continue
                if got is not None:
                    worker.latencies_ms.append((time.perf_counter() - start) * 1000.0)
                    worker.ops += 1
                    continue
                # None: nothing this worker could take. Stop only if nothing claimable is left at all
                # (a contact another worker has locked but not yet committed still counts as left).
                left = _remaining(dbs, dt.datetime.now(dt.UTC))
                dbs.commit()
                if not left:
                    return
                worker.misses += 1
    return loop


def update_loop(db: Database, ids: list[int]) -> Callable[[Worker], None]:
    statement = text("UPDATE contacts SET version = version WHERE id = :id")

    def loop(worker: Worker) -> None:
        with db.engine.connect() as conn:
            for contact_id in ids:
                start = time.perf_counter()
                while True:
                    try:
                        if conn.execute(statement, {"id": contact_id}).rowcount != 1:
                            raise RuntimeError("baseline update matched no row")
                        conn.commit()
                        break
                    except OperationalError:
                        conn.rollback()
                        worker.retries += 1
                worker.latencies_ms.append((time.perf_counter() - start) * 1000.0)
                worker.ops += 1
    return loop


def check_claims(db: Database, audit_module: ModuleType) -> str:
    from mash.models import AuditEvent, Contact

    with db.sessionmaker() as dbs:
        unclaimed = dbs.scalar(select(func.count()).select_from(Contact).where(Contact.claimed_by_id.is_(None)))
        events = dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "contact.claimed"))
        per_contact = (select(AuditEvent.contact_id, func.count().label("events"),
                              func.count(AuditEvent.actor.distinct()).label("actors"))
                       .where(AuditEvent.event == "contact.claimed").group_by(AuditEvent.contact_id).subquery())
        contacts_claimed = dbs.scalar(select(func.count()).select_from(per_contact))
        twice = dbs.scalar(select(func.count()).select_from(per_contact)
                           .where((per_contact.c.events > 1) | (per_contact.c.actors > 1)))
        chain = audit_module.verify(dbs)
    problems = []
    if unclaimed:
        problems.append(f"{unclaimed} contacts left unclaimed")
    if events != db.n:
        problems.append(f"{events} contact.claimed events for {db.n} contacts")
    if contacts_claimed != db.n:
        problems.append(f"{contacts_claimed} distinct contacts in contact.claimed events, expected {db.n}")
    if twice:
        problems.append(f"{twice} contacts claimed more than once")
    if not chain.ok:
        problems.append(f"audit chain broken at {chain.first_broken_seq}: {chain.problem}")
    if problems:
        raise RuntimeError("claim check failed: " + "; ".join(problems))
    return (f"{db.n:,} contacts each claimed exactly once by one practitioner; {events:,} contact.claimed "
            f"events; audit chain of {chain.checked:,} events verified")


def explain_claim(db: Database, code: Code) -> str:
    """The plan of the statement that chooses the contact (today: the claiming UPDATE itself; before: its SELECT),
    with half the contacts already claimed (EXPLAIN ANALYZE, rolled back, on PostgreSQL)."""
    from sqlalchemy import event, update

    from mash.models import Contact

    now = dt.datetime.now(dt.UTC)
    order = (Contact.risk_rank, Contact.decision_due_at, Contact.id)
    postgres = db.engine.dialect.name == "postgresql"
    with db.sessionmaker() as dbs:
        first_half = select(Contact.id).order_by(*order).limit(db.n // 2).scalar_subquery()
        dbs.execute(update(Contact.__table__).where(Contact.__table__.c.id.in_(first_half))
                    .values(claimed_by_id=db.users[0].id, claim_expires_at=now + dt.timedelta(minutes=30),
                            status="in_screening"))
        dbs.commit()
        if postgres:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE contacts"))
        # Capture claim_next's own statement as the driver gets it, then ask the database how it runs it.
        captured: list[tuple[str, object]] = []

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            if "ORDER BY" in statement and not captured:
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            code.claims.claim_next(dbs, db.users[1], now=now)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        dbs.rollback()
        statement, parameters = captured[0]
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        raw = dbs.connection().connection.dbapi_connection
        cur = raw.cursor()
        cur.execute(prefix + statement, parameters)
        rows = cur.fetchall()
        cur.close()
        dbs.rollback()
    return "\n".join("    " + str(row[-1]) for row in rows)


def run_backend(backend: str, n: int, workers: int, rounds: int, before: str | None = None) -> list[Run]:
    runs: list[Run] = []
    today, old = code_at(None), (code_at(before) if before else None)
    cases = ((f"claim_next, {workers} workers", workers), ("claim_next, 1 worker", 1),
             (f"baseline: bare UPDATE + commit, {workers} workers", workers))
    if before:
        cases = (cases[0], (f"claim_next, {workers} workers, code of {before}", workers), *cases[1:])
    # One fresh database per run, so each starts from the same n unclaimed contacts; the cases take turns,
    # round by round, so a change in the machine's load lands on all of them.
    for i in range(rounds):
        for case, threads in cases:
            code = old if old is not None and "code of" in case else today
            with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url, \
                    running(code):
                db = Database(url, n, workers, code.revision)
                try:
                    if case.startswith("baseline"):
                        with db.engine.connect() as conn:
                            ids = list(conn.scalars(text("SELECT id FROM contacts ORDER BY id")))
                        elapsed, done = run_threads([update_loop(db, ids[k::threads]) for k in range(threads)])
                        check = f"{sum(w.ops for w in done):,} single-row updates on distinct ids"
                    else:
                        elapsed, done = run_threads([claim_loop(db, db.users[k], code.claims)
                                                     for k in range(threads)])
                        check = check_claims(db, code.audit)
                    run = Run(backend, case, threads, elapsed, ops=sum(w.ops for w in done),
                              retries=sum(w.retries for w in done), misses=sum(w.misses for w in done),
                              latencies_ms=[x for w in done for x in w.latencies_ms], check=check,
                              per_worker=[w.ops for w in done])
                    print(f"  {backend}: round {i + 1}: {case}: {run.ops:,} in {elapsed:.2f} s "
                          f"({run.rate:,.0f}/s); {check}; per worker "
                          f"{', '.join(str(x) for x in run.per_worker)}", file=sys.stderr)
                    runs.append(run)
                finally:
                    db.close()
    return runs


def combine(runs: list[Run]) -> Run:
    """The rounds of one case as one: median time, all latencies, summed counts."""
    first = runs[0]
    seconds = statistics.median(r.seconds for r in runs)
    return Run(first.backend, first.case, first.workers, seconds, ops=first.ops,
               retries=sum(r.retries for r in runs), misses=sum(r.misses for r in runs),
               latencies_ms=[x for r in runs for x in r.latencies_ms], check=first.check,
               per_worker=[r.rate for r in runs])  # (here: the rate of each round)


def explain_mid_run(backend: str, n: int, workers: int, code: Code) -> str:
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url, \
            running(code):
        db = Database(url, n, workers, code.revision)
        try:
            return explain_claim(db, code)
        finally:
            db.close()




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="unclaimed contacts per run (10000)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent workers (8)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each case, taking turns (2)")
    parser.add_argument("--backends", default="postgres", help="comma-separated: postgres,sqlite (postgres)")
    parser.add_argument("--before", metavar="REV",
                        help="also run 8 workers through mash/claims.py and mash/audit.py as they were at this git "
                             "revision, on its schema")
    parser.add_argument("--explain", action="store_true",
                        help="print the plan of claim_next's choosing statement with half the contacts claimed")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends or args.n < args.workers or args.workers < 1 or args.rounds < 1:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --workers >= 1; --n >= --workers; --rounds >= 1")

    fernet_key = generate_key()
    keyring.configure([fernet_key], "bench-blind-index-" + uuid.uuid4().hex)
    audit.configure_keys([audit.generate_key("bench")])
    print(f"Claim-next: {args.n:,} unclaimed contacts per run, {args.workers} workers "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    runs: list[Run] = []
    for backend in backends:
        each = run_backend(backend, args.n, args.workers, args.rounds, args.before)
        runs.extend(combine([r for r in each if r.case == case]) for case in dict.fromkeys(r.case for r in each))
        if args.explain:
            for rev in (None, args.before) if args.before else (None,):
                print(f"\n--- claim_next's choosing statement{f' at {rev}' if rev else ''}, with {args.n // 2:,} of "
                      f"{args.n:,} contacts claimed, {backend} ---\n"
                      f"{explain_mid_run(backend, args.n, args.workers, code_at(rev))}\n", file=sys.stderr)
    rows = [("backend", "case", "workers", "operations", "rounds", "total s (median)", "ops / s", "ops / s by round",
             "p50 ms", "p90 ms", "p99 ms", "empty-handed", "db errors retried", "rate / baseline")]
    for r in runs:
        base = next(b for b in runs if b.backend == r.backend and b.case.startswith("baseline"))
        rows.append((r.backend, r.case, str(r.workers), f"{r.ops:,}", str(args.rounds), f"{r.seconds:.2f}",
                     f"{r.rate:,.0f}", ", ".join(f"{x:,.0f}" for x in r.per_worker),
                     f"{r.percentile(50):.2f}", f"{r.percentile(90):.2f}", f"{r.percentile(99):.2f}",
                     str(r.misses), str(r.retries), "-" if r is base else f"{r.rate / base.rate:.2f}x"))
    print()
    print(markdown(rows))
    print()
    for backend in dict.fromkeys(r.backend for r in runs):
        many = next(r for r in runs if r.backend == backend and r.case.startswith("claim_next") and r.workers > 1)
        one = next((r for r in runs if r.backend == backend and r.case.startswith("claim_next") and r.workers == 1),
                   None)
        if one is not None:
            print(f"{backend}: {many.workers} workers claim {many.rate:,.0f}/s, {many.rate / one.rate:.2f}x one "
                  f"worker's {one.rate:,.0f}/s; every contact claimed exactly once.")
        old = next((r for r in runs if r.backend == backend and "code of" in r.case), None)
        if old is not None:
            print(f"{backend}: {many.workers} workers claim {many.rate:,.0f}/s against {old.rate:,.0f}/s with the "
                  f"code of {args.before} ({many.rate / old.rate:.2f}x).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
