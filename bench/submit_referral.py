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

--servers dev,production (issue 11) measures over HTTP instead, both servers up side by side in one run:

  * dev:        the development server as `make run` starts it (`frontdoor run --no-reload`, Werkzeug, one
                process, development settings, a SQLite file);
  * production: the production profile as `make run-production` starts it (gunicorn, portal/gunicorn_conf.py:
                2 processes of 4 threads, serving HTTPS itself with a self-signed certificate;
                FRONTDOOR_ENV=production, so the app refuses to start without its settings; a PostgreSQL
                role and database of its own; Redis, with a user of its own, for rate limits, sessions and
                jobs). Rasa and the workers are not started: no web referral calls them.

Each referral is a person's browser (a new cookie jar) walking the whole "report a concern" journey page by
page, with the form's CSRF token, as tests.journey_support.walk does; a different fictional child each
time. Timed: the final submit (POST /report/check, as in-process) and the whole journey. Baseline, in the
same run, on the same server and the same kept-alive connection straight after each submit: GET /healthz
(the server, the framework and one `SELECT 1`). `--concurrency 1,8` referrers at once; the servers take
turns, a round of referrals each, the order swapping every round (ABBA), so drift on the machine lands on
both. Also: each server's CPU per referral (its processes, from /proc; PostgreSQL's and Redis's own CPU are
not in it) and referrals per second. Afterwards every referral is counted in each database, once, and each
audit chain verifies.

    .venv/bin/python bench/submit_referral.py --servers dev,production [--n 120] [--warmup 8]
                                              [--concurrency 1,8]

Nothing personal is printed: only timings, counts and (with --profile) function names.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import itertools
import os
import pstats
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

from benchlib import (  # noqa: E402
    BACKENDS,
    Processes,
    Server,
    children,
    cpu_seconds,
    markdown,
    peak_memory_mib,
    percentile,
    production_services,
    start_development_portal,
    start_production_portal,
)
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
ANSWERS = professional_concern()


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


def referral_answers(answers: dict, count: int) -> dict:
    """The fictional professional's referral, about a different (fictional) child each time, as in life: the
    same child a thousand times would measure repeat-referral matching against a thousand earlier referrals."""
    child = {**answers["children"][0], "first_name": f"Child{count}", "last_name": f"Family{count}",
             "date_of_birth": (dt.date(2012, 1, 1) + dt.timedelta(days=count % 4000)).isoformat(),
             "postcode": f"RG{1 + count % 45} {1 + count % 9}{'ABDEFGHJ'[count % 8]}{'LNPQRSTU'[count // 8 % 8]}"}
    return {**answers, "children": [child]}


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
        self.count += 1
        with self.sessionmaker() as dbs:
            draft = start_draft(dbs, "report", ttl=self.ttl)
            save_answers(draft, referral_answers(self.answers, self.count), ttl=self.ttl)
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


# --- over HTTP: the development server beside the production profile (issue 11) ----------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# One machine plays every referrer: the per-address limits are for machines, not for this benchmark. The limiter
# still counts every request (in memory on the development server, in Redis on the production profile).
UNLIMITED = {"SUBMIT_RATE_LIMIT": "1000000 per minute", "PAGE_RATE_LIMIT": "1000000 per minute"}
SERVERS = ("dev", "production")


class Browser:
    """One person's browser over real HTTP(S), with the little interface tests.journey_support.walk drives
    (get and post, answering status_code and location): its own cookies and connections, the form's CSRF token,
    a same-origin Referer as browsers send. Times the final submit and, straight after it on the same kept-alive
    connection, GET /healthz."""

    @dataclass
    class Answer:
        status_code: int
        location: str

    def __init__(self, server: Server) -> None:
        self.server = server
        self.session = server.session()
        self.token: str | None = None
        self.requests = 0
        self.submit_s = self.healthz_s = 0.0

    def _send(self, method: str, path: str, **kwargs):
        self.requests += 1
        response = self.session.request(method, self.server.url + path, allow_redirects=False, timeout=60, **kwargs)
        if response.status_code >= 500 or response.status_code == 429:
            raise RuntimeError(f"{self.server.name}: {method} {path.split('?')[0]} answered HTTP "
                               f"{response.status_code}")
        return response

    def _answer(self, response) -> Browser.Answer:
        if found := CSRF.search(response.text):
            self.token = found.group(1)
        if response.request.method == "GET":
            self.session.headers["Referer"] = response.url
        where = urlsplit(response.headers.get("Location", ""))
        return self.Answer(response.status_code, where.path + (f"?{where.query}" if where.query else ""))

    def get(self, path: str) -> Browser.Answer:
        return self._answer(self._send("GET", path))

    def post(self, path: str, data: dict | None = None) -> Browser.Answer:
        if self.token is None:
            self.get("/report/")  # the start page, where a person begins
        form = {**(data or {}), "csrf_token": self.token}
        if path != SUBMIT_URL:
            return self._answer(self._send("POST", path, data=form))
        start = time.perf_counter()
        response = self._send("POST", path, data=form)
        self.submit_s = time.perf_counter() - start
        if response.status_code != 302 or not response.headers.get("Location", "").endswith("/report/confirmation"):
            raise RuntimeError(f"{self.server.name}: submit did not reach the confirmation page "
                               f"(HTTP {response.status_code})")
        start = time.perf_counter()
        health = self._send("GET", "/healthz")
        self.healthz_s = time.perf_counter() - start
        if health.status_code != 200:
            raise RuntimeError(f"{self.server.name}: /healthz answered HTTP {health.status_code}")
        return self._answer(response)


