"""The production profile under load and under failure (issue 11): gunicorn with two processes, PostgreSQL,
Redis, two workers and a real Rasa, with production settings (the app refuses to start without them).

500 signed texts from 50 senders, 20 at a time, and 200 web referrals through the real journey pages over
HTTPS; mid-way one portal process and one worker are killed (SIGKILL, no goodbye). Twilio retries a
delivery that got no answer with the same MessageSid, and a browser resends a form that got no answer, so
the clients here do the same. Afterwards every message and referral is stored exactly once, every
feedback message reached (a fake) GOV.UK Notify exactly once, and the audit chain verifies.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from forms import examples
from tests.journey_support import walk
from tests.notify_support import API_KEY, EMAIL_TEMPLATE, SMS_TEMPLATE, FakeNotify
from tests.rasa_support import free_port, running_rasa

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = os.environ.get("FRONTDOOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_ADMIN = "redis://127.0.0.1:6379/0"
REDIS_DB = 13  # this test's own Redis database, emptied when it ends
ACCOUNT, NUMBER = "AC" + "1" * 32, "+447700900000"
SENDERS, PER_SENDER, AT_ONCE, REFERRALS, DECIDED = 50, 10, 20, 200, 24
# A parent's help journey, ten texts: enough turns to be mid-conversation whenever a process dies.
JOURNEY = ("I'm struggling with my 4 year old, tantrums every night", "RG40 1BN", "yes", "Sam Example", "mum",
           "yes", "Alex", "Example", "4 3 2022", "skip")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Stack:
    url: str
    ca: str
    env: dict[str, str]
    database_url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: Path = Path()

    def start(self, name: str, command: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def gunicorn_workers(self) -> list[int]:
        master = self.processes["portal"].pid
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, FakeNotify]]:
    from portal.production import ensure_certificate, ensure_database, ensure_redis_user

    folder = tmp_path_factory.mktemp("production")
    name = f"fd_prod_{uuid.uuid4().hex[:10]}"
    database_url = f"postgresql+psycopg://{name}:{secrets.token_hex(16)}@127.0.0.1:5432/{name}"
    redis_url = f"redis://{name}:{secrets.token_hex(16)}@127.0.0.1:6379/{REDIS_DB}"
    ensure_database(database_url, admin_url=PG_ADMIN)
    ensure_redis_user(redis_url, admin_url=REDIS_ADMIN)
    cert, key = folder / "tls" / "cert.pem", folder / "tls" / "key.pem"
    ensure_certificate(cert, key)
    port = free_port()
    with running_rasa(token="production-test-token") as rasa, FakeNotify() as notify:  # noqa: S106
        from mash.audit import generate_key

        env = {key_: value for key_, value in os.environ.items() if not key_.startswith(("FRONTDOOR_", "RASA_URL"))}
        env.update({
            "FRONTDOOR_ENV": "production", "FRONTDOOR_DOTENV": "0", "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": secrets.token_urlsafe(48), "FIELD_ENCRYPTION_KEYS": _fernet_key(),
            "BLIND_INDEX_KEY": secrets.token_urlsafe(48), "AUDIT_HMAC_KEYS": generate_key("test"),
            "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": redis_url, "REDIS_URL": redis_url,
            "PUBLIC_BASE_URL": f"https://127.0.0.1:{port}", "HOST": "127.0.0.1", "PORT": str(port),
            "TLS_CERT": str(cert), "TLS_KEY": str(key), "WEB_CONCURRENCY": "2",
            "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": secrets.token_hex(16), "TWILIO_NUMBER": NUMBER,
            "RASA_URLS": rasa.url, "RASA_AUTH_TOKEN": rasa.token, "RASA_TIMEOUT_SECONDS": "10",
            "NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": notify.url, "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
            "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
            # One machine plays hundreds of families: the address limits are for machines, not this test.
            "SUBMIT_RATE_LIMIT": "100000 per minute", "PAGE_RATE_LIMIT": "100000 per minute",
            "CHAT_RATE_LIMIT": "100000 per minute", "PYTHONWARNINGS": "ignore",
            # Feedback goes whatever the time this runs: no quiet hours (tests/test_quiet_hours.py has those).
            "QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"})
        subprocess.run([str(BIN / "frontdoor"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        running = Stack(f"https://127.0.0.1:{port}", str(cert), env, database_url, logs=folder)
        running.start("portal", [str(BIN / "gunicorn"), "--config", "python:portal.gunicorn_conf", "portal.wsgi:app"])
        running.start("worker-1", [str(BIN / "frontdoor"), "worker"])
        running.start("worker-2", [str(BIN / "frontdoor"), "worker"])
        try:
            _wait_until_up(running)
            yield running, notify
        finally:
            running.stop_all()
            _drop(name, redis_url)


def _fernet_key() -> str:
    from store.crypto import generate_key

    return generate_key()


def _wait_until_up(stack: Stack) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name, process in stack.processes.items():
            assert process.poll() is None, f"{name} exited: " + (stack.logs / f"{name}.log").read_text()[-2000:]
        try:
            if requests.get(f"{stack.url}/healthz", verify=stack.ca, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError("the portal did not answer: " + (stack.logs / "portal.log").read_text()[-2000:])


def _drop(name: str, redis_url: str) -> None:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')
    admin = redis.Redis.from_url(REDIS_ADMIN)
    admin.execute_command("ACL", "DELUSER", name)
    redis.Redis.from_url(REDIS_ADMIN.rsplit("/", 1)[0] + f"/{REDIS_DB}").flushdb()
    admin.close()


# --- the people ---------------------------------------------------------------------------------------------------
def _with_retries(send, attempts: int = 8):
    """What Twilio and a browser do when a request gets no answer (its process was killed): send it again."""
    for attempt in range(attempts):
        try:
            response = send()
            if response.status_code < 500:
                return response
        except requests.ConnectionError:
            pass
        time.sleep(0.2 * (attempt + 1))
    raise AssertionError("no answer after retries")


def _https(stack: Stack) -> requests.Session:
    """A client that trusts the profile's own certificate. Not the environment's: REQUESTS_CA_BUNDLE, where
    set, would otherwise win over session.verify."""
    session = requests.Session()
    session.trust_env = False
    session.verify = stack.ca
    return session


def _text_journey(stack: Stack, sender: str) -> list[str]:
    """One parent's ten texts, each signed as Twilio signs, each retried with its own MessageSid."""
    session = _https(stack)
    validator = RequestValidator(stack.env["TWILIO_AUTH_TOKEN"])
    url = f"{stack.env['PUBLIC_BASE_URL']}/sms/inbound"
    sids = []
    for words in JOURNEY:
        params = {"AccountSid": ACCOUNT, "MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": NUMBER,
                  "Body": words, "NumMedia": "0"}
        signature = validator.compute_signature(url, params)
        response = _with_retries(lambda p=params, s=signature: session.post(
            f"{stack.url}/sms/inbound", data=p, headers={"X-Twilio-Signature": s}, timeout=30))
        assert response.status_code == 200 and "<Message" in response.text, response.text[:200]
        sids.append(params["MessageSid"])
    return sids


