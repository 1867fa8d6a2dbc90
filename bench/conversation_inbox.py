"""Benchmark (issue 13): people pick up conversations.

Two parts, each beside a baseline measured in the same run.

1. **A danger text to its row on open inbox pages** (`--part live`). The portal serves on 127.0.0.1 from a
   thread of this process (Werkzeug, threaded: the server `make run` starts) on a fresh SQLite file, with the
   deterministic reader (no Rasa: the danger screen runs before any model). 50 ordinary conversations are open
   (each a signed text, as Twilio sends them). Five practitioners are signed in, each in their own Chromium
   context with the app's real Content Security Policy, each with /staff/conversations open: its script
   fetches the rows every 1.5 s. Then, `--n` times, a new sender texts a danger message: a Twilio-signed
   `POST /sms/inbound` over HTTP. Measured from just before the request is sent to the moment each page's DOM
   holds that conversation's row (a MutationObserver in each page notes the time; the pages and this process
   share the machine's clock). The texts are spaced by a random 0.3-1.8 s, so they land at every phase of
   the pages' polling. Baseline: the webhook's own round trip for the same texts (the row is committed before
   the danger reply returns), and the polling floor (a row committed at a random moment waits 0.75 s on
   average for the next 1.5 s fetch).
   Target: p50 at most 2 s.

2. **The inbox page at 1,000 and 10,000 open conversations** (`--part size`). A fresh migrated database per
   size, with fictional conversations bulk-inserted (Core, one encrypted state token reused): 2% danger
   waiting for a person, 3% asked for a person, 5% danger answered, 5% held by a practitioner, the rest with
   the assistant, every one of them open (a message in the last 24 hours: the worst case, nothing is left
   out). Through the Flask test client, signed in, these take turns request by request: GET /healthz
   (baseline: the framework and SELECT 1), GET /staff/conversations (the page) and GET
   /staff/conversations/rows (the fragment the page's script fetches). Target: the page's p50 at 10,000 under
   2x its p50 at 1,000.

    .venv/bin/python bench/conversation_inbox.py [--part live,size] [--n 40] [--pages 5] [--open 50]
                                                 [--sizes 1000,10000] [--requests 100] [--backends sqlite]

Nothing personal is printed (the messages are fictional and are not printed either): only timings and counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("FRONTDOOR_DOTENV", "0")  # never read the developer's .env

import pyotp  # noqa: E402
from benchlib import BACKENDS, bulk_insert, markdown, percentile, raw_table  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from store.crypto import generate_key, keyring  # noqa: E402
from store.migrate import upgrade  # noqa: E402

PASSWORD = "long-password-123"  # noqa: S105  (fictional bench accounts in a throwaway database)
TOKEN = "bench-twilio-token-" + uuid.uuid4().hex  # noqa: S105
PUBLIC = "https://frontdoor.bench.invalid"
OUR_NUMBER = "+447700900000"
ACCOUNT = "AC" + "0" * 32
ORDINARY = "hi im struggling with my 4 year olds sleep, is there a parenting course near me"
DANGER = "hes been drinking and hes got the baby and hes smashing the place up"
TARGET_P50_MS = 2000
TARGET_RATIO = 2.0
POLL_MS = 1500


def build_portal(url: str, workdir: Path, fernet_key: str, index_key: str, *, csrf: bool) -> Flask:
    from portal import create_app

    return create_app({
        "TESTING": True,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "FIELD_ENCRYPTION_KEYS": [fernet_key],
        "BLIND_INDEX_KEY": index_key,
        "AUDIT_HMAC_KEYS": ["bench:" + uuid.uuid4().hex * 2],
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "WTF_CSRF_ENABLED": csrf,
        "RATELIMIT_ENABLED": False,
        "FORCE_HTTPS": False,
        "SESSION_COOKIE_SECURE": False,
        "STAFF_IDLE_MINUTES": 120,
        "RASA_URLS": [],
        "PUBLIC_BASE_URL": PUBLIC,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_NUMBER": OUR_NUMBER,
    })


# One key pair for the run: the keyring is process-wide, and the size part keeps two apps open side by side.
FERNET_KEY, INDEX_KEY = generate_key(), "bench-blind-index-" + uuid.uuid4().hex


def fresh_portal(url: str, workdir: Path, *, csrf: bool) -> Flask:
    fernet_key, index_key = FERNET_KEY, INDEX_KEY
    keyring.configure([fernet_key], index_key)
    upgrade(url)
    return build_portal(url, workdir, fernet_key, index_key, csrf=csrf)


def staff_account(app: Flask, n: int) -> tuple[str, str, int]:
    from mash.staff import create_user

    secret = pyotp.random_base32()
    email = f"practitioner-{n}-{uuid.uuid4().hex[:6]}@bench.invalid"
    with app.extensions["frontdoor.sessionmaker"]() as dbs:
        account = create_user(dbs, email=email, name=f"Bench Practitioner {n}", role="practitioner",
                              password=PASSWORD, totp_secret=secret)
        dbs.commit()
        return email, secret, account.user.id


def sms_form(body: str, sender: str) -> tuple[dict[str, str], dict[str, str]]:
    from twilio.request_validator import RequestValidator

    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": sender, "To": OUR_NUMBER,
              "NumMedia": "0", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/sms/inbound", params)
    return params, {"X-Twilio-Signature": signature}


def sender(i: int) -> str:
    return f"+447700{900000 + i:06d}"


# --- 1. live: a danger text to its row on open pages ----------------------------------------------------------

OBSERVE = """() => {
  window.__seen = {}
  const mark = () => {
    for (const row of document.querySelectorAll('tr[data-conversation]')) {
      if (!(row.dataset.conversation in window.__seen)) window.__seen[row.dataset.conversation] = Date.now()
    }
  }
  mark()
  new MutationObserver(mark).observe(document.querySelector('main'), { subtree: true, childList: true })
}"""


def run_live(n: int, pages: int, open_conversations: int) -> dict:
    import logging

    import requests
    from playwright import sync_api

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log: it would name every request

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, LiveServer

    with tempfile.TemporaryDirectory(prefix="fd-bench-inbox-") as tmp:
        workdir = Path(tmp)
        app = fresh_portal(f"sqlite:///{workdir / 'frontdoor.db'}", workdir, csrf=True)
        server = LiveServer(app).start()
        http = requests.Session()
        try:
            for i in range(open_conversations):
                params, headers = sms_form(ORDINARY, sender(i))
                if http.post(f"{server.url}/sms/inbound", data=params, headers=headers).status_code != 200:
                    raise RuntimeError("an ordinary text was refused")
            accounts = [staff_account(app, k) for k in range(pages)]
            with sync_api.sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                tabs = []
                for email, secret, _ in accounts:
                    context = chromium.new_context(base_url=server.url)  # the real CSP
                    page = context.new_page()
                    page.goto("/staff/sign-in")
                    page.get_by_label("Email address").fill(email)
                    page.get_by_label("Password", exact=True).fill(PASSWORD)
                    page.get_by_role("button", name="Continue").click()
                    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
                    page.get_by_role("button", name="Sign in").click()
                    page.goto("/staff/conversations")
                    shown = page.locator("tr[data-conversation]").count()
                    if shown != min(open_conversations, 50):
                        raise RuntimeError(f"the inbox shows {shown} rows, not {open_conversations}")
                    page.evaluate(OBSERVE)
                    tabs.append(page)
                known: set[str] = set().union(*(set(t.evaluate("Object.keys(window.__seen)")) for t in tabs))
                rng = random.Random(13)
                latencies: list[float] = []
                webhook: list[float] = []
                for i in range(n):
                    time.sleep(rng.uniform(0.3, 1.8))
                    params, headers = sms_form(DANGER, sender(10_000 + i))
                    started = time.time() * 1000
                    response = http.post(f"{server.url}/sms/inbound", data=params, headers=headers)
                    answered = time.time() * 1000
                    if response.status_code != 200 or "999" not in response.text:
                        raise RuntimeError("the danger text did not get the 999 advice")
                    webhook.append(answered - started)
                    seen_at: dict[int, float] = {}
                    new_id = None
                    deadline = time.time() + 15
                    while len(seen_at) < len(tabs):
                        if time.time() > deadline:
                            raise RuntimeError("a danger row did not reach every open page within 15 s")
                        for k, tab in enumerate(tabs):
                            if k in seen_at:
                                continue
                            seen = tab.evaluate("window.__seen")
                            fresh = set(seen) - known
                            if fresh:
                                if len(fresh) != 1:
                                    raise RuntimeError("more than one new row appeared")
                                new_id = new_id or next(iter(fresh))
                                seen_at[k] = seen[new_id]
                        time.sleep(0.05)
                    known.add(new_id or "")
                    latencies.extend(at - started for at in seen_at.values())
                chromium.close()
        finally:
            server.stop()
    return {"latencies": latencies, "webhook": webhook, "n": n, "pages": pages, "open": open_conversations}


# --- 2. size: the inbox page at 1,000 and 10,000 open conversations -------------------------------------------

def seed_conversations(engine, n: int, holder_id: int, now: dt.datetime, seed: int = 13) -> dict[str, int]:
    from bot.models import Conversation

    rng = random.Random(seed)
    state = keyring.encrypt(json.dumps({"answers": {"first_name": "Alex"}, "facts": {"age": 4}}))
    counts = {"danger_waiting": 0, "asked": 0, "danger": 0, "held": 0, "assistant": 0}

    def rows():
        for _ in range(n):
            last = now - dt.timedelta(seconds=rng.uniform(0, 23 * 3600))
            kind = rng.choices(list(counts), weights=[2, 3, 5, 5, 85])[0]
            counts[kind] += 1
            danger = kind in ("danger_waiting", "danger")
            waiting = kind in ("danger_waiting", "asked")
            yield {
                "public_id": uuid.uuid4().hex, "channel": rng.choice(["sms", "chat"]),
                "sender_key": uuid.uuid4().hex, "started_at": last - dt.timedelta(minutes=10),
                "last_message_at": last, "danger": danger,
                "danger_categories": ["violence_now"] if danger else [], "assistant_missed": 0,
                "state": state, "state_version": 1, "paused": kind == "held",
                "held_by_id": holder_id if kind == "held" else None,
                "hold_expires_at": now + dt.timedelta(minutes=30) if kind == "held" else None,
                "waiting_since": last if waiting else None,
                "waiting_reason": ("danger" if kind == "danger_waiting" else "asked_for_person") if waiting else None,
            }

    bulk_insert(engine, raw_table(Conversation), rows())
    return counts


class InboxBench:
    def __init__(self, url: str, workdir: Path, size: int) -> None:
        from bot.models import Conversation

        self.app = fresh_portal(url, workdir, csrf=False)
        email, secret, user_id = staff_account(self.app, 0)
        engine = self.app.extensions["frontdoor.engine"]
        self.counts = seed_conversations(engine, size, user_id, dt.datetime.now(dt.UTC))
        with self.app.extensions["frontdoor.sessionmaker"]() as dbs:
            stored = dbs.scalar(select(func.count()).select_from(Conversation))
        if stored != size:
            raise RuntimeError(f"expected {size} conversations, found {stored}")
        self.client = self.app.test_client()
        if self.client.post("/staff/sign-in", data={"email": email, "password": PASSWORD}).status_code != 302:
            raise RuntimeError("the password step was refused")
        if self.client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()}).status_code != 302:
            raise RuntimeError("the code step was refused")
        self.size = size

    def healthz(self) -> None:
        if self.client.get("/healthz").status_code != 200:
            raise RuntimeError("/healthz failed")

    def _rows(self, path: str) -> None:
        response = self.client.get(path)
        if response.status_code != 200 or response.data.count(b"data-conversation=") != 50:
            raise RuntimeError(f"{path} did not show 50 rows (HTTP {response.status_code})")
        if f"{self.size - 50:,}".encode() not in response.data and str(self.size - 50).encode() not in response.data:
            raise RuntimeError(f"{path} did not count the rest")

    def page(self) -> None:
        self._rows("/staff/conversations")

    def fragment(self) -> None:
        self._rows("/staff/conversations/rows")


def run_size(backend: str, sizes: list[int], n: int, warmup: int) -> dict[tuple[int, str], list[float]]:
    timings: dict[tuple[int, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="fd-bench-inbox-size-") as tmp:
        benches = []
        contexts = []
        for size in sizes:
            workdir = Path(tmp) / str(size)
            workdir.mkdir()
            database = BACKENDS[backend](workdir)
            url = database.__enter__()
            contexts.append(database)
            benches.append(InboxBench(url, workdir, size))
        try:
            cases = [(b, name, getattr(b, name)) for b in benches for name in ("healthz", "page", "fragment")]
            for _ in range(warmup):
                for _, _, call in cases:
                    call()
            for _ in range(n):
                for bench, name, call in cases:
                    started = time.perf_counter()
                    call()
                    timings.setdefault((bench.size, name), []).append((time.perf_counter() - started) * 1000)
        finally:
            for bench in benches:
                bench.app.extensions["frontdoor.engine"].dispose()
            for database in reversed(contexts):
                database.__exit__(None, None, None)
    return timings


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", default="live,size")
    parser.add_argument("--n", type=int, default=40, help="danger texts (live)")
    parser.add_argument("--pages", type=int, default=5, help="practitioners' inbox pages open (live)")
    parser.add_argument("--open", type=int, default=50, help="ordinary conversations open (live)")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=100, help="requests per case (size)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args(argv)
    parts = args.part.split(",")
    print(f"load average at start: {load()}")
    verdicts: list[tuple[str, str, str]] = [("target", "measured", "verdict")]
    if "live" in parts:
        result = run_live(args.n, args.pages, args.open)
        lat, hook = result["latencies"], result["webhook"]
        print(f"\n## A danger text to its row on {result['pages']} open inbox pages "
              f"({result['open']} other conversations open, {result['n']} danger texts)\n")
        print(markdown([
            ("measure", "samples", "p50 ms", "p90 ms", "p99 ms", "max ms"),
            ("text arrives -> row on an open page", str(len(lat)), f"{percentile(lat, 50):.0f}",
             f"{percentile(lat, 90):.0f}", f"{percentile(lat, 99):.0f}", f"{max(lat):.0f}"),
            ("baseline: the webhook's round trip", str(len(hook)), f"{percentile(hook, 50):.0f}",
             f"{percentile(hook, 90):.0f}", f"{percentile(hook, 99):.0f}", f"{max(hook):.0f}"),
            ("baseline: the polling floor (mean)", "-", f"{POLL_MS / 2:.0f}", "-", "-", f"{POLL_MS:.0f}"),
        ]))
        p50 = percentile(lat, 50)
        verdicts.append((f"p50 <= {TARGET_P50_MS} ms", f"{p50:.0f} ms", "MET" if p50 <= TARGET_P50_MS else "NOT MET"))
    if "size" in parts:
        sizes = [int(s) for s in args.sizes.split(",")]
        for backend in args.backends.split(","):
            timings = run_size(backend, sizes, args.requests, args.warmup)
            print(f"\n## The inbox at {' and '.join(f'{s:,}' for s in sizes)} open conversations ({backend}, "
                  f"{args.requests} requests a case, taking turns)\n")
            rows = [("size", "case", "p50 ms", "p90 ms", "p99 ms", "p50 / healthz")]
            for size in sizes:
                base = statistics.median(timings[(size, "healthz")])
                for name, label in (("healthz", "baseline: GET /healthz"), ("page", "GET /staff/conversations"),
                                    ("fragment", "GET /staff/conversations/rows")):
                    samples = timings[(size, name)]
                    rows.append((f"{size:,}", label, f"{percentile(samples, 50):.2f}", f"{percentile(samples, 90):.2f}",
                                 f"{percentile(samples, 99):.2f}", f"{percentile(samples, 50) / base:.1f}x"))
            print(markdown(rows))
            small, large = min(sizes), max(sizes)
            ratio = statistics.median(timings[(large, "page")]) / statistics.median(timings[(small, "page")])
            verdicts.append((f"{backend}: page p50 at {large:,} / at {small:,} < {TARGET_RATIO}", f"{ratio:.2f}x",
                             "MET" if ratio < TARGET_RATIO else "NOT MET"))
    print()
    print(markdown(verdicts))
    print(f"\nload average at end: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
