"""What every benchmark shares: fresh databases that clean up after themselves, the table printer, and the
portal's processes as `make run` and the production profile start them, with what they cost."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from sqlalchemy import Column, MetaData, Table, Text, create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("FRONTDOOR_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_ADMIN_URL = os.environ.get("FRONTDOOR_BENCH_REDIS", "redis://127.0.0.1:6379/0")
# The production profile's Redis database in benchmarks: not 0 (a developer's `make run-production`) nor 13
# (tests/test_production_profile.py). It must be empty when a benchmark starts, and is emptied when it ends.
BENCH_REDIS_DB = 12


@contextmanager
def sqlite_database(workdir: Path) -> Iterator[str]:
    yield f"sqlite:///{workdir / 'frontdoor.db'}"  # the temp dir is removed by the caller


@contextmanager
def postgres_database(_workdir: Path) -> Iterator[str]:
    """A database of its own (fd_bench_<random>), dropped afterwards whatever happens."""
    name = f"fd_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


BACKENDS: dict[str, Callable[[Path], AbstractContextManager[str]]] = {
    "sqlite": sqlite_database,
    "postgres": postgres_database,
}


def markdown(rows: list[tuple[str, ...]]) -> str:
    """A markdown table; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def percentile(samples: list[float], p: int) -> float:
    """The p-th percentile of timings (inclusive method), or the one sample there is."""
    import statistics

    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


# --- processes ------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """A process's descendants (gunicorn's workers, a shell's command)."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in children(int(c))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants, in seconds (/proc/<pid>/stat): the living ones'
    own time, and each one's cutime and cstime, which hold the time of the children it has reaped (a gunicorn
    worker that was replaced under max_requests is counted in its master's)."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def peak_memory_mib(pid: int) -> float:
    """VmHWM (peak resident set) of a process and its children, in MiB."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Processes:
    """Named processes, each in its own session with its log in `workdir`, stopped together (SIGTERM, then
    SIGKILL) whatever happens. A process that fails to start is reported with the end of its log (start-up
    lines only: no request is logged with what was sent)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen] = {}
        self.startup: dict[str, float] = {}  # seconds from start to ready

    def start(self, name: str, command: list[str], *, env: dict[str, str], cwd: Path = ROOT) -> None:
        log = (self.workdir / f"{name}.log").open("w")
        self.running[name] = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True)

    def wait_until_ready(self, ready: dict[str, Callable[[], bool]], began: float, limit: float = 300) -> None:
        """Poll each named process's `ready` (connection errors count as not yet) until all are, or fail."""
        import requests

        waiting = dict(ready)
        while waiting and time.monotonic() < began + limit:
            for name in list(waiting):
                if self.running[name].poll() is not None:
                    self.failed(name, "exited")
                try:
                    up = waiting[name]()
                except requests.RequestException:
                    up = False
                if up:
                    self.startup[name] = time.monotonic() - began
                    del waiting[name]
            time.sleep(0.1)
        for name in waiting:
            self.failed(name, f"did not answer within {limit:.0f} s")

    def failed(self, name: str, why: str) -> NoReturn:
        tail = (self.workdir / f"{name}.log").read_text(errors="replace").splitlines()[-15:]
        self.stop_all()
        raise SystemExit(f"{name} {why}; the end of its log:\n" + "\n".join(tail))

    def pid(self, name: str) -> int:
        return self.running[name].pid

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


# --- the portal's settings: development (`make run`) and the production profile (`make run-production`) ---------

TWILIO_ACCOUNT, TWILIO_NUMBER = "AC" + "0" * 32, "+447700900000"  # invented: Ofcom's drama range


def portal_env(**settings: str) -> dict[str, str]:
    """This environment without the developer's own portal settings, with fresh bench secrets and `settings`."""
    from mash.audit import generate_key as audit_key
    from store.crypto import generate_key

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "RASA_URL"))}
    env.update({"FRONTDOOR_DOTENV": "0", "SECRET_KEY": secrets.token_urlsafe(48),
                "FIELD_ENCRYPTION_KEYS": generate_key(), "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
                "AUDIT_HMAC_KEYS": audit_key("bench"), "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
                "TWILIO_AUTH_TOKEN": secrets.token_hex(16), "TWILIO_NUMBER": TWILIO_NUMBER,
                "PYTHONWARNINGS": "ignore", **settings})
    return env


@dataclass(frozen=True)
class ProductionServices:
    """What the production profile runs on: its own PostgreSQL role and database, its own Redis user (on
    BENCH_REDIS_DB) and a self-signed certificate, as `frontdoor production prepare` makes them."""

    database_url: str
    redis_url: str
    cert: Path
    key: Path

    def env(self, port: int, **settings: str) -> dict[str, str]:
        """The production profile's settings (FRONTDOOR_ENV=production: the app refuses to start without them)
        for gunicorn on `port`, serving HTTPS itself, 2 processes of 4 threads as portal/gunicorn_conf.py."""
        return portal_env(FRONTDOOR_ENV="production", DATABASE_URL=self.database_url,
                          RATELIMIT_STORAGE_URI=self.redis_url, REDIS_URL=self.redis_url,
                          PUBLIC_BASE_URL=f"https://127.0.0.1:{port}", HOST="127.0.0.1", PORT=str(port),
                          TLS_CERT=str(self.cert), TLS_KEY=str(self.key), WEB_CONCURRENCY="2",
                          GUNICORN_THREADS="4", RASA_AUTH_TOKEN=secrets.token_hex(16), **settings)