class _Browser:
    """The Flask test client's little interface (post/get -> status_code, location) over real HTTPS, with the
    form's CSRF token, for tests.journey_support.walk."""

    @dataclass
    class Answer:
        status_code: int
        location: str

    def __init__(self, stack: Stack) -> None:
        self.base = stack.url
        self.session = _https(stack)
        self.token: str | None = None

    def _answer(self, response: requests.Response) -> _Browser.Answer:
        if found := CSRF.search(response.text):
            self.token = found.group(1)
        if response.request.method == "GET":  # a browser's Referer under the portal's same-origin policy
            self.session.headers["Referer"] = response.url
        where = urlsplit(response.headers.get("Location", ""))
        return self.Answer(response.status_code, where.path + (f"?{where.query}" if where.query else ""))

    def get(self, path: str) -> _Browser.Answer:
        return self._answer(_with_retries(lambda: self.session.get(self.base + path, allow_redirects=False,
                                                                   timeout=30)))

    def post(self, path: str, data: dict | None = None) -> _Browser.Answer:
        if self.token is None:
            self.get("/report/")
        form = {**(data or {}), "csrf_token": self.token}
        return self._answer(_with_retries(lambda: self.session.post(self.base + path, data=form,
                                                                    allow_redirects=False, timeout=30)))


FIRST = ("Amy", "Ben", "Cara", "Dev", "Ella", "Finn", "Gina", "Harry", "Isla", "Jack", "Kai", "Lola", "Max", "Nia",
         "Owen", "Pia", "Quinn", "Rosa", "Sam", "Tia")
LAST = ("Adams", "Brook", "Clark", "Dale", "Evans", "Ford", "Grant", "Hill", "Irwin", "Jones")


