"""Benchmark (issue 3): the MASH queue page at 1,000, 10,000 and 100,000 contacts, beside a trivial-route baseline.

For each backend (SQLite file in WAL mode; PostgreSQL with --backends) and each size, this builds a fresh
migrated database and bulk-inserts that many fictional contacts with SQLAlchemy Core: red 10%, amber 30%,
green 60%; received over the last six weeks, each due a day after it arrived; 20% closed (status "decided",
closed_at set), so the partial index over open contacts has something to leave out; and 5% of the open ones
claimed by a practitioner on a live lease. Every contact's `answers` column holds one encrypted "{}" token,
made once and reused: the queue never decrypts it. No children, consent records or audit events are written;
the queue does not read them. On PostgreSQL the table is ANALYZEd after loading, as autovacuum would.

A practitioner signs in once per app (password, then a TOTP code; a code is accepted once only) through the
Flask test client, in-process. Then these cases take turns, request by request, so drift on the machine lands
on all of them alike:

  * baseline: GET /healthz (a trivial route that runs SELECT 1) on the same app, through the same client;
  * GET /staff/queue: the first page;
  * GET /staff/queue?after=...: the 11th page, its cursor found beforehand by following 10 pages of links;
  * queue_page(): the bare function behind the page, first page and 11th page, one fresh session per call.

Target (issue 3): the page's p50 at 100,000 contacts under 2x its p50 at 1,000.

    .venv/bin/python bench/queue_page.py [--sizes 1000,10000,100000] [--n 200] [--warmup 10]
                                         [--backends sqlite,postgres] [--explain]

Nothing personal is printed: only timings, counts and (with --explain) query plans.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

import pyotp  # noqa: E402
from benchlib import BACKENDS, markdown, percentile  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select, text  # noqa: E402

from store.crypto import EncryptedJSON, EncryptedText, generate_key, keyring  # noqa: E402
from store.migrate import upgrade  # noqa: E402

TARGET_RATIO = 2.0
DEEP_PAGES = 10  # the deep case is the page after this many
PASSWORD = "long-password-123"  # noqa: S105  (a fictional bench account in a throwaway database)
CLOSED_SHARE, CLAIMED_SHARE = 0.20, 0.05
RAG = (("red", 0, 0.10), ("amber", 1, 0.30), ("green", 2, 0.60))


# --- databases ------------------------------------------------------------------------------------------------



# --- fictional data -------------------------------------------------------------------------------------------

def raw_contacts_table() -> Table:
    """The contacts table with its encrypted columns as plain Text, so one ready-made token can be reused."""
    from mash.models import Contact

    columns = [Column(c.name, Text() if isinstance(c.type, (EncryptedText, EncryptedJSON)) else c.type,
                      primary_key=c.primary_key)
               for c in Contact.__table__.columns]
    return Table("contacts", MetaData(), *columns)


def seed_contacts(engine, n: int, claimer_id: int, now: dt.datetime, seed: int = 3) -> dict[str, int]:
    rng = random.Random(seed)
    table = raw_contacts_table()
    token = keyring.encrypt("{}")
    window = dt.timedelta(weeks=6).total_seconds()
    counts = {"open": 0, "closed": 0, "claimed": 0}
    batch: list[dict] = []
    with engine.begin() as conn:
        for i in range(1, n + 1):
            rag, rank = rng.choices([(r, k) for r, k, _ in RAG], weights=[w for _, _, w in RAG])[0]
            received = now - dt.timedelta(seconds=rng.uniform(0, window))
            closed = rng.random() < CLOSED_SHARE
            claimed = not closed and rng.random() < CLAIMED_SHARE
            counts["closed" if closed else "open"] += 1
            counts["claimed"] += claimed
            batch.append({
                "reference": f"FD-2026-{i:06d}", "kind": "concern", "channel": "web",
                "status": "decided" if closed else ("in_screening" if claimed else "new"),
                "received_at": received, "decision_due_at": received + dt.timedelta(days=1),
                "rag": rag, "risk_rank": rank, "safety_flags": [], "concern_categories": [],
                "referral_source": "2A", "referrer_type": "professional", "referrer_anonymous": False,
                "answers": token, "journey": "report", "version": 1,
                "claimed_by_id": claimer_id if claimed else None,
                "claim_expires_at": now + dt.timedelta(hours=2) if claimed else None,
                "closed_at": received + dt.timedelta(days=1) if closed else None,
            })
            if len(batch) == 5000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE contacts"))
    return counts


# --- the cases ------------------------------------------------------------------------------------------------

def build_portal(url: str, workdir: Path, fernet_key: str, index_key: str) -> Flask:
    from portal import create_app

    return create_app({
        "TESTING": True,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "FIELD_ENCRYPTION_KEYS": [fernet_key],
        "BLIND_INDEX_KEY": index_key,
        "AUDIT_HMAC_KEYS": ["bench:" + uuid.uuid4().hex * 2],
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "FORCE_HTTPS": False,
        "SESSION_COOKIE_SECURE": False,
        "STAFF_IDLE_MINUTES": 120,
    })


class QueueBench:
    """One database of `size` contacts, one app, one signed-in practitioner."""

    def __init__(self, url: str, workdir: Path, size: int) -> None:
        from mash.models import Contact, StaffUser
        from mash.staff import create_user

        fernet_key, index_key = generate_key(), "bench-blind-index-" + uuid.uuid4().hex
        keyring.configure([fernet_key], index_key)
        self.app = build_portal(url, workdir, fernet_key, index_key)  # configures the same keys again
        self.engine = self.app.extensions["frontdoor.engine"]
        self.sessionmaker = self.app.extensions["frontdoor.sessionmaker"]
        secret = pyotp.random_base32()
        email = f"practitioner-{uuid.uuid4().hex[:8]}@bench.invalid"
        with self.sessionmaker() as dbs:
            account = create_user(dbs, email=email, name="Bench Practitioner", role="practitioner",
                                  password=PASSWORD, totp_secret=secret)
            dbs.commit()
            self.user_id = account.user.id
        self.counts = seed_contacts(self.engine, size, self.user_id, dt.datetime.now(dt.UTC))
        with self.sessionmaker() as dbs:
            self.user = dbs.get(StaffUser, self.user_id)
            stored = dbs.scalar(select(func.count()).select_from(Contact))
        if stored != size:
            raise RuntimeError(f"expected {size} contacts, found {stored}")
        self.client = self.app.test_client()
        self._sign_in(email, secret)
        self.deep_cursor = self._follow(DEEP_PAGES)

    def _sign_in(self, email: str, secret: str) -> None:
        first = self.client.post("/staff/sign-in", data={"email": email, "password": PASSWORD})
        if first.status_code != 302:
            raise RuntimeError(f"password step refused (HTTP {first.status_code})")
        second = self.client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        target = second.headers.get("Location", "")
        if second.status_code != 302 or not target.startswith("/staff/") or "sign-in" in target:
            raise RuntimeError(f"code step refused (HTTP {second.status_code})")

    def _follow(self, pages: int) -> str:
        """The cursor of the page after `pages` pages, found by following the links as a person would."""
        from mash.queue import queue_page

        cursor = None
        for _ in range(pages):
            with self.sessionmaker() as dbs:
                cursor = queue_page(dbs, self.user, after=cursor).next_cursor
            if cursor is None:
                raise RuntimeError(f"the queue has fewer than {pages + 1} pages")
        response = self.client.get(f"/staff/queue?after={cursor}")
        if response.status_code != 200 or b"Next page" not in response.data:
            raise RuntimeError(f"the deep page did not render (HTTP {response.status_code})")
        return cursor

    # Each case is one call; it checks its own answer so a broken page cannot look fast.
    def healthz(self) -> None:
        response = self.client.get("/healthz")
        if response.status_code != 200:
            raise RuntimeError(f"/healthz failed (HTTP {response.status_code})")

    def _page(self, url: str) -> None:
        response = self.client.get(url)
        if response.status_code != 200 or response.data.count(b'<tr class="govuk-table__row">') != 51:
            raise RuntimeError(f"{url.split('?')[0]} did not show a full page (HTTP {response.status_code})")

    def page_first(self) -> None:
        self._page("/staff/queue")

    def page_deep(self) -> None:
        self._page(f"/staff/queue?after={self.deep_cursor}")

    def _bare(self, after: str | None) -> None:
        from mash.queue import PAGE_SIZE, queue_page

        with self.sessionmaker() as dbs:
            page = queue_page(dbs, self.user, after=after, now=dt.datetime.now(dt.UTC))
        if len(page.contacts) != PAGE_SIZE:
            raise RuntimeError("queue_page() returned a short page")

    def bare_first(self) -> None:
        self._bare(None)

    def bare_deep(self) -> None:
        self._bare(self.deep_cursor)

    def explain(self) -> str:
        """The plans of the page's two queries (first and deep page) as the database runs them."""
        from mash.queue import Cursor, queue_page

        statements: list[tuple[str, dict]] = []

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            if "FROM contacts" in statement and "ORDER BY" in statement:
                statements.append((statement, parameters))

        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", capture)
        try:
            with self.sessionmaker() as dbs:
                queue_page(dbs, self.user)
                queue_page(dbs, self.user, after=self.deep_cursor)
        finally:
            event.remove(self.engine, "before_cursor_execute", capture)
        Cursor.decode(self.deep_cursor)  # (decoded only to prove it is well formed)
        out = []
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            for label, (statement, parameters) in zip(("first page", "deep page"), statements, strict=True):
                cur = raw.cursor()
                if self.engine.dialect.name == "sqlite":
                    cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                    plan = "\n".join(f"    {row[3]}" for row in cur.fetchall())
                else:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = "\n".join(f"    {row[0]}" for row in cur.fetchall())
                cur.close()
                out.append(f"  {label}:\n{plan}")
        return "\n".join(out)

    def close(self) -> None:
        self.engine.dispose()


