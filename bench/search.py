"""Benchmark (issue 4): postcode search with a radius and a category over 200, 10,000 and 100,000 services.

For each backend (SQLite file in WAL mode; PostgreSQL with --backends) one fresh migrated database is built and
grown through the sizes: the taxonomy is imported from signposting/data/taxonomy.json, then fictional services
are bulk-inserted with SQLAlchemy Core (not upsert_service per row), each with one organisation share (about one
organisation per five services), one location linked through service_at_locations, and one or two attributes
to random subcategory terms. Derived columns are plausible: status active, not closed, an age range (some
bounds open), 60% free, in person (not remote), two to five open days, languages ["english"], search_text from
name and description; `record` is a small ORUK-shaped dict. On PostgreSQL the tables are ANALYZEd after each
load, as autovacuum would; SQLite is left as the app leaves it (no ANALYZE).

Where the services are, so that the share within a radius is realistic:
  * the first 200 are the local directory, all within 25 miles of RG40 1BN (Wokingham), denser towards it
    (distance uniform in 0-25 miles, so about a fifth within 5 miles);
  * the rest are spread over England (latitude 50.5-53.5, longitude -3.0-0.5): half uniformly, half around
    28 town centres (Reading, Oxford, London, Birmingham, ...; a Gaussian with a 4-mile spread each), so the
    density near RG40 1BN grows with the size, but only as a town's would. The run prints how many services
    lie within 5 and 20 miles at each size, and each case's number of matches.

Cases, taking turns call by call (so drift on the machine lands on all alike), each call in a fresh session
from the same sessionmaker, as a request would have:
  * baseline: one page of a plain SELECT, `SELECT * FROM services ORDER BY name LIMIT 20`;
  * search(session, Query(postcode="RG40 1BN", radius=R, categories=(C,), per_page=20)) for R in 5 and 20
    miles and C the subcategory "Parenting support" or its top-level category "Family support" (which
    expands to its 12 subcategories). Each call checks its total against the matches worked out in Python
    from the generated data, so a broken search cannot look fast. The page is not serialised (to_oruk is
    not timed). The postcode data is warmed (postcodes.warm(["RG"])) before any timing.

Target (issue 4): p50 under 30 ms at 10,000 services; the 100k / 200 ratio of p50 is shown for each case.

    .venv/bin/python bench/search.py [--sizes 200,10000,100000] [--n 200] [--warmup 10]
                                     [--backends sqlite,postgres] [--explain] [--profile]

--explain prints the plans of the statements one search issues (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
ANALYZE on PostgreSQL) at each size; --profile prints cProfile's top functions for each search case at the
largest size (50 more calls each, not timed). Nothing personal is printed: only timings, counts, function
names and query plans (with any coordinate literal in a plan replaced by "?").
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import math
import os
import pstats
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

from benchlib import BACKENDS, markdown, percentile  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from signposting import postcodes  # noqa: E402
from signposting.directory import DEMO_TAXONOMY, import_taxonomy  # noqa: E402
from signposting.models import Attribute, Location, Organization, Service, ServiceAtLocation, TaxonomyTerm  # noqa: E402
from signposting.search import Query, search  # noqa: E402
from store.db import make_engine, make_sessionmaker  # noqa: E402
from store.migrate import upgrade  # noqa: E402

TARGET_P50_MS = 30.0
TARGET_SIZE = 10_000
ORIGIN_POSTCODE = "RG40 1BN"  # a public place (Wokingham), the issue's own example; not a person's address
LOCAL_SERVICES = 200
LOCAL_RADIUS_MILES = 25.0
ENGLAND = (50.5, 53.5, -3.0, 0.5)  # min lat, max lat, min lon, max lon
TOWN_SHARE = 0.5
TOWN_SPREAD_MILES = 4.0
SERVICES_PER_ORGANISATION = 5
BATCH = 5000
SUBCATEGORY = "Parenting support"
TOP_LEVEL = "Family support"
# Public town centres (approximate), for the clustered half of the England-wide services.
TOWNS = [
    ("Reading", 51.455, -0.971), ("Oxford", 51.752, -1.258), ("London", 51.507, -0.128),
    ("Birmingham", 52.480, -1.903), ("Coventry", 52.407, -1.512), ("Leicester", 52.637, -1.135),
    ("Nottingham", 52.954, -1.158), ("Derby", 52.922, -1.476), ("Northampton", 52.237, -0.895),
    ("Milton Keynes", 52.041, -0.760), ("Luton", 51.879, -0.418), ("Cambridge", 52.205, 0.122),
    ("Peterborough", 52.570, -0.241), ("Southampton", 50.910, -1.404), ("Portsmouth", 50.805, -1.087),
    ("Brighton", 50.823, -0.137), ("Guildford", 51.236, -0.570), ("Basingstoke", 51.267, -1.087),
    ("Swindon", 51.558, -1.782), ("Bristol", 51.455, -2.588), ("Bath", 51.381, -2.359),
    ("Gloucester", 51.864, -2.244), ("Worcester", 52.192, -2.220), ("Stoke-on-Trent", 53.003, -2.179),
    ("Sheffield", 53.381, -1.470), ("Manchester", 53.481, -2.243), ("Salisbury", 51.069, -1.795),
    ("Bournemouth", 50.720, -1.880),
]
NOUNS = ("Family Centre", "Community Trust", "Children's Charity", "Parents' Network", "Youth Project",
         "Family Hub", "Health Partnership", "Community Group")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
AGE_RANGES = ((None, None), (0, 4), (0, 18), (5, 11), (11, 18), (None, 25), (0, None), (2, 11))
PLAN_COORDINATE = re.compile(r"'-?\d+\.\d+(?:e[-+]?\d+)?'")  # a quoted float literal in a plan: a coordinate
PLAN_LIST = re.compile(r"'\{[^}]{120,}\}'")  # a long id list (ANY (...)), shortened to its length
PROFILE_CALLS = 50


# --- databases ------------------------------------------------------------------------------------------------



# --- fictional data -------------------------------------------------------------------------------------------

def _offset(lat: float, lon: float, miles: float, bearing: float) -> tuple[float, float]:
    """The point `miles` from (lat, lon) on `bearing` (radians), on the same sphere as distance_miles."""
    angular = miles / postcodes.EARTH_RADIUS_MILES
    phi1, lam1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(angular) + math.cos(phi1) * math.sin(angular) * math.cos(bearing))
    lam2 = lam1 + math.atan2(math.sin(bearing) * math.sin(angular) * math.cos(phi1),
                             math.cos(angular) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), math.degrees(lam2)


@dataclass
class Directory:
    """What has been generated so far: enough to know each search's right answer without the database."""

    origin: tuple[float, float]
    subcategories: list[tuple[str, str]]  # (id, name) of every term with a parent
    rng: random.Random = field(default_factory=lambda: random.Random(4))
    coords: list[tuple[float, float]] = field(default_factory=list)  # one per service, in order
    terms: list[tuple[str, ...]] = field(default_factory=list)  # each service's term ids
    organisations: list[str] = field(default_factory=list)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def size(self) -> int:
        return len(self.coords)

    def place(self, index: int) -> tuple[float, float, str]:
        rng = self.rng
        if index < LOCAL_SERVICES:
            lat, lon = _offset(*self.origin, rng.uniform(0, LOCAL_RADIUS_MILES), rng.uniform(0, 2 * math.pi))
            return lat, lon, "Wokingham area"
        min_lat, max_lat, min_lon, max_lon = ENGLAND
        if rng.random() >= TOWN_SHARE:
            return rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon), "England"
        while True:
            town, tlat, tlon = rng.choice(TOWNS)
            lat, lon = _offset(tlat, tlon, abs(rng.gauss(0, TOWN_SPREAD_MILES)), rng.uniform(0, 2 * math.pi))
            if min_lat <= lat <= max_lat and min_lon <= lon <= max_lon:
                return lat, lon, town

    def grow(self, engine, size: int) -> None:
        """Bulk-insert services up to `size` in all (organisations, locations, links, attributes)."""
        rng = self.rng
        rows: dict[str, list[dict]] = {"organizations": [], "services": [], "locations": [],
                                       "service_at_locations": [], "attributes": []}
        tables = {"organizations": Organization.__table__, "services": Service.__table__,
                  "locations": Location.__table__, "service_at_locations": ServiceAtLocation.__table__,
                  "attributes": Attribute.__table__}
        order = ("organizations", "services", "locations", "service_at_locations", "attributes")

        def flush(conn) -> None:
            for name in order:
                if rows[name]:
                    conn.execute(insert(tables[name]), rows[name])
                    rows[name] = []

        with engine.begin() as conn:
            for index in range(self.size, size):
                lat, lon, area = self.place(index)
                if index % SERVICES_PER_ORGANISATION == 0 or not self.organisations:
                    org_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    org_name = f"{area} {rng.choice(NOUNS)} {len(self.organisations) + 1}"
                    rows["organizations"].append({"id": org_id, "name": org_name, "record": {
                        "id": org_id, "name": org_name, "description": "A fictional organisation (benchmark data).",
                        "url": "https://example.org/", "email": "info@example.org"}})
                    self.organisations.append(org_id)
                org_id = self.organisations[-1]
                picked = rng.sample(self.subcategories, rng.choice((1, 2)))
                service_id, location_id, sal_id, cost_id = (str(uuid.UUID(int=rng.getrandbits(128), version=4))
                                                            for _ in range(4))
                name = f"{picked[0][1]} ({area}) {index + 1}"
                description = f"Fictional benchmark service offering {' and '.join(t[1] for t in picked).lower()}."
                low, high = rng.choice(AGE_RANGES)
                days = sorted(rng.sample(DAYS, rng.randint(2, 5)), key=DAYS.index)
                free = rng.random() < 0.6
                rows["services"].append({
                    "id": service_id, "organization_id": org_id, "name": name,
                    "search_text": f"{name} {description}".casefold(), "status": "active",
                    "minimum_age": low, "maximum_age": high, "is_free": free, "in_person": True, "remote": False,
                    "open_days": days, "languages": ["english"],
                    "accessibility": ["wheelchair accessible"] if rng.random() < 0.5 else [],
                    "last_modified": self.now, "assured_date": self.now.date(), "temporarily_closed": False,
                    "stale": False, "imported_at": self.now,
                    "record": {"id": service_id, "name": name, "description": description, "status": "active",
                               "organization_id": org_id, "minimum_age": low, "maximum_age": high,
                               "url": "https://example.org/service", "email": "hello@example.org",
                               "cost_options": [{"id": cost_id, "option": "Free" if free else "Paid",
                                                 "amount": 0 if free else 5}]},
                })
                location_name = f"{area} community venue {index + 1}"
                rows["locations"].append({
                    "id": location_id, "name": location_name, "latitude": lat, "longitude": lon,
                    "postcode": None, "sensitive": False,
                    "record": {"id": location_id, "name": location_name, "location_type": "physical",
                               "latitude": lat, "longitude": lon},
                })
                rows["service_at_locations"].append({
                    "id": sal_id, "service_id": service_id, "location_id": location_id,
                    "record": {"id": sal_id, "service_id": service_id, "location_id": location_id}})
                for term_id, _ in picked:
                    attribute_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    rows["attributes"].append({
                        "id": attribute_id, "service_id": service_id, "taxonomy_term_id": term_id,
                        "record": {"id": attribute_id, "link_id": service_id, "link_type": "service",
                                   "link_entity": "service", "taxonomy_term_id": term_id}})
                self.coords.append((lat, lon))
                self.terms.append(tuple(t for t, _ in picked))
                if len(rows["services"]) >= BATCH:
                    flush(conn)
            flush(conn)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for name in order:
                    conn.execute(text(f"ANALYZE {name}"))

    def within(self, radius: float) -> int:
        return sum(1 for lat, lon in self.coords if postcodes.distance_miles(*self.origin, lat, lon) <= radius)

    def matches(self, radius: float, term_ids: set[str]) -> int:
        return sum(1 for (lat, lon), terms in zip(self.coords, self.terms, strict=True)
                   if postcodes.distance_miles(*self.origin, lat, lon) <= radius and term_ids.intersection(terms))


