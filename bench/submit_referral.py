"""Benchmark (issue 2): submitting a complete referral through the app, beside a bare-Flask baseline.

For each backend (SQLite file in WAL mode, PostgreSQL) this builds a fresh migrated database and times
`POST /report/check` -- the final submit of the web journey, for a draft whose every page is already
answered -- through the Flask test client, in-process. Each draft is prepared before its request and is not
timed: a Draft row is written with the fictional answers of `forms.examples.professional_concern()` (a new
child each time, with the same postcode) and its id
is put into the test client's session, as the journey's pages would have done.

The baseline, measured in the same run on the same backend, is a separate, bare Flask app with one POST route
that inserts one row into a one-table schema (SQLAlchemy Core, a fresh connection and transaction per request),
driven through the same test client. The two cases alternate request by request, so drift on the machine
lands on both alike.

Target: p50 under 30 ms, and under 3x the baseline's p50.

    .venv/bin/python bench/submit_referral.py [--n 1000] [--warmup 20] [--backends sqlite,postgres]
                                              [--profile]

Nothing personal is printed: only timings, counts and (with --profile) function names.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import statistics
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

from benchlib import BACKENDS, markdown  # noqa: E402
from flask import Flask, request  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)

from forms.drafts import save_answers, start_draft  # noqa: E402
from forms.examples import professional_concern  # noqa: E402
from portal.config import settings  # noqa: E402
from store.crypto import generate_key  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402

TARGET_P50_MS = 30.0
TARGET_RATIO = 3.0
DRAFT_KEY = "draft:report"
SUBMIT_URL = "/report/check"


# --- databases ------------------------------------------------------------------------------------------------



# --- the two cases ------------------------------------------------------------------------------------------------

def build_portal(url: str, workdir: Path) -> Flask:
    from portal import create_app

    return create_app({
        "TESTING": True,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "FIELD_ENCRYPTION_KEYS": [generate_key()],
        "BLIND_INDEX_KEY": "bench-blind-index-" + uuid.uuid4().hex,
        "AUDIT_HMAC_KEYS": ["bench:" + uuid.uuid4().hex * 2],
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "FORCE_HTTPS": False,
        "SESSION_COOKIE_SECURE": False,
    })


class PortalCase:
    """One timed submit per call; the draft it submits is written beforehand, untimed."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.app = build_portal(url, workdir)
        self.client = self.app.test_client()
        self.sessionmaker = self.app.extensions["frontdoor.sessionmaker"]
        self.ttl = dt.timedelta(hours=settings(self.app).draft_ttl_hours)
        self.answers = professional_concern()
        self.count = 0

    def prepare(self) -> None:
        # A different (fictional) child each time, as in life: the same child a thousand times would measure
        # repeat-referral matching against a thousand earlier referrals instead.
        self.count += 1
        child = {**self.answers["children"][0], "first_name": f"Child{self.count}", "last_name": f"Family{self.count}",
                 "date_of_birth": (dt.date(2012, 1, 1) + dt.timedelta(days=self.count % 4000)).isoformat(),
                 "postcode": f"RG{1 + self.count % 45} {1 + self.count % 9}{'ABDEFGHJ'[self.count % 8]}"
                             f"{'LNPQRSTU'[self.count // 8 % 8]}"}
        with self.sessionmaker() as dbs:
            draft = start_draft(dbs, "report", ttl=self.ttl)
            save_answers(draft, {**self.answers, "children": [child]}, ttl=self.ttl)
            dbs.commit()
            draft_id = draft.id
        with self.client.session_transaction() as session:
            session[DRAFT_KEY] = draft_id

    def submit(self) -> None:
        response = self.client.post(SUBMIT_URL)
        if response.status_code != 302 or not response.headers.get("Location", "").endswith("/report/confirmation"):
            raise RuntimeError(f"submit did not reach the confirmation page (HTTP {response.status_code})")

    def check(self, expected: int) -> str:
        from mash import audit
        from mash.models import Contact

        with self.sessionmaker() as dbs:
            stored = dbs.scalar(select(func.count()).select_from(Contact))
            chain = audit.verify(dbs)
        if stored != expected:
            raise RuntimeError(f"expected {expected} contacts, found {stored}")
        if not chain.ok or chain.checked != 2 * expected:
            raise RuntimeError(f"audit chain check failed: {chain}")
        return f"{stored} contacts, {chain.checked} audit events, chain verified"

    def close(self) -> None:
        self.app.extensions["frontdoor.engine"].dispose()


