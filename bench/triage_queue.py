"""Benchmark (issue 6): the domestic abuse triage queue page at 100,000 notifications, beside the contact queue page.

One fresh migrated database per backend holds N police notifications (default 100,000) and N contacts, both
bulk-inserted with SQLAlchemy Core. Notifications: red 15%, amber 35%, green 50%; received over the last
six weeks; 70% already triaged (closed), so the partial index over open notifications has something to leave
out. Every encrypted column holds one ready-made token, reused: the queue never decrypts it. Contacts are
seeded exactly as bench/queue_page.py seeds them.

A practitioner signs in once (password, then TOTP) through the Flask test client, in-process; then these cases
take turns, request by request, so drift on the machine lands on all of them alike:

  * baseline: GET /healthz;
  * GET /staff/police: the triage queue's first page, and its 11th page (cursor found by following links);
  * GET /staff/queue: the contact queue's first page, and its 11th page;

    .venv/bin/python bench/triage_queue.py [--size 100000] [--n 200] [--warmup 10] [--backends sqlite,postgres]

Nothing personal is printed: only timings and counts.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

import pyotp  # noqa: E402
from benchlib import BACKENDS, markdown, percentile  # noqa: E402
from queue_page import PASSWORD, build_portal, seed_contacts  # noqa: E402
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select, text  # noqa: E402

from store.crypto import EncryptedJSON, EncryptedText, generate_key, keyring  # noqa: E402
from store.migrate import upgrade  # noqa: E402

DEEP_PAGES = 10
CLOSED_SHARE = 0.70
RAG = (("red", 0, "high", 0.15), ("amber", 1, "medium", 0.35), ("green", 2, "standard", 0.50))
NEXT_RE = re.compile(r'href="(/staff/(?:police|queue)\?[^"]*after=[^"]+)"')


def raw_table(model) -> Table:
    """The model's table with encrypted columns as plain Text, so one ready-made token can be reused."""
    columns = [Column(c.name, Text() if isinstance(c.type, (EncryptedText, EncryptedJSON)) else c.type,
                      primary_key=c.primary_key)
               for c in model.__table__.columns]
    return Table(model.__tablename__, MetaData(), *columns)


def seed_notifications(engine, n: int, now: dt.datetime, seed: int = 6) -> dict[str, int]:
    from mash.models import DomesticAbuseNotification

    rng = random.Random(seed)
    table = raw_table(DomesticAbuseNotification)
    token, empty = keyring.encrypt("fictional"), keyring.encrypt("[]")
    window = dt.timedelta(weeks=6).total_seconds()
    counts = {"open": 0, "closed": 0}
    batch: list[dict] = []
    with engine.begin() as conn:
        for i in range(1, n + 1):
            rag, rank, grade, _ = rng.choices(RAG, weights=[w for *_, w in RAG])[0]
            received = now - dt.timedelta(seconds=rng.uniform(0, window))
            closed = rng.random() < CLOSED_SHARE
            counts["closed" if closed else "open"] += 1
            batch.append({
                "police_reference": f"BENCH/DA/{i:07d}", "source": "bench", "received_at": received,
                "occurred_at": received - dt.timedelta(hours=8), "address": token, "postcode": token,
                "household_index": f"{rng.randrange(n // 3):032x}", "adults": empty, "summary": token,
                "police_grade": grade, "dash_ticks": {"high": 15, "medium": 11, "standard": 4}[grade],
                "children_present": rng.random() < 0.6, "school_informed": "yes", "grade": grade, "rag": rag,
                "risk_rank": rank, "due_at": received + dt.timedelta(hours={0: 4, 1: 24, 2: 72}[rank]),
                "household_count": rng.randint(1, 4), "marac_flags": [], "status": "triaged" if closed else "new",
                "triaged_at": received + dt.timedelta(hours=3) if closed else None,
                "closed_at": received + dt.timedelta(hours=3) if closed else None,
            })
            if len(batch) == 5000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE domestic_abuse_notifications"))
    return counts