# --- the cases ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    label: str
    radius: int
    term: str  # the category's name, looked up in the imported taxonomy


CASES = [
    Case(f"radius 5, {SUBCATEGORY}", 5, SUBCATEGORY),
    Case(f"radius 20, {SUBCATEGORY}", 20, SUBCATEGORY),
    Case(f"radius 5, {TOP_LEVEL} (top level)", 5, TOP_LEVEL),
    Case(f"radius 20, {TOP_LEVEL} (top level)", 20, TOP_LEVEL),
]
BASELINE = "baseline: SELECT * FROM services ORDER BY name LIMIT 20"


class SearchBench:
    """One database, grown through the sizes; the calls each case makes, and their right answers."""

    def __init__(self, url: str) -> None:
        upgrade(url)
        self.engine = make_engine(url)
        self.sessionmaker = make_sessionmaker(self.engine)
        with self.sessionmaker() as dbs:
            import_taxonomy(dbs, json.loads(DEMO_TAXONOMY.read_text(encoding="utf-8")))
            dbs.commit()
            terms = dbs.execute(select(TaxonomyTerm.id, TaxonomyTerm.name, TaxonomyTerm.parent_id)).all()
        by_name = {name: term_id for term_id, name, _ in terms}
        self.term_ids = {case.term: by_name[case.term] for case in CASES}
        self.expanded = {name: {tid for tid, _, parent in terms if tid == term_id or parent == term_id}
                         for name, term_id in self.term_ids.items()}
        origin = postcodes.lookup(ORIGIN_POSTCODE)
        if not origin.found:
            raise RuntimeError("the origin postcode is not in the postcode data")
        self.directory = Directory(origin=(origin.lat, origin.lon),
                                   subcategories=sorted((tid, name) for tid, name, parent in terms if parent))
        self.expected: dict[str, int] = {}

    def grow(self, size: int) -> float:
        started = time.perf_counter()
        self.directory.grow(self.engine, size)
        elapsed = time.perf_counter() - started
        with self.engine.connect() as conn:
            stored = conn.scalar(text("SELECT count(*) FROM services"))
        if stored != size:
            raise RuntimeError(f"expected {size} services, found {stored}")
        self.expected = {case.label: self.directory.matches(case.radius, self.expanded[case.term]) for case in CASES}
        return elapsed

    def query(self, case: Case) -> Query:
        return Query(postcode=ORIGIN_POSTCODE, radius=case.radius, categories=(self.term_ids[case.term],),
                     per_page=20)

    def baseline(self) -> None:
        with self.sessionmaker() as dbs:
            rows = dbs.execute(text("SELECT * FROM services ORDER BY name LIMIT 20")).all()
        if len(rows) != 20:
            raise RuntimeError("the baseline returned a short page")

    def searcher(self, case: Case) -> Callable[[], None]:
        query, expected = self.query(case), case.label

        def call() -> None:
            with self.sessionmaker() as dbs:
                results = search(dbs, query)
            if results.total != self.expected[expected] or len(results.nearby) != min(20, results.total):
                raise RuntimeError(f"{case.label}: {results.total} results, expected {self.expected[expected]}")
        return call

    def explain(self) -> str:
        """The plans of the statements each search case issues, as the database runs them."""
        out = []
        for case in CASES:
            statements: list[tuple[str, object]] = []

            def capture(_conn, _cursor, statement, parameters, _context, _many, into=statements):
                into.append((statement, parameters))

            event.listen(self.engine, "before_cursor_execute", capture)
            try:
                with self.sessionmaker() as dbs:
                    search(dbs, self.query(case))
            finally:
                event.remove(self.engine, "before_cursor_execute", capture)
            out.append(f"  {case.label}:")
            with self.engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                for number, (statement, parameters) in enumerate(statements, 1):
                    first = " ".join(statement.split())[:110]
                    cur = raw.cursor()
                    if self.engine.dialect.name == "sqlite":
                        cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                        plan = [row[3] for row in cur.fetchall()]
                    else:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                        plan = [row[0] for row in cur.fetchall()]
                    cur.close()
                    out.append(f"    [{number}] {first} ...")
                    out.extend(f"        {_redact(line)}" for line in plan)
                conn.rollback()
        return "\n".join(out)

    def close(self) -> None:
        self.engine.dispose()


