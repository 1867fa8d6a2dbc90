"""Benchmark (issue 16): a complete professional referral with two attachments, beside the same referral without.

For each backend (SQLite file in WAL mode, PostgreSQL) one fresh migrated database and one app, with two cases
measured in the same run, alternating request by request so that drift on the machine lands on both alike:

  * without: the final submit of a draft whose every page is answered (POST /report/check), as
    bench/submit_referral.py measures it;
  * with two attachments: the same draft, and timed together, the upload of two files (POST /report/attachments:
    a 300 KB PDF and a 1.5 MB JPEG, sniffed, each encrypted with its own key and written under the instance
    folder, their rows committed) and then the final submit, which ties them to the contact in its transaction.
    The submit alone is also reported, so what the files cost at sending is seen apart from the upload.

Each draft is written beforehand, untimed, as the journey's pages would have left it (a new fictional child each
time). Afterwards every contact and attachment is counted, the files on disk are checked not to hold the
plaintext, and the audit chain verifies.

Target: the referral with two attachments under 2x the referral without (p50).

    .venv/bin/python bench/attachments.py [--n 500] [--warmup 20] [--backends sqlite,postgres]

Nothing personal is printed: only timings and counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

from benchlib import BACKENDS, markdown, percentile  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from submit_referral import build_portal, referral_answers  # noqa: E402

from forms.drafts import save_answers, start_draft  # noqa: E402
from forms.examples import professional_concern  # noqa: E402
from portal.config import settings  # noqa: E402
from store.migrate import upgrade  # noqa: E402

TARGET_RATIO = 2.0
MARKER = b"FRONTDOOR-BENCH-PLAINTEXT"
# Fictional files of realistic sizes: a scanned letter and a phone photo. Their content is recognised by its first
# bytes (PDF, JPEG) like any upload; the rest is filler with a marker that must never be found on disk.
PDF = b"%PDF-1.4\n" + (MARKER + b" chronology line\n") * (300 * 1024 // 42)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + (MARKER + bytes(range(256))) * (1536 * 1024 // 281)


class Referrer:
    """One browser session (a test client) sending one referral per call, with or without two attachments."""

    def __init__(self, app, attachments: bool) -> None:
        self.app = app
        self.client = app.test_client()
        self.attachments = attachments
        self.sessionmaker = app.extensions["frontdoor.sessionmaker"]
        self.ttl = dt.timedelta(hours=settings(app).draft_ttl_hours)
        self.answers = professional_concern()
        self.count = 0 if not attachments else 1_000_000  # distinct fictional children across the two cases
        self.submit_ms: list[float] = []

    def prepare(self) -> None:
        self.count += 1
        with self.sessionmaker() as dbs:
            draft = start_draft(dbs, "report", ttl=self.ttl)
            save_answers(draft, referral_answers(self.answers, self.count), ttl=self.ttl)
            dbs.commit()
            draft_id = draft.id
        with self.client.session_transaction() as session:
            session["draft:report"] = draft_id

    def send(self) -> float:
        """The timed part: (the upload, then) the submit. Returns milliseconds."""
        self.prepare()
        start = time.perf_counter()
        if self.attachments:
            response = self.client.post("/report/attachments", content_type="multipart/form-data", data={
                "action": "continue",
                "documents": [(io.BytesIO(PDF), "letter.pdf"), (io.BytesIO(JPEG), "photo.jpg")]})
            if response.status_code != 302 or not response.headers["Location"].endswith("/report/check"):
                raise RuntimeError(f"the upload was refused (HTTP {response.status_code})")
        submit_start = time.perf_counter()
        response = self.client.post("/report/check")
        end = time.perf_counter()
        if response.status_code != 302 or not response.headers["Location"].endswith("/report/confirmation"):
            raise RuntimeError(f"submit did not reach the confirmation page (HTTP {response.status_code})")
        self.submit_ms.append((end - submit_start) * 1000)
        return (end - start) * 1000


def check(app, expected_each: int) -> str:
    from mash import audit
    from mash.models import Attachment, Contact

    sessionmaker = app.extensions["frontdoor.sessionmaker"]
    with sessionmaker() as dbs:
        contacts = dbs.scalar(select(func.count()).select_from(Contact))
        attached = dbs.scalar(select(func.count()).select_from(Attachment).where(Attachment.contact_id.is_not(None)))
        loose = dbs.scalar(select(func.count()).select_from(Attachment).where(Attachment.contact_id.is_(None)))
        with_files = dbs.scalar(select(func.count(func.distinct(Attachment.contact_id))))
        chain = audit.verify(dbs)
    folder = Path(settings(app).instance_path) / "attachments"
    files = list(folder.iterdir())
    if contacts != 2 * expected_each or attached != 2 * expected_each or loose or with_files != expected_each:
        raise RuntimeError(f"expected {2 * expected_each} contacts and {2 * expected_each} attachments on "
                           f"{expected_each} of them; found {contacts}, {attached} ({loose} loose) on {with_files}")
    if len(files) != attached:
        raise RuntimeError(f"{attached} attachments but {len(files)} files on disk")
    if any(MARKER in path.read_bytes() for path in files[:20]):
        raise RuntimeError("a file on disk holds the plaintext")
    if not chain.ok:
        raise RuntimeError(f"audit chain check failed: {chain}")
    return (f"{contacts} contacts, {attached} attachments in {len(files)} encrypted files (no plaintext), "
            f"{chain.checked} audit events, chain verified")


def run_backend(backend: str, n: int, warmup: int) -> list[tuple[str, ...]]:
    with tempfile.TemporaryDirectory(prefix="fd_bench_") as tmp, BACKENDS[backend](Path(tmp)) as url:
        upgrade(url)
        app = build_portal(url, Path(tmp))
        try:
            plain, attached = Referrer(app, attachments=False), Referrer(app, attachments=True)
            for _ in range(warmup):
                plain.send()
                attached.send()
            plain.submit_ms.clear()
            attached.submit_ms.clear()
            gc.collect()
            without: list[float] = []
            with_two: list[float] = []
            for i in range(n):  # alternate, and swap who goes first each time
                pair = (plain, attached) if i % 2 == 0 else (attached, plain)
                for referrer in pair:
                    (with_two if referrer.attachments else without).append(referrer.send())
            print(f"  {backend}: {check(app, n + warmup)}", file=sys.stderr)
        finally:
            app.extensions["frontdoor.engine"].dispose()
    base50 = percentile(without, 50)
    rows = []
    for case, samples in (("referral without attachments (submit)", without),
                          ("with two attachments: upload + submit", with_two),
                          ("with two attachments: the submit alone", attached.submit_ms)):
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        ratio = p50 / base50
        is_base = samples is without
        rows.append((backend, case, str(len(samples)), f"{p50:.1f}", f"{p99:.1f}", f"{ratio:.2f}x",
                     "-" if is_base else ("yes" if ratio < TARGET_RATIO else "NO")))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="timed referrals per case and backend (500)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed referrals per case first (20)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite,postgres")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or any(b not in BACKENDS for b in backends) or args.n < 2 or args.warmup < 0:
        parser.error(f"choose backends from {', '.join(BACKENDS)}; --n >= 2; --warmup >= 0")
    print(f"A referral with two attachments ({len(PDF) // 1024} KB PDF, {len(JPEG) // 1024} KB JPEG) beside one "
          f"without: {args.n} timed referrals per case and backend, {args.warmup} warm-up (Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs)", file=sys.stderr)
    began = time.monotonic()
    rows = [("backend", "case", "n", "p50 ms", "p99 ms", "p50 / without", "< 2x")]
    for backend in backends:
        rows.extend(run_backend(backend, args.n, args.warmup))
    print()
    print(markdown(rows))
    missed = [r[0] for r in rows[1:] if r[6] == "NO" and "upload" in r[1]]
    print()
    print(f"Target missed (under 2x) on: {', '.join(missed)}" if missed
          else "Target met on every backend (a referral with two attachments under 2x one without, p50).")
    print(f"Whole run {time.monotonic() - began:.0f} s; load average {os.getloadavg()[0]:.2f} at the end.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
