"""Benchmark (issue 14): a referral's intake with repeat matching by NHS number, over 1,000 and 100,000 children.

For each size, one fresh migrated database (SQLite file; PostgreSQL too with --backends) holds `size` earlier
children on contacts received in the last eleven months, bulk-inserted with SQLAlchemy Core as intake would have
stored them: names encrypted (tokens from a pool of 400 first and 400 last names), blind indexes of name, date of
birth and postcode, 80% with an NHS number and 50% with a UPN (valid check digits, all different). Dates of
birth spread over 18 years and postcodes over size / 25 postcode units, so at 100,000 a date of birth is shared
by about 15 children and a postcode by 25, as in a county's year of contacts.

Then each timed call is one whole intake (`receive_referral` on a validated professional referral, committed),
taking turns between:
  * repeat: the child of an earlier contact with its NHS number, another spelling of the surname and a new
    postcode; the call checks that the earlier contact was suggested with the score for the same NHS number;
  * new: a child nobody has referred (a new NHS number, a date of birth and postcode shared with others); the
    call checks that no "same NHS number" match was suggested;
  * baseline: the same repeat intake with repeat matching switched off (find_repeats returns nothing), so the
    matching's own cost is the difference.

Target (issue 14): p50 per intake, 100k / 1k ratio < 2.

    .venv/bin/python bench/repeat_matching.py [--sizes 1000,100000] [--n 150] [--warmup 10]
                                              [--backends sqlite,postgres]

Nothing personal is printed: the data is fictional and only timings and counts are shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from bench.benchlib import bulk_insert, markdown, percentile, postgres_database, raw_table, sqlite_database  # noqa: E402
from forms import examples  # noqa: E402
from forms.identifiers import nhs_check_digit, upn_check_letter  # noqa: E402
from forms.referral import JOURNEYS  # noqa: E402
from mash import audit, intake, repeats  # noqa: E402
from mash.models import Child, Contact, RepeatMatch  # noqa: E402
from store.crypto import keyring  # noqa: E402
from store.db import make_engine, make_sessionmaker  # noqa: E402
from store.migrate import upgrade  # noqa: E402

FIRST = [f"First{i:03d}" for i in range(400)]
LAST = [f"Family{i:03d}" for i in range(400)]
DOB_DAYS = 18 * 365


class Identifiers:
    """Valid, distinct NHS numbers and UPNs, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def nhs_number(self) -> str:
        while True:
            nine = f"{self.rng.randrange(400_000_000, 999_999_999):09d}"
            check = nhs_check_digit(nine)
            if check is not None and nine + str(check) not in self.used:
                self.used.add(nine + str(check))
                return nine + str(check)

    def upn(self) -> str:
        while True:
            twelve = f"{self.rng.randrange(10**11, 10**12):012d}"
            if twelve not in self.used:
                self.used.add(twelve)
                return upn_check_letter(twelve) + twelve


def postcode(number: int) -> str:
    return f"RG{1 + number % 45} {number // 45 % 10}{'ABDEFGHJLNPQRSTUWXYZ'[number // 450 % 20]}" \
           f"{'ABDEFGHJLNPQRSTUWXYZ'[number // 9000 % 20]}"


def seed(engine, size: int, ids: Identifiers, now: dt.datetime) -> list[dict]:
    """`size` earlier children, two to a contact on average; returns what the repeat calls refer back to."""
    rng = random.Random(size)
    first_tokens = {name: keyring.encrypt(name) for name in FIRST}
    last_tokens = {name: keyring.encrypt(name) for name in LAST}
    filler = keyring.encrypt("{}")
    postcodes = max(size // 25, 40)
    contacts, children, known = [], [], []
    contact_id, child_id = 0, 0
    while child_id < size:
        contact_id += 1
        received = now - dt.timedelta(days=rng.uniform(1, 330))
        contacts.append({
            "id": contact_id, "reference": f"FD-SEED-{contact_id:07d}", "kind": "concern", "channel": "web",
            "journey": "report", "status": "decided", "received_at": received,
            "decision_due_at": received + dt.timedelta(days=1), "closed_at": received + dt.timedelta(days=1),
            "rag": "amber", "risk_rank": 1, "safety_flags": [], "concern_categories": [], "referral_source": "2A",
            "referrer_type": "professional", "referrer_anonymous": False, "answers": filler, "version": 1})
        for position in range(rng.choice((1, 1, 2, 3))):
            child_id += 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            dob = (now.date() - dt.timedelta(days=rng.randrange(30, DOB_DAYS))).isoformat()
            code = postcode(rng.randrange(postcodes))
            nhs = ids.nhs_number() if rng.random() < 0.8 else None
            upn = ids.upn() if rng.random() < 0.5 else None
            children.append({
                "id": child_id, "contact_id": contact_id, "position": position, "unborn": False,
                "first_name": first_tokens[first], "last_name": last_tokens[last],
                "date_of_birth": filler, "postcode": filler, "details": filler,
                "first_name_index": keyring.blind_index("name", first),
                "last_name_index": keyring.blind_index("name", last),
                "date_of_birth_index": keyring.blind_index("dob", dob),
                "postcode_index": keyring.blind_index("postcode", code),
                "nhs_number": keyring.encrypt(nhs) if nhs else None, "upn": keyring.encrypt(upn) if upn else None,
                "nhs_number_index": repeats.nhs_number_index(nhs) if nhs else None,
                "upn_index": repeats.upn_index(upn) if upn else None,
            })
            if nhs and len(known) < 5000:
                known.append({"contact_id": contact_id, "first": first, "last": last, "dob": dob, "nhs": nhs})
    bulk_insert(engine, raw_table(Contact), contacts)
    bulk_insert(engine, raw_table(Child), children)
    if engine.dialect.name == "postgresql":  # ids were given, so move the sequences past them
        with engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('contacts', 'id'), "
                              "(SELECT max(id) FROM contacts))"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('children', 'id'), "
                              "(SELECT max(id) FROM children))"))
    return known