def _referral(stack: Stack, number: int) -> None:
    """A teacher's referral about a different child each time (the same child twice would wait on a repeat)."""
    answers = examples.professional_concern()
    answers["referrer_email"] = f"referrer{number}@school.example.org"
    child = answers["children"][0]
    child.update(first_name=FIRST[number % 20], last_name=LAST[number // 20 % 10],
                 date_of_birth=f"201{number % 8}-0{number % 9 + 1}-1{number % 9}", postcode=None, address=None)
    walk(_Browser(stack), "report", answers)


def _decide_some(stack: Stack, count: int) -> int:
    """A practitioner decides and a manager signs off `count` web referrals: each queues feedback to its referrer."""
    from mash import audit
    from mash.claims import claim
    from mash.decisions import record_decision, review_decision
    from mash.models import Contact
    from mash.staff import create_user
    from store.crypto import keyring

    # The profile's own keys: what this process reads and writes must be readable by the portal and workers.
    keyring.configure(stack.env["FIELD_ENCRYPTION_KEYS"].split(","), stack.env["BLIND_INDEX_KEY"])
    audit.configure_keys(stack.env["AUDIT_HMAC_KEYS"])
    engine = create_engine(stack.database_url)
    decided = 0
    with Session(engine) as session:
        practitioner = create_user(session, email=f"p{uuid.uuid4().hex[:6]}@council.example", name="Pat",
                                   role="practitioner", password=secrets.token_urlsafe(16)).user
        manager = create_user(session, email=f"m{uuid.uuid4().hex[:6]}@council.example", name="Morgan",
                              role="manager", password=secrets.token_urlsafe(16)).user
        session.commit()
        ids = session.scalars(select(Contact.id).where(Contact.channel == "web", Contact.closed_at.is_(None))
                              .order_by(Contact.id).limit(count)).all()
        for contact_id in ids:
            assert claim(session, contact_id, practitioner)
            contact = session.get(Contact, contact_id)
            decision = record_decision(session, contact, practitioner, outcome="nfa_advice", level=1,
                                       rationale="Advice given.", sharing_decision="share",
                                       sharing_reason="To advise the school.", primary_need="N9",
                                       version=contact.version,
                                       justification="Checks found the worry answered; advice to the school.")
            session.commit()
            session.refresh(contact)
            review_decision(session, decision, manager, approve=True, comments=None, version=contact.version)
            session.commit()
            decided += 1
    engine.dispose()
    return decided


def test_under_load_with_a_portal_process_and_a_worker_killed_everything_is_kept_exactly_once(stack):
    running, notify = stack
    senders = [f"+447700900{n:03d}" for n in range(100, 100 + SENDERS)]
    killed = threading.Event()

    def kill_mid_way() -> None:
        time.sleep(8)  # well into the texts and the referrals
        os.kill(running.gunicorn_workers()[0], signal.SIGKILL)  # gunicorn's master starts another
        os.killpg(running.processes["worker-1"].pid, signal.SIGKILL)
        killed.set()

    killer = threading.Thread(target=kill_mid_way)
    killer.start()
    with ThreadPoolExecutor(max_workers=AT_ONCE) as texts, ThreadPoolExecutor(max_workers=4) as forms:
        text_runs = [texts.submit(_text_journey, running, sender) for sender in senders]
        form_runs = [forms.submit(_referral, running, n) for n in range(REFERRALS)]
        for run in form_runs[:DECIDED * 2]:
            run.result()
        decided = _decide_some(running, DECIDED)  # feedback queued while the load and the kills go on
        sids = [sid for run in text_runs for sid in run.result()]
        for run in form_runs:
            run.result()
    killer.join()
    assert killed.is_set() and decided == DECIDED

    engine = create_engine(running.database_url)
    try:
        deadline = time.monotonic() + 120  # the surviving worker sends what the killed one had claimed
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(text("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'")).scalar()
            if not waiting:
                break
            time.sleep(1)
        with engine.connect() as conn:
            stored = Counter(conn.execute(text(
                "SELECT provider_sid FROM conversation_messages WHERE direction = 'in'")).scalars())
            web = conn.execute(text("SELECT count(*), count(DISTINCT reference) FROM contacts "
                                    "WHERE channel = 'web'")).one()
            outbox = conn.execute(text("SELECT id, status FROM outbox_messages")).all()
    finally:
        engine.dispose()
    assert len(sids) == SENDERS * PER_SENDER
    assert set(stored) == set(sids) and max(stored.values()) == 1, "every text stored exactly once"
    assert tuple(web) == (REFERRALS, REFERRALS), "every web referral made exactly one contact"
    assert len(outbox) >= DECIDED and {status for _, status in outbox} == {"sent"}
    references = Counter(message["reference"] for message in notify.accepted)
    assert len(references) == len(outbox) and max(references.values()) == 1, "every feedback sent exactly once"
    verified = subprocess.run([str(BIN / "frontdoor"), "audit", "verify"], cwd=ROOT, env=running.env,
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_the_production_profile_refuses_to_start_naming_a_missing_secret(stack):
    running, _ = stack
    env = {**running.env, "TWILIO_AUTH_TOKEN": "", "PORT": str(free_port())}
    started = subprocess.run([str(BIN / "gunicorn"), "--config", "python:portal.gunicorn_conf", "portal.wsgi:app"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0 and "TWILIO_AUTH_TOKEN is not set" in started.stdout + started.stderr