@dataclass
class Referral:
    journey_s: float
    submit_s: float
    healthz_s: float
    requests: int


def refer(server: Server, count: int) -> Referral:
    """One whole "report a concern" journey, page by page, by a new browser."""
    from tests.journey_support import walk

    browser = Browser(server)
    start = time.perf_counter()
    try:
        walk(browser, "report", referral_answers(ANSWERS, count))
    finally:
        browser.session.close()
    return Referral(time.perf_counter() - start, browser.submit_s, browser.healthz_s, browser.requests)


@dataclass
class Level:
    """One server's referrals at one concurrency: the samples, and what its rounds cost."""

    referrals: list[Referral] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    recycled: int = 0  # rounds in which a server process was replaced (gunicorn's max_requests; counted in CPU)

    def ms(self, attribute: str, p: int) -> float:
        return 1000 * percentile([getattr(r, attribute) for r in self.referrals], p)


def process_ids(processes: Processes, server: Server) -> set[int]:
    pid = processes.pid(server.process)
    return {pid, *children(pid)}


def run_http(servers: list[Server], processes: Processes, n: int, warmup: int,
             levels: list[int]) -> dict[tuple[int, str], Level]:
    """Warm each server up one referral at a time, then for each concurrency level: rounds of 2 x level referrals
    a server, the servers taking turns, the order swapping each round (ABBA)."""
    counter = itertools.count(1)
    lock = threading.Lock()

    def next_count() -> int:
        with lock:
            return next(counter)

    for server in servers:
        for _ in range(warmup):
            refer(server, next_count())
    results = {(level, server.name): Level() for level in levels for server in servers}
    for level in levels:
        per_round = 2 * level
        rounds = -(-n // per_round)
        with ThreadPoolExecutor(max_workers=level) as pool:
            for r in range(rounds):
                for server in servers if r % 2 == 0 else servers[::-1]:
                    result = results[level, server.name]
                    pids = process_ids(processes, server)
                    cpu, client = cpu_seconds(processes.pid(server.process)), time.process_time()
                    start = time.monotonic()
                    result.referrals.extend(pool.map(lambda _, s=server: refer(s, next_count()), range(per_round)))
                    result.wall_s += time.monotonic() - start
                    result.server_cpu_s += cpu_seconds(processes.pid(server.process)) - cpu
                    result.client_cpu_s += time.process_time() - client
                    result.recycled += process_ids(processes, server) != pids
            print(f"  {level} at once: {rounds} rounds of {per_round} referrals a server", file=sys.stderr)
    return results


def check_http(server: Server, expected: int) -> str:
    """Every referral stored once (as many contacts, each its own reference) and the audit chain verified."""
    from mash import audit
    from mash.models import Contact
    from store.db import make_sessionmaker

    audit.configure_keys(server.env["AUDIT_HMAC_KEYS"])
    engine = make_engine(server.database_url)
    try:
        with make_sessionmaker(engine)() as dbs:
            stored = dbs.scalar(select(func.count()).select_from(Contact))
            references = dbs.scalar(select(func.count(func.distinct(Contact.reference))))
            chain = audit.verify(dbs)
    finally:
        engine.dispose()
    if stored != expected or references != expected:
        raise RuntimeError(f"{server.name}: expected {expected} contacts, found {stored} ({references} references)")
    if not chain.ok:
        raise RuntimeError(f"{server.name}: audit chain check failed: {chain}")
    return f"{stored} contacts, each its own reference; {chain.checked} audit events, chain verified"


def http_main(names: list[str], n: int, warmup: int, levels: list[int]) -> int:
    load_before, began = os.getloadavg(), time.monotonic()
    print(f"Referrals over HTTP: {', '.join(names)}; {n} timed referrals a server at each of "
          f"{', '.join(map(str, levels))} at once, {warmup} warm-up (Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, ExitStack() as stack:
        processes = Processes(Path(tmp))
        stack.callback(processes.stop_all)
        servers = []
        started = time.monotonic()
        for name in names:
            if name == "dev":
                servers.append(start_development_portal(processes, "dev", **UNLIMITED))
            else:
                services = stack.enter_context(production_services(Path(tmp)))
                servers.append(start_production_portal(processes, "production", services, **UNLIMITED))
        processes.wait_until_ready({s.process: s.healthy for s in servers}, started)
        results = run_http(servers, processes, n, warmup, levels)
        memory = {s.name: peak_memory_mib(processes.pid(s.process)) for s in servers}
        requests_each = {s.name: statistics.median(r.requests for lv in levels for r in results[lv, s.name].referrals)
                         for s in servers}
        for server in servers:
            total = warmup + sum(len(results[lv, server.name].referrals) for lv in levels)
            print(f"  {server.name}: {check_http(server, total)}", file=sys.stderr)
    load_after, whole = os.getloadavg(), time.monotonic() - began

    print("\n## Submitting a referral over HTTP: the development server beside the production profile\n")
    rows = [("server", "at once", "n", "submit p50 ms", "submit p99 ms", "/healthz p50 ms", "submit / healthz p50",
             "journey p50 ms", "journey p99 ms", "referrals / s", "server CPU ms / referral", "server cores busy",
             "client CPU ms / referral")]
    for (level, name), r in results.items():
        count = len(r.referrals)
        rows.append((name, str(level), str(count), f"{r.ms('submit_s', 50):.1f}", f"{r.ms('submit_s', 99):.1f}",
                     f"{r.ms('healthz_s', 50):.1f}", f"{r.ms('submit_s', 50) / r.ms('healthz_s', 50):.1f}x",
                     f"{r.ms('journey_s', 50):.0f}", f"{r.ms('journey_s', 99):.0f}", f"{count / r.wall_s:.1f}",
                     f"{1000 * r.server_cpu_s / count:.0f}",
                     f"{r.server_cpu_s / r.wall_s:.2f}", f"{1000 * r.client_cpu_s / count:.0f}"))
    print(markdown(rows))
    replaced = {f"{name}, {level} at once": r.recycled for (level, name), r in results.items() if r.recycled}
    if replaced:
        print(f"\nRounds in which a server process was replaced (gunicorn's max_requests; its start-up is in the "
              f"CPU above): {replaced}")
    print()
    print(markdown([("server", "requests per journey", "start-up s (to /healthz)", "peak memory MiB (VmHWM)"),
                    *[(s.name, f"{requests_each[s.name]:.0f}", f"{processes.startup[s.process]:.1f}",
                       f"{memory[s.name]:.0f}") for s in servers]]))
    print(f"\nWhole run {whole:.0f} s; load average (1, 5, 15 min) {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f} before, {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} after, on "
          f"{os.cpu_count()} cores. Server CPU: the portal's own processes with the /healthz requests (gunicorn's "
          f"master and workers; SQLite works inside the development server, PostgreSQL and Redis are not counted).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="timed submissions per case and backend (1000); with --servers, "
                                                  "timed referrals per server and concurrency level (120)")
    parser.add_argument("--warmup", type=int, help="untimed submissions first (20; with --servers, 8 a server)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the timed referral submissions and print the top functions")
    parser.add_argument("--servers", help="over HTTP instead, comma-separated: dev,production (see above)")
    parser.add_argument("--concurrency", default="1,8", help="with --servers: referrers at once, comma-separated")
    args = parser.parse_args(argv)
    if args.servers:
        names = [x.strip() for x in args.servers.split(",") if x.strip()]
        levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
        n, warmup = args.n or 120, 8 if args.warmup is None else args.warmup
        if not names or any(x not in SERVERS for x in names) or len(set(names)) < len(names) or not levels \
                or min(levels) < 1 or n < 1 or warmup < 0 or args.profile:
            parser.error(f"--servers takes {','.join(SERVERS)} (each once), --concurrency whole numbers >= 1, "
                         "--n >= 1, --warmup >= 0, and not --profile")
        return http_main(names, n, warmup, levels)
    args.n = 1000 if args.n is None else args.n
    args.warmup = 20 if args.warmup is None else args.warmup
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