def referral(first: str, last: str, dob: str, code: str, nhs: str):
    child = {**examples.professional_concern()["children"][0], "first_name": first, "last_name": last,
             "date_of_birth": dob, "postcode": code, "nhs_number": nhs}
    answers = examples.professional_concern(children=[child])
    found, problems = JOURNEYS["report"].validate(answers)
    if found is None:
        raise RuntimeError(f"the benchmark's referral did not validate: {sorted(p.field for p in problems)}")
    return found


class Bench:
    def __init__(self, url: str, size: int) -> None:
        upgrade(url)
        self.engine = make_engine(url)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.now = dt.datetime.now(dt.UTC)
        self.ids = Identifiers(seed=size + 1)
        started = time.perf_counter()
        self.known = seed(self.engine, size, self.ids, self.now)
        self.seeded_in = time.perf_counter() - started
        self.rng = random.Random(7)
        with self.sessionmaker() as dbs:
            self.children = dbs.scalar(select(Child.id).order_by(Child.id.desc()).limit(1))

    def _intake(self, found) -> tuple[int, list[RepeatMatch]]:
        with self.sessionmaker() as dbs:
            contact = intake.receive_referral(dbs, found, channel="web", actor="bench", received_at=self.now)
            matches = list(dbs.scalars(select(RepeatMatch).where(RepeatMatch.contact_id == contact.id)))
            dbs.commit()
            return contact.id, matches

    def _repeat_referral(self) -> tuple[dict, object]:
        earlier = self.rng.choice(self.known)
        return earlier, referral(earlier["first"], earlier["last"] + "e", earlier["dob"],
                                 postcode(self.rng.randrange(10**6)), earlier["nhs"])

    def repeat(self) -> Callable[[], None]:
        earlier, found = self._repeat_referral()

        def call() -> None:
            _, matches = self._intake(found)
            if not any(m.earlier_contact_id == earlier["contact_id"] and m.score == repeats.SAME_NHS_NUMBER
                       for m in matches):
                raise RuntimeError("a repeat by NHS number was not suggested")
        return call

    def new(self) -> Callable[[], None]:
        other = self.rng.choice(self.known)  # shares a date of birth with at least one earlier child
        found = referral(self.rng.choice(FIRST), self.rng.choice(LAST), other["dob"], postcode(self.rng.randrange(40)),
                         self.ids.nhs_number())

        def call() -> None:
            _, matches = self._intake(found)
            if any(m.score == repeats.SAME_NHS_NUMBER for m in matches):
                raise RuntimeError("a new child was matched by NHS number")
        return call

    def baseline(self) -> Callable[[], None]:
        _, found = self._repeat_referral()

        def call() -> None:
            with mock.patch.object(intake, "find_repeats", return_value=[]):
                self._intake(found)
        return call


def run(backend: str, database: Callable[[Path], Iterator[str]], sizes: list[int], n: int,
        warmup: int) -> list[tuple[str, ...]]:
    rows = []
    p50s: dict[str, dict[int, float]] = {"repeat": {}, "new": {}, "baseline": {}}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp, database(Path(tmp)) as url:
            bench = Bench(url, size)
            samples: dict[str, list[float]] = {name: [] for name in p50s}
            for i in range(warmup + n):
                for name in p50s:
                    call = getattr(bench, name)()  # a fresh referral each time, made outside the timing
                    started = time.perf_counter()
                    call()
                    elapsed = (time.perf_counter() - started) * 1000
                    if i >= warmup:
                        samples[name].append(elapsed)
            bench.engine.dispose()
            for name, values in samples.items():
                p50s[name][size] = percentile(values, 50)
                rows.append((backend, f"{size:,}", name, f"{percentile(values, 50):.2f}",
                             f"{percentile(values, 95):.2f}", f"{bench.seeded_in:.1f}"))
    smallest, largest = min(sizes), max(sizes)
    for name, by_size in p50s.items():
        rows.append((backend, f"{largest:,} / {smallest:,}", name, f"ratio {by_size[largest] / by_size[smallest]:.2f}",
                     "", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()
    keyring.configure([Fernet.generate_key().decode()], "bench-blind-index-" + uuid.uuid4().hex)
    audit.configure_keys(["bench:" + uuid.uuid4().hex * 2])
    sizes = [int(s) for s in args.sizes.split(",")]
    databases = {"sqlite": sqlite_database, "postgres": postgres_database}
    rows: list[tuple[str, ...]] = [("backend", "earlier children", "intake", "p50 ms", "p95 ms", "seeded in s")]
    for backend in args.backends.split(","):
        rows += run(backend, databases[backend], sizes, args.n, args.warmup)
    print(markdown(rows))


if __name__ == "__main__":
    main()