class BaselineCase:
    """A bare Flask app: one POST route, one INSERT, a fresh connection and transaction per request."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)  # the same pragmas (WAL) and pool as the portal's engine
        metadata = MetaData()
        self.table = Table(
            "bench_baseline", metadata,
            Column("id", Integer, primary_key=True),
            Column("received_at", DateTime(timezone=True), nullable=False),
            Column("body", String(200), nullable=False),
        )
        metadata.create_all(self.engine)
        app = Flask("bench_baseline")
        app.config["TESTING"] = True
        table, engine = self.table, self.engine

        @app.post("/insert")
        def insert_one():
            with engine.begin() as conn:
                conn.execute(insert(table).values(received_at=dt.datetime.now(dt.UTC), body=request.form["body"]))
            return "", 204

        self.client = app.test_client()

    def prepare(self) -> None:
        pass

    def submit(self) -> None:
        response = self.client.post("/insert", data={"body": "baseline"})
        if response.status_code != 204:
            raise RuntimeError(f"baseline insert failed (HTTP {response.status_code})")

    def check(self, expected: int) -> str:
        with self.engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(self.table))
        if stored != expected:
            raise RuntimeError(f"expected {expected} baseline rows, found {stored}")
        return f"{stored} rows"

    def close(self) -> None:
        self.engine.dispose()


# --- measuring -------------------------------------------------------------------------------------------------

@dataclass
class Result:
    backend: str
    case: str
    samples_ms: list[float]

    @property
    def n(self) -> int:
        return len(self.samples_ms)

    def percentile(self, p: int) -> float:
        if self.n == 1:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[p - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)


def timed(case: PortalCase | BaselineCase, profiler: cProfile.Profile | None = None) -> float:
    case.prepare()
    if profiler is not None:
        profiler.enable()
    start = time.perf_counter()
    case.submit()
    elapsed = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
    return elapsed * 1000.0


def run_backend(backend: str, n: int, warmup: int, profile: bool) -> tuple[list[Result], str | None]:
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        upgrade(url)
        portal, baseline = PortalCase(url, Path(tmp)), BaselineCase(url)
        try:
            for _ in range(warmup):
                timed(baseline)
                timed(portal)
            gc.collect()
            profiler = cProfile.Profile() if profile else None
            portal_ms: list[float] = []
            baseline_ms: list[float] = []
            for _ in range(n):  # alternate, so both cases see the same machine
                baseline_ms.append(timed(baseline))
                portal_ms.append(timed(portal, profiler))
            print(f"  {backend}: portal {portal.check(n + warmup)}; baseline {baseline.check(n + warmup)}",
                  file=sys.stderr)
        finally:
            portal.close()
            baseline.close()
    report = None
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        report = out.getvalue()
    return [Result(backend, "baseline (bare Flask insert)", baseline_ms),
            Result(backend, "submit referral (POST /report/check)", portal_ms)], report


def table(results: list[Result]) -> str:
    header = ("backend", "case", "n", "p50 ms", "p99 ms", "p50 / baseline", "p50 < 30 ms", "ratio < 3")
    rows = [header]
    baselines = {r.backend: r for r in results if r.case.startswith("baseline")}
    for r in results:
        base = baselines[r.backend]
        ratio = r.p50 / base.p50
        is_base = r is base
        rows.append((r.backend, r.case, str(r.n), f"{r.p50:.2f}", f"{r.p99:.2f}", f"{ratio:.1f}x",
                     "-" if is_base else ("yes" if r.p50 < TARGET_P50_MS else "NO"),
                     "-" if is_base else ("yes" if ratio < TARGET_RATIO else "NO")))
    return markdown(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="timed submissions per case and backend (1000)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed submissions first (20)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the timed referral submissions and print the top functions")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends or args.n < 1 or args.warmup < 0:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --n >= 1; --warmup >= 0")

    print(f"Submitting a referral: {args.n} timed submissions per case and backend, {args.warmup} warm-up "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    results: list[Result] = []
    for backend in backends:
        backend_results, report = run_backend(backend, args.n, args.warmup, args.profile)
        results.extend(backend_results)
        if report:
            print(f"\n--- cProfile, {backend}: {args.n} timed submissions ---\n{report}")
    print()
    print(table(results))
    baselines = {r.backend: r for r in results if r.case.startswith("baseline")}
    missed = [r for r in results if r is not baselines[r.backend]
              and not (r.p50 < TARGET_P50_MS and r.p50 / baselines[r.backend].p50 < TARGET_RATIO)]
    print()
    if missed:
        print("Target missed (p50 < 30 ms and < 3x baseline) on: " + ", ".join(r.backend for r in missed))
    else:
        print("Target met on every backend (p50 < 30 ms and < 3x baseline).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