CASES: list[tuple[str, str]] = [
    ("baseline (GET /healthz)", "healthz"),
    ("GET /staff/queue, first page", "page_first"),
    (f"GET /staff/queue, page {DEEP_PAGES + 1}", "page_deep"),
    ("queue_page(), first page", "bare_first"),
    (f"queue_page(), page {DEEP_PAGES + 1}", "bare_deep"),
]


# --- measuring ------------------------------------------------------------------------------------------------

@dataclass
class Result:
    backend: str
    size: int
    case: str
    samples_ms: list[float]

    def percentile(self, p: int) -> float:
        return percentile(self.samples_ms, p)

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p90(self) -> float:
        return self.percentile(90)


def run_size(backend: str, size: int, n: int, warmup: int, explain: bool) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        upgrade(url)
        started = time.perf_counter()
        bench = QueueBench(url, Path(tmp), size)
        print(f"  {backend} {size:>7,}: {bench.counts['open']:,} open ({bench.counts['claimed']:,} claimed), "
              f"{bench.counts['closed']:,} closed; loaded and signed in in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        try:
            calls = [getattr(bench, method) for _, method in CASES]
            for _ in range(warmup):
                for call in calls:
                    call()
            gc.collect()
            samples: list[list[float]] = [[] for _ in CASES]
            for _ in range(n):  # round robin, so every case sees the same machine
                for call, out in zip(calls, samples, strict=True):
                    start = time.perf_counter()
                    call()
                    out.append((time.perf_counter() - start) * 1000.0)
            if explain:
                print(f"\n--- query plans, {backend}, {size:,} contacts ---\n{bench.explain()}\n", file=sys.stderr)
        finally:
            bench.close()
    return [Result(backend, size, label, s) for (label, _), s in zip(CASES, samples, strict=True)]




def tables(results: list[Result], sizes: list[int]) -> tuple[str, str, list[str]]:
    detail = [("backend", "contacts", "case", "n", "p50 ms", "p90 ms", "p50 / baseline")]
    for r in results:
        base = next(b for b in results if b.backend == r.backend and b.size == r.size and b.case == CASES[0][0])
        detail.append((r.backend, f"{r.size:,}", r.case, str(len(r.samples_ms)), f"{r.p50:.2f}", f"{r.p90:.2f}",
                       "-" if r is base else f"{r.p50 / base.p50:.1f}x"))
    small, large = min(sizes), max(sizes)
    head = ["backend", "case"] + [f"p50 at {s:,}" for s in sizes] + [f"{large // 1000}k / {small // 1000}k"
                                                                      if small >= 1000 else f"{large}/{small}",
                                                                      "ratio < 2"]
    summary = [tuple(head)]
    missed = []
    for backend in dict.fromkeys(r.backend for r in results):
        for label, _ in CASES:
            by_size = {r.size: r for r in results if r.backend == backend and r.case == label}
            ratio = by_size[large].p50 / by_size[small].p50
            is_base = label == CASES[0][0]
            ok = ratio < TARGET_RATIO
            if not ok and not is_base:
                missed.append(f"{backend}: {label}")
            summary.append(tuple([backend, label] + [f"{by_size[s].p50:.2f} ms" for s in sizes]
                                 + [f"{ratio:.2f}x", "-" if is_base else ("yes" if ok else "NO")]))
    return markdown(detail), markdown(summary), missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated contact counts")
    parser.add_argument("--n", type=int, default=200, help="timed calls per case and size (200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first (10)")
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    parser.add_argument("--explain", action="store_true",
                        help="print the query plans of the first and deep page (EXPLAIN QUERY PLAN / "
                             "EXPLAIN ANALYZE) at each size")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes comma-separated integers")
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends or args.n < 1 or args.warmup < 0 or len(sizes) < 2 \
            or sizes[0] < 50 * (DEEP_PAGES + 2):
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --n >= 1; --warmup >= 0; at least two sizes, "
                     f"each >= {50 * (DEEP_PAGES + 2)} (the deep page needs {DEEP_PAGES + 1} full pages)")

    print(f"The queue page: {args.n} timed calls per case, size and backend, {args.warmup} warm-up rounds "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    results: list[Result] = []
    for backend in backends:
        for size in sizes:
            results.extend(run_size(backend, size, args.n, args.warmup, args.explain))
    detail, summary, missed = tables(results, sizes)
    print()
    print(detail)
    print()
    print(summary)
    print()
    if missed:
        print(f"Target missed ({max(sizes):,} / {min(sizes):,} p50 ratio under {TARGET_RATIO:g}) on: "
              + "; ".join(missed))
    else:
        print(f"Target met: every case's p50 at {max(sizes):,} contacts is under {TARGET_RATIO:g}x its p50 at "
              f"{min(sizes):,}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