def _redact(line: str) -> str:
    line = PLAN_COORDINATE.sub("'?'", line)
    return PLAN_LIST.sub(lambda m: f"'{{{m.group(0).count(',') + 1} ids}}'", line)


# --- measuring ------------------------------------------------------------------------------------------------

@dataclass
class Result:
    backend: str
    size: int
    case: str
    samples_ms: list[float]
    matches: int | None = None

    def percentile(self, p: int) -> float:
        return percentile(self.samples_ms, p)

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p90(self) -> float:
        return self.percentile(90)


def run_backend(backend: str, sizes: list[int], n: int, warmup: int, explain: bool,
                profile: bool) -> tuple[list[Result], list[str]]:
    results: list[Result] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        bench = SearchBench(url)
        try:
            previous = 0
            for size in sizes:
                seconds = bench.grow(size)
                d = bench.directory
                note = (f"{backend} {size:>7,}: generated {size - previous:,} services in "
                        f"{seconds:.1f} s ({len(d.organisations):,} organisations in all); within 5 miles "
                        f"{d.within(5):,}, within 20 miles {d.within(20):,}")
                notes.append(note)
                print("  " + note, file=sys.stderr)
                previous = size
                calls = [bench.baseline] + [bench.searcher(case) for case in CASES]
                for _ in range(warmup):
                    for call in calls:
                        call()
                gc.collect()
                samples: list[list[float]] = [[] for _ in calls]
                for _ in range(n):  # round robin, so every case sees the same machine
                    for call, out in zip(calls, samples, strict=True):
                        start = time.perf_counter()
                        call()
                        out.append((time.perf_counter() - start) * 1000.0)
                results.append(Result(backend, size, BASELINE, samples[0]))
                results.extend(Result(backend, size, case.label, s, bench.expected[case.label])
                               for case, s in zip(CASES, samples[1:], strict=True))
                if explain:
                    print(f"\n--- query plans, {backend}, {size:,} services ---\n{bench.explain()}\n",
                          file=sys.stderr)
                if profile and size == sizes[-1]:  # separate, untimed calls: the profiler's overhead is no figure
                    for case, call in zip(CASES, calls[1:], strict=True):
                        profiler = cProfile.Profile()
                        profiler.enable()
                        for _ in range(PROFILE_CALLS):
                            call()
                        profiler.disable()
                        buffer = io.StringIO()
                        stats = pstats.Stats(profiler, stream=buffer)
                        stats.sort_stats("cumulative").print_stats(35)
                        stats.sort_stats("tottime").print_stats(15)
                        print(f"\n--- cProfile, {backend}, {size:,} services, {case.label}: {PROFILE_CALLS} calls ---\n"
                              f"{buffer.getvalue()}", file=sys.stderr)
        finally:
            bench.close()
    return results, notes