@contextmanager
def production_services(workdir: Path) -> Iterator[ProductionServices]:
    """Made for one run and removed afterwards: the role and database dropped, the Redis user deleted and its
    database emptied (it must be empty to begin with: nothing of anyone else's is ever flushed)."""
    import psycopg
    import redis

    from portal.production import ensure_certificate, ensure_database, ensure_redis_user

    name = f"fd_bench_{uuid.uuid4().hex[:10]}"
    admin_pg = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    redis_url = f"redis://{name}:{secrets.token_hex(16)}@127.0.0.1:6379/{BENCH_REDIS_DB}"
    store = redis.Redis.from_url(REDIS_ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}")
    if store.dbsize():
        store.close()
        raise SystemExit(f"Redis database {BENCH_REDIS_DB} is not empty: another run is using it, or one was "
                         "stopped before it could clean up (check, then FLUSHDB it)")
    services = ProductionServices(f"postgresql+psycopg://{name}:{secrets.token_hex(16)}@127.0.0.1:5432/{name}",
                                  redis_url, workdir / "tls" / "cert.pem", workdir / "tls" / "key.pem")
    try:
        ensure_database(services.database_url, admin_url=admin_pg)
        ensure_redis_user(redis_url, admin_url=REDIS_ADMIN_URL)
        ensure_certificate(services.cert, services.key)
        yield services
    finally:
        with psycopg.connect(admin_pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')
        store.flushdb()
        store.execute_command("ACL", "DELUSER", name)
        store.close()


# --- a portal to send requests to --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    """A portal started for a benchmark: its name, where it answers, the certificate to trust (None: plain HTTP),
    its settings (DATABASE_URL is the database it writes) and its process's name in `Processes`."""

    name: str
    url: str
    env: dict[str, str]
    ca: str | None = None
    process: str = ""

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def session(self):  # -> requests.Session
        """A new browser: its own cookies and connections, trusting this server's certificate and no other
        (never REQUESTS_CA_BUNDLE or a proxy from the environment)."""
        import requests

        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca or True
        return session

    def healthy(self) -> bool:
        with self.session() as session:
            return session.get(f"{self.url}/healthz", timeout=2).status_code == 200


def _upgrade(env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "frontdoor"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)


def start_development_portal(processes: Processes, name: str, **settings: str) -> Server:
    """The portal as `make run` starts it (the Procfile's `frontdoor run --no-reload`: Werkzeug, one process,
    a thread per request), with development settings and a fresh SQLite file in its own instance folder."""
    port = free_port()
    instance = processes.workdir / name
    env = portal_env(FRONTDOOR_ENV="development", INSTANCE_PATH=str(instance),
                     DATABASE_URL=f"sqlite:///{instance / 'frontdoor.db'}",
                     PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **settings)
    instance.mkdir(parents=True, exist_ok=True)
    _upgrade(env)
    processes.start(name, [str(BIN / "frontdoor"), "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
                    env=env)
    return Server(name, f"http://127.0.0.1:{port}", env, None, name)


def start_production_portal(processes: Processes, name: str, services: ProductionServices, **settings: str) -> Server:
    """The portal as `make run-production` starts it (Procfile.production: gunicorn with portal/gunicorn_conf.py,
    serving HTTPS itself), with FRONTDOOR_ENV=production on `services`' PostgreSQL database and Redis."""
    port = free_port()
    instance = processes.workdir / name
    env = services.env(port, INSTANCE_PATH=str(instance), **settings)
    instance.mkdir(parents=True, exist_ok=True)
    _upgrade(env)
    processes.start(name, [str(BIN / "gunicorn"), "--config", "python:portal.gunicorn_conf", "portal.wsgi:app"],
                    env=env)
    return Server(name, f"https://127.0.0.1:{port}", env, str(services.cert), name)


# --- fictional data in bulk -----------------------------------------------------------------------------------

def raw_table(model: type) -> Table:
    """A model's table with its encrypted columns as plain Text, so one ready-made token can be reused."""
    from store.crypto import EncryptedJSON, EncryptedText

    columns = [Column(c.name, Text() if isinstance(c.type, (EncryptedText, EncryptedJSON)) else c.type,
                      primary_key=c.primary_key)
               for c in model.__table__.columns]  # type: ignore[attr-defined]
    return Table(model.__table__.name, MetaData(), *columns)  # type: ignore[attr-defined]


def bulk_insert(engine, table: Table, rows: Iterable[dict], batch: int = 5000) -> None:
    """Insert rows in batches of `batch`, then ANALYZE on PostgreSQL, as autovacuum would."""
    pending: list[dict] = []
    with engine.begin() as conn:
        for row in rows:
            pending.append(row)
            if len(pending) == batch:
                conn.execute(insert(table), pending)
                pending = []
        if pending:
            conn.execute(insert(table), pending)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ANALYZE {table.name}"))