class TriageBench:
    def __init__(self, url: str, workdir: Path, size: int) -> None:
        from mash.models import Contact, DomesticAbuseNotification
        from mash.staff import create_user

        fernet_key, index_key = generate_key(), "bench-blind-index-" + uuid.uuid4().hex
        keyring.configure([fernet_key], index_key)
        self.app = build_portal(url, workdir, fernet_key, index_key)
        self.engine = self.app.extensions["frontdoor.engine"]
        sessions = self.app.extensions["frontdoor.sessionmaker"]
        secret, email = pyotp.random_base32(), f"practitioner-{uuid.uuid4().hex[:8]}@bench.invalid"
        with sessions() as dbs:
            user = create_user(dbs, email=email, name="Bench Practitioner", role="practitioner", password=PASSWORD,
                               totp_secret=secret).user
            dbs.commit()
            user_id = user.id
        now = dt.datetime.now(dt.UTC)
        self.notifications = seed_notifications(self.engine, size, now)
        self.contacts = seed_contacts(self.engine, size, user_id, now)
        with sessions() as dbs:
            stored = (dbs.scalar(select(func.count()).select_from(DomesticAbuseNotification)),
                      dbs.scalar(select(func.count()).select_from(Contact)))
        if stored != (size, size):
            raise RuntimeError(f"expected {size:,} of each, found {stored}")
        self.client = self.app.test_client()
        first = self.client.post("/staff/sign-in", data={"email": email, "password": PASSWORD})
        second = self.client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        if first.status_code != 302 or second.status_code != 302 or "sign-in" in second.headers.get("Location", ""):
            raise RuntimeError("sign-in refused")
        self.deep = {"police": self._follow("/staff/police"), "queue": self._follow("/staff/queue")}

    def _follow(self, url: str) -> str:
        """The URL of the page after DEEP_PAGES pages, found by following "Next page" as a person would."""
        for _ in range(DEEP_PAGES):
            match = NEXT_RE.search(self.client.get(url).get_data(as_text=True))
            if match is None:
                raise RuntimeError(f"{url.split('?')[0]} has fewer than {DEEP_PAGES + 1} pages")
            url = match.group(1).replace("&amp;", "&")
        return url

    def _page(self, url: str) -> None:
        response = self.client.get(url)
        if response.status_code != 200 or response.data.count(b'<tr class="govuk-table__row">') != 51:
            raise RuntimeError(f"{url.split('?')[0]} did not show a full page (HTTP {response.status_code})")

    def healthz(self) -> None:
        if self.client.get("/healthz").status_code != 200:
            raise RuntimeError("/healthz failed")

    def police_first(self) -> None:
        self._page("/staff/police")

    def police_deep(self) -> None:
        self._page(self.deep["police"])

    def queue_first(self) -> None:
        self._page("/staff/queue")

    def queue_deep(self) -> None:
        self._page(self.deep["queue"])


CASES = [
    ("baseline (GET /healthz)", "healthz"),
    ("GET /staff/police (triage), first page", "police_first"),
    (f"GET /staff/police (triage), page {DEEP_PAGES + 1}", "police_deep"),
    ("GET /staff/queue (contacts), first page", "queue_first"),
    (f"GET /staff/queue (contacts), page {DEEP_PAGES + 1}", "queue_deep"),
]


def run(backend: str, size: int, n: int, warmup: int) -> list[tuple[str, list[float]]]:
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        upgrade(url)
        started = time.perf_counter()
        bench = TriageBench(url, Path(tmp), size)
        print(f"  {backend}: {size:,} notifications ({bench.notifications['open']:,} open) and {size:,} contacts "
              f"({bench.contacts['open']:,} open); loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        try:
            calls = [getattr(bench, method) for _, method in CASES]
            for _ in range(warmup):
                for call in calls:
                    call()
            gc.collect()
            samples: list[list[float]] = [[] for _ in CASES]
            for _ in range(n):
                for call, out in zip(calls, samples, strict=True):
                    start = time.perf_counter()
                    call()
                    out.append((time.perf_counter() - start) * 1000.0)
        finally:
            bench.engine.dispose()
    return [(label, s) for (label, _), s in zip(CASES, samples, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="notifications, and contacts (100,000)")
    parser.add_argument("--n", type=int, default=200, help="timed calls per case (200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if any(b not in BACKENDS for b in backends) or args.size < 50 * (DEEP_PAGES + 2) / (1 - CLOSED_SHARE):
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --size must give {DEEP_PAGES + 1} full pages")
    print(f"Triage queue beside contact queue: {args.n} timed calls per case, {args.warmup} warm-up rounds "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    rows = [("backend", "rows each", "case", "n", "p50 ms", "p90 ms", "p50 / baseline")]
    for backend in backends:
        results = run(backend, args.size, args.n, args.warmup)
        base = percentile(results[0][1], 50)
        for label, samples in results:
            p50 = percentile(samples, 50)
            rows.append((backend, f"{args.size:,}", label, str(len(samples)), f"{p50:.2f}",
                         f"{percentile(samples, 90):.2f}", "-" if label == results[0][0] else f"{p50 / base:.1f}x"))
    print()
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