def _size(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def tables(results: list[Result], sizes: list[int]) -> tuple[str, str, list[str]]:
    detail = [("backend", "services", "case", "matches", "n", "p50 ms", "p90 ms", "baseline p50 ms",
               "p50 / baseline", f"p50 < {TARGET_P50_MS:g} ms")]
    for r in results:
        base = next(b for b in results if b.backend == r.backend and b.size == r.size and b.case == BASELINE)
        is_base = r is base
        detail.append((r.backend, f"{r.size:,}", r.case, "-" if is_base else f"{r.matches:,}",
                       str(len(r.samples_ms)), f"{r.p50:.2f}", f"{r.p90:.2f}", f"{base.p50:.2f}",
                       "-" if is_base else f"{r.p50 / base.p50:.1f}x",
                       "-" if is_base else ("yes" if r.p50 < TARGET_P50_MS else "NO")))
    small, large = min(sizes), max(sizes)
    summary = [tuple(["backend", "case"] + [f"p50 at {s:,}" for s in sizes]
                     + [f"{_size(large)} / {_size(small)}", f"p50 < {TARGET_P50_MS:g} ms at {TARGET_SIZE:,}"])]
    missed = []
    for backend in dict.fromkeys(r.backend for r in results):
        for label in [BASELINE] + [case.label for case in CASES]:
            by_size = {r.size: r for r in results if r.backend == backend and r.case == label}
            is_base = label == BASELINE
            verdict = "-"
            if not is_base and TARGET_SIZE in by_size:
                ok = by_size[TARGET_SIZE].p50 < TARGET_P50_MS
                verdict = "yes" if ok else "NO"
                if not ok:
                    missed.append(f"{backend}: {label} ({by_size[TARGET_SIZE].p50:.1f} ms)")
            summary.append(tuple([backend, label] + [f"{by_size[s].p50:.2f} ms" for s in sizes]
                                 + [f"{by_size[large].p50 / by_size[small].p50:.1f}x", verdict]))
    return markdown(detail), markdown(summary), missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,10000,100000", help="comma-separated service counts")
    parser.add_argument("--n", type=int, default=200, help="timed calls per case and size (200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first (10)")
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite,postgres (sqlite)")
    parser.add_argument("--explain", action="store_true",
                        help="print the plans of each search's statements (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) "
                             "at each size")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile each search case at the largest size and print the top functions")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes comma-separated integers")
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends or args.n < 1 or args.warmup < 0 or len(sizes) < 2 or sizes[0] < 20:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --n >= 1; --warmup >= 0; at least two sizes, "
                     "each >= 20 (the baseline reads a page of 20)")

    started = time.perf_counter()
    postcodes.warm(["RG"])
    print(f"Postcode search: {args.n} timed calls per case, size and backend, {args.warmup} warm-up rounds; "
          f"postcode data for RG warmed in {time.perf_counter() - started:.2f} s "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    results: list[Result] = []
    notes: list[str] = []
    for backend in backends:
        backend_started = time.perf_counter()
        backend_results, backend_notes = run_backend(backend, sizes, args.n, args.warmup, args.explain,
                                                     args.profile)
        results.extend(backend_results)
        notes.extend(backend_notes + [f"{backend}: whole run {time.perf_counter() - backend_started:.0f} s"])
    detail, summary, missed = tables(results, sizes)
    print()
    print("\n".join(notes))
    print()
    print(detail)
    print()
    print(summary)
    print()
    if TARGET_SIZE not in sizes:
        print(f"Target (p50 under {TARGET_P50_MS:g} ms at {TARGET_SIZE:,} services) not checked: "
              f"{TARGET_SIZE:,} is not among the sizes.")
    elif missed:
        print(f"Target missed (p50 under {TARGET_P50_MS:g} ms at {TARGET_SIZE:,} services) on: " + "; ".join(missed))
    else:
        print(f"Target met: every search case's p50 at {TARGET_SIZE:,} services is under {TARGET_P50_MS:g} ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
