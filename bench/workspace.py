"""Benchmark (issue 15): the duty team's workspace at 1,000, 10,000 and 100,000 contacts, beside a trivial route.

For each backend (SQLite file in WAL mode; PostgreSQL with --backends) and each size, one fresh migrated database
gets that many fictional contacts, bulk-inserted with SQLAlchemy Core as bench/queue_page.py does (red 10%, amber
30%, green 60%; received over the last six weeks, due a day later, so about 95% are overdue; 20% closed, each with
a signed-off decision; 5% of the open ones claimed by the benchmark's practitioner), now spread over the channels
(web 50%, text 20%, chat 10%, phone 10%, police 10%) and kinds (early help 15%). Each contact has one child (30%
two), named from 300 invented first names and 300 invented surnames, born on a day in the last 17 years, with the
blind indexes intake would store; each encrypted value is one token per distinct value, reused. Three more
children, at every size, are "Jayden Morris", born on one fixed day: the child the searches look for (no generated
name sounds like it, so each size finds exactly those three by name; by date of birth, those three and whichever
generated children share the day, which grow with the size as they would in a council's records). On PostgreSQL
the tables are VACUUMed and ANALYZEd after loading, as autovacuum would (it vacuums after inserts since 13).

A practitioner signs in once (password, then a TOTP code) through the Flask test client, in-process. Then these
cases take turns, request by request, so drift on the machine lands on all alike; each checks its answer:

  * baseline: GET /healthz (SELECT 1);
  * GET /staff/queue with filters: colour=red&channel=sms; status=new&sort=due; worker=me; overdue=yes&sort=waiting;
    kind=early_help&colour=amber; and no filter (each with the colour counts the page shows);
  * GET /staff/search?q=Jaden Moris (both names misspelt: the fuzzy search) and ?q=<the date of birth>;
  * GET /staff/dashboard.

Target (issue 15): each case's p50 under 50 ms, and its p50 at the largest size under 2x its p50 at the smallest.
The dashboard is held to "well under a second" at 100,000 contacts.

    .venv/bin/python bench/workspace.py [--sizes 1000,10000,100000] [--n 100] [--warmup 5]
                                        [--backends sqlite,postgres] [--only queue,search,dashboard]

Nothing personal is printed (the names are invented; only timings and counts are printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

import pyotp  # noqa: E402
from benchlib import BACKENDS, bulk_insert, markdown, percentile, raw_table  # noqa: E402
from queue_page import build_portal  # noqa: E402

from store.crypto import generate_key, keyring  # noqa: E402
from store.migrate import upgrade  # noqa: E402

TARGET_P50_MS = 50.0
TARGET_RATIO = 2.0
DASHBOARD_LIMIT_MS = 1000.0
PASSWORD = "long-password-123"  # noqa: S105  (a fictional bench account in a throwaway database)
CLOSED_SHARE, CLAIMED_SHARE, TWO_CHILDREN = 0.20, 0.05, 0.30
RAG = (("red", 0, 0.10), ("amber", 1, 0.30), ("green", 2, 0.60))
CHANNELS = (("web", 0.5), ("sms", 0.2), ("chat", 0.1), ("phone", 0.1), ("police", 0.1))
TARGET_FIRST, TARGET_LAST, TARGET_DOB = "Jayden", "Morris", "2016-03-12"
FUZZY_QUERY = "Jaden Moris"
SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vel", "dor", "ish", "quin", "bar", "fen", "gul", "hal", "zor",
             "pe", "nu", "wy", "xan", "ol", "tri")


def invented_names(rng: random.Random, count: int, avoid: Callable[[str], bool]) -> list[str]:
    """`count` distinct made-up names of two or three syllables, none for which `avoid` is true."""
    names: set[str] = set()
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        if not avoid(name):
            names.add(name)
    return sorted(names)


def _sounds_like_target(name: str) -> bool:
    """True for a generated name the fuzzy search could take for the target (same sound, or close spelling)."""
    from rapidfuzz import fuzz

    try:
        from mash.names import sound_key
    except ImportError:  # before names had a sound index, only the spelling counts
        return any(fuzz.ratio(name.casefold(), t.casefold()) >= 60 for t in (TARGET_FIRST, TARGET_LAST))
    return sound_key(name) in (sound_key(TARGET_FIRST), sound_key(TARGET_LAST)) or \
        any(fuzz.ratio(name.casefold(), t.casefold()) >= 60 for t in (TARGET_FIRST, TARGET_LAST))


@dataclass
class Seeded:
    open: int = 0
    closed: int = 0
    claimed: int = 0
    children: int = 0
    dob_contacts: int = 0  # contacts with a child born on TARGET_DOB: what a search by date of birth finds


def seed(engine, n: int, claimer_id: int, now: dt.datetime, seed: int = 15) -> Seeded:
    from mash.models import Child, Contact, Decision

    rng = random.Random(seed)
    firsts = invented_names(rng, 300, _sounds_like_target)
    lasts = invented_names(rng, 300, _sounds_like_target)
    token: dict[str, str] = {}

    def enc(value: str) -> str:
        if value not in token:
            token[value] = keyring.encrypt(value)
        return token[value]

    index: dict[tuple[str, str], str] = {}

    def blind(kind: str, value: str) -> str:
        if (kind, value) not in index:
            index[kind, value] = keyring.blind_index(kind, value)
        return index[kind, value]

    child_columns = {c.name for c in Child.__table__.columns}
    sound = None
    if "name_sound_index" in child_columns:
        from mash.names import name_sound_index as sound
    today = now.date()
    counts = Seeded()
    window = dt.timedelta(weeks=6).total_seconds()
    contacts, children, decisions = [], [], []
    empty = enc("{}")
    child_id = 0

    def add_child(contact_id: int, position: int, first: str, last: str, dob: str) -> None:
        nonlocal child_id
        child_id += 1
        row = {"id": child_id, "contact_id": contact_id, "position": position, "unborn": False,
               "first_name": enc(first), "last_name": enc(last), "date_of_birth": enc(dob), "details": empty,
               "first_name_index": blind("name", first), "last_name_index": blind("name", last),
               "date_of_birth_index": blind("dob", dob)}
        if sound is not None:
            row["name_sound_index"] = sound(first, last)
        children.append(row)

    targets = set(rng.sample(range(1, n + 1), 3))
    for i in range(1, n + 1):
        rag, rank = rng.choices([(r, k) for r, k, _ in RAG], weights=[w for _, _, w in RAG])[0]
        channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
        received = now - dt.timedelta(seconds=rng.uniform(0, window))
        closed = rng.random() < CLOSED_SHARE
        claimed = not closed and rng.random() < CLAIMED_SHARE
        counts.closed += closed
        counts.open += not closed
        counts.claimed += claimed
        contacts.append({
            "id": i, "reference": f"FD-2026-{i:06d}", "kind": "early_help" if rng.random() < 0.15 else "concern",
            "channel": channel, "status": "decided" if closed else ("in_screening" if claimed else "new"),
            "received_at": received, "decision_due_at": received + dt.timedelta(days=1),
            "rag": rag, "risk_rank": rank, "safety_flags": [], "concern_categories": ["neglect"],
            "referral_source": "2A", "referrer_type": "professional", "referrer_anonymous": False,
            "answers": empty, "journey": "report", "version": 1,
            "claimed_by_id": claimer_id if claimed else None,
            "claim_expires_at": now + dt.timedelta(hours=2) if claimed else None,
            "closed_at": received + dt.timedelta(days=1) if closed else None,
        })
        if closed:
            decided = received + dt.timedelta(hours=20)
            decisions.append({"contact_id": i, "decided_by_id": claimer_id, "decided_at": decided,
                              "outcome": "early_help", "level": 2, "rationale": empty, "sharing_decision": "share",
                              "sharing_reason": empty, "primary_need": "N1", "nfa": False, "status": "signed_off",
                              "reviewed_by_id": claimer_id, "reviewed_at": received + dt.timedelta(hours=22)})
        born = [TARGET_DOB] if i in targets else []
        born += [(today - dt.timedelta(days=rng.randrange(1, 17 * 365))).isoformat()
                 for _ in range(1 + (rng.random() < TWO_CHILDREN))]
        last = rng.choice(lasts)
        for position, dob in enumerate(born):
            if i in targets and position == 0:
                add_child(i, 0, TARGET_FIRST, TARGET_LAST, dob)
            else:
                add_child(i, position, rng.choice(firsts), last, dob)
        counts.dob_contacts += TARGET_DOB in born
    counts.children = len(children)
    bulk_insert(engine, raw_table(Contact), contacts)
    bulk_insert(engine, raw_table(Child), children)
    bulk_insert(engine, raw_table(Decision), decisions)
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
        from sqlalchemy import text

        with engine.begin() as conn:
            for table in ("contacts", "children"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                  f"(SELECT max(id) FROM {table}))"))  # (two fixed table names)
        # Autovacuum vacuums a table after inserts too (PostgreSQL 13+), which sets the visibility map that lets
        # a count be read from an index alone; done here at once rather than waited for.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("contacts", "children", "decisions"):
                conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    return counts


QUEUE_CASES = [
    ("queue: no filter", "/staff/queue"),
    ("queue: colour=red&channel=sms", "/staff/queue?colour=red&channel=sms"),
    ("queue: status=new&sort=due", "/staff/queue?status=new&sort=due"),
    ("queue: worker=me", "/staff/queue?worker=me"),
    ("queue: overdue=yes&sort=waiting", "/staff/queue?overdue=yes&sort=waiting"),
    ("queue: kind=early_help&colour=amber", "/staff/queue?kind=early_help&colour=amber"),
]
ROW = b'<tr class="govuk-table__row">'


class Workspace:
    """One database of `size` contacts, one app, one signed-in practitioner."""

    def __init__(self, url: str, workdir: Path, size: int) -> None:
        from mash.staff import create_user

        fernet_key, index_key = generate_key(), "bench-blind-index-" + uuid.uuid4().hex
        keyring.configure([fernet_key], index_key)
        self.app = build_portal(url, workdir, fernet_key, index_key)
        self.engine = self.app.extensions["frontdoor.engine"]
        self.sessionmaker = self.app.extensions["frontdoor.sessionmaker"]
        secret = pyotp.random_base32()
        email = f"practitioner-{uuid.uuid4().hex[:8]}@bench.invalid"
        with self.sessionmaker() as dbs:
            account = create_user(dbs, email=email, name="Bench Practitioner", role="practitioner",
                                  password=PASSWORD, totp_secret=secret)
            dbs.commit()
            self.user_id = account.user.id
        self.counts = seed(self.engine, size, self.user_id, dt.datetime.now(dt.UTC))
        self.client = self.app.test_client()
        first = self.client.post("/staff/sign-in", data={"email": email, "password": PASSWORD})
        second = self.client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        if first.status_code != 302 or second.status_code != 302 or "sign-in" in second.headers.get("Location", ""):
            raise RuntimeError("signing in failed")
        day = dt.date.fromisoformat(TARGET_DOB)
        self.dob_query = f"{day.day}/{day.month}/{day.year}"

    def cases(self, only: set[str]) -> list[tuple[str, Callable[[], None]]]:
        chosen: list[tuple[str, Callable[[], None]]] = [("baseline (GET /healthz)", self.healthz)]
        if "queue" in only:
            chosen += [(label, self._queue(url)) for label, url in QUEUE_CASES]
        if "search" in only:
            chosen += [(f"search: fuzzy name ({FUZZY_QUERY!r})", self._search(FUZZY_QUERY, 3)),
                       ("search: date of birth", self._search(self.dob_query, min(50, self.counts.dob_contacts)))]
        if "dashboard" in only:
            chosen.append(("GET /staff/dashboard", self.dashboard))
        return chosen

    def healthz(self) -> None:
        if self.client.get("/healthz").status_code != 200:
            raise RuntimeError("/healthz failed")

    def _queue(self, url: str) -> Callable[[], None]:
        def call() -> None:
            response = self.client.get(url)
            if response.status_code != 200 or response.data.count(ROW) < 2:  # the header row and at least one
                raise RuntimeError(f"{url} showed no contact (HTTP {response.status_code})")
        return call

    def _search(self, query: str, expected: int) -> Callable[[], None]:
        def call() -> None:
            response = self.client.get("/staff/search", query_string={"q": query})
            found = re.search(rb"(\d+) found", response.data)
            if response.status_code != 200 or found is None or int(found.group(1)) != expected:
                raise RuntimeError(f"the search found {found.group(1) if found else 'nothing'}, not {expected} "
                                   f"(HTTP {response.status_code})")
        return call

    def dashboard(self) -> None:
        response = self.client.get("/staff/dashboard")
        if response.status_code != 200 or b"Age of the open queue" not in response.data:
            raise RuntimeError(f"the dashboard did not render (HTTP {response.status_code})")

    def close(self) -> None:
        self.engine.dispose()


@dataclass
class Result:
    backend: str
    size: int
    case: str
    samples_ms: list[float]
    cpu_ms: list[float]  # this process's CPU time per call (SQLite's work included; PostgreSQL's server's not)

    @property
    def p50(self) -> float:
        return percentile(self.samples_ms, 50)

    @property
    def cpu_p50(self) -> float:
        return percentile(self.cpu_ms, 50)

    @property
    def p90(self) -> float:
        return percentile(self.samples_ms, 90)


def run_size(backend: str, size: int, n: int, warmup: int, only: set[str]) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        upgrade(url)
        started = time.perf_counter()
        bench = Workspace(url, Path(tmp), size)
        c = bench.counts
        print(f"  {backend} {size:>7,}: {c.open:,} open ({c.claimed:,} claimed), {c.closed:,} closed, "
              f"{c.children:,} children, {c.dob_contacts} born on the searched day; loaded and signed in in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        try:
            cases = bench.cases(only)
            for _ in range(warmup):
                for _, call in cases:
                    call()
            gc.collect()
            samples: list[list[float]] = [[] for _ in cases]
            cpu: list[list[float]] = [[] for _ in cases]
            for _ in range(n):  # round robin, so every case sees the same machine
                for (_, call), out, used in zip(cases, samples, cpu, strict=True):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    call()
                    out.append((time.perf_counter() - start) * 1000.0)
                    used.append((time.process_time() - start_cpu) * 1000.0)
        finally:
            bench.close()
    return [Result(backend, size, label, s, c) for (label, _), s, c in zip(cases, samples, cpu, strict=True)]


def tables(results: list[Result], sizes: list[int]) -> tuple[str, str, list[str]]:
    detail = [("backend", "contacts", "case", "n", "p50 ms", "p90 ms", "p50 / baseline", "CPU p50 ms")]
    labels = list(dict.fromkeys(r.case for r in results))
    for r in results:
        base = next(b for b in results if b.backend == r.backend and b.size == r.size and b.case == labels[0])
        detail.append((r.backend, f"{r.size:,}", r.case, str(len(r.samples_ms)), f"{r.p50:.2f}", f"{r.p90:.2f}",
                       "-" if r is base else f"{r.p50 / base.p50:.1f}x", f"{r.cpu_p50:.2f}"))
    small, large = min(sizes), max(sizes)
    summary = [tuple(["backend", "case"] + [f"p50 at {s:,}" for s in sizes]
                     + [f"{large // 1000}k / {small // 1000}k", "target met"])]
    missed = []
    for backend in dict.fromkeys(r.backend for r in results):
        for label in labels:
            by_size = {r.size: r for r in results if r.backend == backend and r.case == label}
            ratio = by_size[large].p50 / by_size[small].p50
            if label == labels[0]:
                verdict = "-"
            elif "dashboard" in label:
                verdict = "yes" if by_size[large].p50 < DASHBOARD_LIMIT_MS else "NO"
            else:
                verdict = "yes" if ratio < TARGET_RATIO and all(r.p50 < TARGET_P50_MS for r in by_size.values()) \
                    else "NO"
            if verdict == "NO":
                missed.append(f"{backend}: {label}")
            summary.append(tuple([backend, label] + [f"{by_size[s].p50:.2f} ms" for s in sizes]
                                 + [f"{ratio:.2f}x", verdict]))
    return markdown(detail), markdown(summary), missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated contact counts")
    parser.add_argument("--n", type=int, default=100, help="timed calls per case and size (100)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first (5)")
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    parser.add_argument("--only", default="queue,search,dashboard", help="which groups of cases (all three)")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    only = {g.strip() for g in args.only.split(",") if g.strip()}
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes comma-separated integers")
    if any(b not in BACKENDS for b in backends) or not backends or args.n < 1 or args.warmup < 0 \
            or len(sizes) < 2 or sizes[0] < 100 or not only <= {"queue", "search", "dashboard"}:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --n >= 1; --warmup >= 0; at least two sizes, "
                     "each >= 100; --only from queue, search, dashboard")
    print(f"The workspace: {args.n} timed calls per case, size and backend, {args.warmup} warm-up rounds "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    results: list[Result] = []
    for backend in backends:
        for size in sizes:
            results.extend(run_size(backend, size, args.n, args.warmup, only))
    detail, summary, missed = tables(results, sizes)
    print(f"\n{detail}\n\n{summary}\n")
    if missed:
        print(f"Target missed (p50 under {TARGET_P50_MS:g} ms and {max(sizes):,} / {min(sizes):,} under "
              f"{TARGET_RATIO:g}x; the dashboard under {DASHBOARD_LIMIT_MS:g} ms) on: " + "; ".join(missed))
    else:
        print("Target met on every case.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
