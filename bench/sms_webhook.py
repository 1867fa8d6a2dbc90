"""Benchmark (issues 5 and 10): a signed SMS in, TwiML out, beside bare Rasa `POST /model/parse` on the same model.

Starts, on free loopback ports, the two processes `make run` starts for text messages: the Rasa NLU server
exactly as the Procfile does (`rasa run --enable-api --auth-token ... --credentials credentials.yml`, the
trained bot/rasa/models/frontdoor.tar.gz, no channels, no action server, no tracker store) and the portal
(`frontdoor run --no-reload`, a fresh migrated SQLite database with the demonstration service directory
imported, so signposting searches real rows). Then, for 1 and for 20 concurrent senders:

- baseline: POST Rasa's /model/parse?token=... directly, with the same texts in the same order;
- portal:   POST /sms/inbound signed with Twilio's RequestValidator, which checks the signature, screens for
            danger, stores the message encrypted, calls that same Rasa's /model/parse, decides the reply from
            the conversation's encrypted stored state, stores the reply and answers in TwiML.

Each sender texts a whole help journey (a parent: a worry, a postcode, yes to the early help team, their
name, "mum", yes to parental responsibility, the child's first and last name, date of birth, skip the
school, yes it is safe to contact, yes to consent: 12 messages ending in a referral), a new invented number
per conversation. Every reply is checked for the next question, so the journey really is walked. Rounds
alternate: every sender's next six turns go to the bare parse, then the same six to the portal, the order
swapping from round to round, so drift on the machine lands on both and each way is measured under its own
load (a conversation pauses between its two halves, as people's do).

Targets (the issue): portal overhead at p50 <= 15 ms; at 20 senders the portal's p99 <= 1.3 x the bare parse
p99; no growth with the conversation's length (the overhead at turns 10-12 no more than 5 ms above turns 1-3,
one sender). Beside the latencies: the CPU each process spends per message (/proc/<pid>/stat), which
depends much less than latency on what else the machine is doing. Then Rasa is stopped and a danger message
is timed (p50), with an ordinary opening beside it (read by the deterministic reader). Also printed: Rasa's
start-up time (to its first successful parse) and the peak resident memory (VmHWM) of Rasa and the portal.
`--profile` samples the portal with py-spy (`.venv/bin/pip install py-spy`) and prints where its Python time
goes (its timings are then perturbed).

    .venv/bin/python bench/sms_webhook.py [--n 720] [--danger-n 50] [--profile]

`--n` is messages each way per concurrency level (rounded to whole conversations of 12 for every sender).
Needs `make rasa-train` once. Prints only timings, counts, sizes and turn labels: no message text, and no
phone number but the fixed invented ones (Ofcom's drama ranges).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.benchlib import (  # noqa: E402
    BACKENDS,
    Processes,
    cpu_seconds,
    free_port,
    markdown,
    peak_memory_mib,
    percentile,
)

RASA_DIR = ROOT / "bot" / "rasa"
RASA_BIN = ROOT / os.environ.get("RASA_VENV", ".venv-rasa") / "bin"
FRONTDOOR = ROOT / ".venv" / "bin" / "frontdoor"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"  # only for --profile: .venv/bin/pip install py-spy
MODEL = RASA_DIR / "models" / "frontdoor.tar.gz"
DIRECTORY = [ROOT / "signposting" / "data" / "taxonomy.json", ROOT / "signposting" / "data" / "demo_directory.json"]
ACCOUNT, TWILIO_TOKEN, NUMBER = "AC" + "0" * 32, "bench-auth-token", "+447700900000"
LEVELS = (1, 20)
HALF = 6  # turns per sender per round: a round is half a conversation each way
TARGET_ADDED_P50_MS = 15.0
TARGET_P99_RATIO = 1.3
TARGET_GROWTH_MS = 5.0
EARLY, LATE = range(0, 3), range(9, 12)  # turns 1-3 and 10-12

# The help journey, as parents text it (tests/conversations/parents.yml walks the same one). Each turn: a label
# for the tables, and what the reply must contain (the next question), so a conversation that went off the
# journey is counted, not silently timed. The texts are invented and never printed.
LABELS = ("worry", "postcode", "yes (early help)", "own name", "mum", "yes (parental resp.)", "child's first name",
          "child's last name", "date of birth", "skip (school)", "yes (safe to contact)", "yes (consent)")
EXPECT = ("postcode", "early help team", "full name", "mum, dad", "parental responsibility", "first name",
          "last name", "date of birth", "school or nursery", "safe for us", "Do you agree", "reference is FD-")
SCRIPTS = (
    ("im struggling with my 4 yr old tantrums every nite", "rg40 1bn", "yes", "Sam Example", "im his mum", "yes",
     "Alex", "Example", "he was born 3rd march 2022", "skip", "yes", "yes thats fine"),
    ("I'm struggling with my 4 year old, he screams and hits and I can't cope", "RG40 1BN", "yes please",
     "Jo Sample", "I'm his mum", "yes", "Noah", "Sample", "he was born 3rd march 2022", "skip", "yes",
     "yes thats fine"),
    ("im not coping with my 3 year old he wont sleep and screams all day", "RG41 2AB", "yes", "Kim Testing",
     "im his mum", "yes", "Leo", "Testing", "he was born 3rd march 2022", "skip", "yes", "yes thats fine"),
)
DANGER = "dad is drunk and throwing things at us im hiding in my room"
ORDINARY = SCRIPTS[0][0]


def phone(index: int) -> str:
    """The index-th invented sender: Ofcom's drama numbers (07700 900001-999, then 01632 960000-999)."""
    if index < 999:
        return f"+447700900{index + 1:03d}"
    if index < 1999:
        return f"+441632960{index - 999:03d}"
    raise SystemExit("out of invented numbers: use a smaller --n")


class Stack:
    """Rasa (as the Procfile starts it) and the portal, on free loopback ports, in a temp folder."""

    def __init__(self, workdir: Path, database_url: str, server: str = "dev") -> None:
        self.workdir = workdir
        self.server = server
        self.database_url = database_url
        self.portal_port, self.rasa_port = free_port(), free_port()
        self.rasa_token = secrets.token_urlsafe(24)
        self.portal_url = f"http://127.0.0.1:{self.portal_port}"
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                    "FRONTDOOR_DOTENV": "0", "FRONTDOOR_ENV": "development", "SECRET_KEY": "bench-secret-key",
                    "FIELD_ENCRYPTION_KEYS": "kXjU9n1bC1V8jJ0o7o3d2wZ0b1e5yGfS8o3o7n2YQzA=",
                    "BLIND_INDEX_KEY": "bench-blind-index-key-of-at-least-32-chars",
                    "AUDIT_HMAC_KEYS": "bench:" + secrets.token_urlsafe(48),
                    "DATABASE_URL": database_url, "INSTANCE_PATH": str(workdir),
                    "PUBLIC_BASE_URL": self.portal_url,
                    "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_NUMBER": NUMBER,
                    "RASA_URLS": self.rasa_url, "RASA_AUTH_TOKEN": self.rasa_token,
                    "BOT_RATE_LIMIT_PER_MINUTE": "100000", "PYTHONWARNINGS": "ignore"}
        for name in ("RASA_URL", "RASA_TIMEOUT_SECONDS"):
            self.env.pop(name, None)  # the portal's defaults, not the shell's
        self.processes = Processes(workdir)

    def prepare(self) -> None:
        """A migrated database with the demonstration service directory only (no demo referrals or staff)."""
        subprocess.run([str(FRONTDOOR), "db", "upgrade"], env=self.env, cwd=ROOT, check=True, capture_output=True)
        for path in DIRECTORY:
            subprocess.run([str(FRONTDOOR), "services", "import", str(path)], env=self.env, cwd=ROOT, check=True,
                           capture_output=True)

    def start(self) -> None:
        """Both at once, sharing the cores as under `make run`; each timed from then to its first good answer."""
        began = time.monotonic()
        self.processes.start("rasa", [str(RASA_BIN / "rasa"), "run", "--enable-api", "--auth-token", self.rasa_token,
                                      "-i", "127.0.0.1", "-p", str(self.rasa_port),
                                      "--model", "models/frontdoor.tar.gz", "--credentials", "credentials.yml"],
                             env=self.env, cwd=RASA_DIR)
        if self.server == "gunicorn":  # the production profile's server, as Procfile.production starts it
            self.env.update({"HOST": "127.0.0.1", "PORT": str(self.portal_port)})
            self.processes.start("portal", [str(GUNICORN), "--config", "python:portal.gunicorn_conf",
                                            "portal.wsgi:app"], env=self.env)
        else:
            self.processes.start("portal", [str(FRONTDOOR), "run", "--host", "127.0.0.1", "--port",
                                            str(self.portal_port), "--no-reload"], env=self.env)
        self.processes.wait_until_ready(
            {"portal": lambda: requests.get(f"{self.portal_url}/healthz", timeout=2).status_code == 200,
             "rasa": lambda: parse(self, "hello", check=False) is not None}, began)

    def stop(self, name: str) -> None:
        self.processes.stop(name)

    def stop_all(self) -> None:
        self.processes.stop_all()

    def assistant_missed(self) -> int:
        """Portal turns that Rasa did not answer within the portal's deadline (read by the reader instead)."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(sql("SELECT COALESCE(SUM(assistant_missed), 0) FROM conversations")).scalar())
        finally:
            engine.dispose()


_local = threading.local()


def http() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def parse(stack: Stack, text: str, *, check: bool = True) -> float | None:
    start = time.perf_counter()
    response = http().post(f"{stack.rasa_url}/model/parse", params={"token": stack.rasa_token}, json={"text": text},
                           timeout=30)
    elapsed = time.perf_counter() - start
    ok = response.status_code == 200 and isinstance(response.json().get("intent"), dict)
    if check and not ok:
        raise SystemExit(f"Rasa /model/parse answered HTTP {response.status_code}")
    return elapsed if ok else None


def sms(stack: Stack, sender: str, text: str) -> tuple[float, str]:
    url = f"{stack.portal_url}/sms/inbound"
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": sender, "To": NUMBER,
              "Body": text, "NumMedia": "0"}
    headers = {"X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(url, params)}
    start = time.perf_counter()
    response = http().post(url, data=params, headers=headers, timeout=30)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"the portal answered HTTP {response.status_code}")
    reply = " ".join(html.unescape(m) for m in re.findall(r"<Message[^>]*>(.*?)</Message>", response.text, re.S))
    return elapsed, reply


@dataclass
class Samples:
    """Seconds by way ("parse" | "portal") and turn (0-11)."""

    by_turn: dict[str, list[list[float]]] = field(
        default_factory=lambda: {"parse": [[] for _ in LABELS], "portal": [[] for _ in LABELS]})
    off_script: list[int] = field(default_factory=lambda: [0 for _ in LABELS])  # replies off the journey, by turn
    cpu: dict[tuple[str, str], float] = field(default_factory=dict)  # (way, process) -> CPU seconds used
    wall: dict[str, float] = field(default_factory=dict)  # way -> seconds its rounds took

    def all(self, way: str, turns: range | None = None) -> list[float]:
        return [s for t, samples in enumerate(self.by_turn[way]) if turns is None or t in turns for s in samples]


class Numbers:
    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> str:
        with self._lock:
            self._next += 1
            return phone(self._next - 1)


def run_level(stack: Stack, numbers: Numbers, senders: int, conversations: int, samples: Samples | None) -> None:
    """`conversations` whole conversations each way from `senders` concurrent senders. A round: every sender's
    next HALF turns to one way, then the same turns to the other (which goes first alternates)."""
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=senders) as pool:
        for group in range(conversations // senders):
            people = [(SCRIPTS[(group * senders + i) % len(SCRIPTS)], numbers.take()) for i in range(senders)]
            for half in range(len(LABELS) // HALF):
                turns = range(half * HALF, (half + 1) * HALF)

                def baseline(person: tuple[tuple[str, ...], str], turns: range = turns) -> list[tuple[int, float]]:
                    return [(t, parse(stack, person[0][t])) for t in turns]

                def portal(person: tuple[tuple[str, ...], str], turns: range = turns) -> list[tuple[int, float]]:
                    out = []
                    for t in turns:
                        seconds, reply = sms(stack, person[1], person[0][t])
                        if EXPECT[t].lower() not in reply.lower():
                            with lock:
                                if samples is not None:
                                    samples.off_script[t] += 1
                        out.append((t, seconds))
                    return out

                ways = [("parse", baseline), ("portal", portal)]
                for way, work in ways if (group + half) % 2 == 0 else ways[::-1]:  # ABBA: order not tied to turns
                    before = {name: cpu_seconds(proc.pid) for name, proc in stack.processes.running.items()}
                    before["client"] = time.process_time()
                    started = time.monotonic()
                    for timings in pool.map(work, people):
                        if samples is not None:
                            for turn, seconds in timings:
                                samples.by_turn[way][turn].append(seconds)
                    if samples is not None:
                        samples.wall[way] = samples.wall.get(way, 0.0) + time.monotonic() - started
                        for name, proc in stack.processes.running.items():
                            used = cpu_seconds(proc.pid) - before[name]
                            samples.cpu[way, name] = samples.cpu.get((way, name), 0.0) + used
                        used = time.process_time() - before["client"]  # this script's senders
                        samples.cpu[way, "client"] = samples.cpu.get((way, "client"), 0.0) + used


class Profile:
    """py-spy sampling the portal (only the thread holding the GIL: where its Python time goes) during a level."""

    def __init__(self, pid: int, out: Path) -> None:
        self.out = out
        self.process = subprocess.Popen([str(PY_SPY), "record", "--pid", str(pid), "--format", "raw", "--gil",
                                         "--nonblocking", "--rate", "200", "--output", str(out)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # attached before the first message

    def stop(self) -> list[tuple[str, ...]]:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        return summarise(self.out) if self.out.exists() else [("py-spy wrote nothing",)]


def summarise(path: Path, top: int = 15) -> list[tuple[str, ...]]:
    """Where the sampled (GIL-holding) time is: by the package of the innermost frame (self time), and by the
    project's own functions (inclusive). py-spy names files relative to site-packages, the stdlib or the repo."""
    project = {"bot", "portal", "store", "mash", "forms", "signposting"}
    total, leaves, functions = 0, {}, {}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        total += int(count)
        seen = set()
        package = "?"
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            where = where.rstrip(")").rsplit(":", 1)[0].removeprefix(str(ROOT) + "/")
            package = where.split("/", 1)[0].removesuffix(".py")
            if package in project:
                seen.add(f"{where}:{name}")
        leaves[package] = leaves.get(package, 0) + int(count)
        for key in seen:
            functions[key] = functions.get(key, 0) + int(count)
    rows = [("portal CPU samples (thread holding the GIL)", f"% of {total}")]
    for label, table in (("self, in", leaves), ("inclusive", functions)):
        for key, count in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            rows.append((f"{label} {key}", f"{100 * count / max(total, 1):.1f}"))
    return rows


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def p(samples: list[float], q: int) -> float:
    return percentile(samples, q)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=720, help="messages each way per concurrency level (default 720)")
    parser.add_argument("--danger-n", type=int, default=50, help="danger messages timed with Rasa stopped")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="sqlite",
                        help="the portal's database: a SQLite file (default, as `make run`) or a fresh PostgreSQL "
                             "database (FRONTDOOR_BENCH_PG, dropped afterwards)")
    parser.add_argument("--server", choices=("dev", "gunicorn"), default="dev",
                        help="the portal under `frontdoor run` (as `make run`) or under gunicorn as the production "
                             "profile runs it (WEB_CONCURRENCY processes of GUNICORN_THREADS threads: 2 x 4)")
    parser.add_argument("--profile", action="store_true",
                        help="sample the portal with py-spy during each level (timings then perturbed)")
    args = parser.parse_args()
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make rasa-train` first")
    per_level = {s: max(1, -(-args.n // (len(LABELS) * s))) * s for s in LEVELS}  # whole conversations per sender

    results: dict[int, Samples] = {}
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fd-bench-sms-") as tmp, BACKENDS[args.backend](Path(tmp)) as url:
        stack = Stack(Path(tmp), url, args.server)
        numbers = Numbers()
        try:
            stack.prepare()
            stack.start()
            for senders in LEVELS:  # warm both ways (model graph, connections, the directory's pages)
                run_level(stack, numbers, senders, senders, None)
            profiles = {}
            for senders in LEVELS:
                results[senders] = Samples()
                profile = Profile(stack.processes.pid("portal"), Path(tmp) / f"portal-{senders}.txt") \
                    if args.profile else None
                run_level(stack, numbers, senders, per_level[senders], results[senders])
                if profile is not None:
                    profiles[senders] = profile.stop()
            missed = stack.assistant_missed()
            memory = {name: peak_memory_mib(proc.pid) for name, proc in stack.processes.running.items()}
            stack.stop("rasa")
            danger, ordinary = [], []
            for _ in range(args.danger_n):  # bounded; each from a new sender, the two interleaved
                seconds, reply = sms(stack, numbers.take(), DANGER)
                if "999" not in reply:
                    raise SystemExit("the danger message did not get the 999 advice")
                danger.append(seconds)
                seconds, reply = sms(stack, numbers.take(), ORDINARY)
                if not reply:
                    raise SystemExit("an ordinary message with Rasa stopped got no reply")
                ordinary.append(seconds)
        finally:
            stack.stop_all()
    whole = time.monotonic() - began

    print(f"## SMS webhook: signed SMS -> TwiML beside bare Rasa /model/parse (portal: {args.server} server, "
          f"{args.backend})\n")
    rows = [("senders", "n each way", "parse p50 ms", "portal p50 ms", "added p50 ms", "parse p99 ms",
             "portal p99 ms", "portal/parse p99")]
    for senders, s in results.items():
        base, port = s.all("parse"), s.all("portal")
        rows.append((str(senders), str(len(port)), ms(p(base, 50)), ms(p(port, 50)), ms(p(port, 50) - p(base, 50)),
                     ms(p(base, 99)), ms(p(port, 99)), f"{p(port, 99) / p(base, 99):.2f}x"))
    print(markdown(rows))

    print("\nCPU per message (ms) and cores kept busy, from /proc/<pid>/stat over each way's rounds:\n")
    rows = [("senders", "way", "messages/s", "Rasa CPU ms/msg", "Rasa cores busy", "portal CPU ms/msg",
             "portal cores busy", "senders' CPU ms/msg")]
    for senders, s in results.items():
        for way in ("parse", "portal"):
            n, wall = len(s.all(way)), s.wall[way]
            rasa, portal = s.cpu[way, "rasa"], s.cpu[way, "portal"]
            rows.append((str(senders), {"parse": "bare parse", "portal": "signed SMS"}[way], f"{n / wall:.0f}",
                         ms(rasa / n), f"{rasa / wall:.2f}", ms(portal / n) if way == "portal" else "-",
                         f"{portal / wall:.2f}" if way == "portal" else "-", ms(s.cpu[way, "client"] / n)))
    print(markdown(rows))

    print("\nBy position in the conversation (p50 ms):\n")
    rows = [("senders", "turns", "parse p50 ms", "portal p50 ms", "added p50 ms")]
    added: dict[tuple[int, str], float] = {}
    for senders, s in results.items():
        for name, turns in (("1-3", EARLY), ("10-12", LATE)):
            base, port = p(s.all("parse", turns), 50), p(s.all("portal", turns), 50)
            added[senders, name] = port - base
            rows.append((str(senders), name, ms(base), ms(port), ms(port - base)))
    print(markdown(rows))

    print("\nEach turn, 1 sender (p50 ms):\n")
    one = results[1]
    rows = [("turn", "step", "parse p50 ms", "portal p50 ms", "added p50 ms")]
    for t, label in enumerate(LABELS):
        base, port = p(one.by_turn["parse"][t], 50), p(one.by_turn["portal"][t], 50)
        rows.append((str(t + 1), label, ms(base), ms(port), ms(port - base)))
    print(markdown(rows))

    print("\nTargets:\n")
    r1, r20 = results[1], results[20]
    added1 = p(r1.all("portal"), 50) - p(r1.all("parse"), 50)
    ratio = p(r20.all("portal"), 99) / p(r20.all("parse"), 99)
    growth = added[1, "10-12"] - added[1, "1-3"]
    print(markdown([
        ("target", "measured", "verdict"),
        (f"portal overhead at p50 <= {TARGET_ADDED_P50_MS:.0f} ms (1 sender)", f"{ms(added1)} ms",
         verdict(added1 * 1000 <= TARGET_ADDED_P50_MS)),
        (f"20 senders: portal p99 <= {TARGET_P99_RATIO} x parse p99", f"{ratio:.2f}x",
         verdict(ratio <= TARGET_P99_RATIO)),
        (f"no growth: overhead at turns 10-12 <= turns 1-3 + {TARGET_GROWTH_MS:.0f} ms (1 sender)",
         f"{ms(added[1, '1-3'])} -> {ms(added[1, '10-12'])} ms", verdict(growth * 1000 <= TARGET_GROWTH_MS)),
    ]))
    off = {f"{senders} sender(s), turn {t + 1}": k for senders, s in results.items() for t, k in enumerate(s.off_script)
           if k}
    print(f"\nReplies off the journey: {sum(off.values())}" + (f" ({off})" if off else "")
          + f"; portal turns Rasa did not answer in time (read by the reader instead): {missed}.")

    print()
    print(markdown([("with Rasa stopped", "n", "p50 ms", "p99 ms"),
                    ("danger message (999 advice, red contact)", str(len(danger)), ms(p(danger, 50)),
                     ms(p(danger, 99))),
                    ("ordinary opening (deterministic reader)", str(len(ordinary)), ms(p(ordinary, 50)),
                     ms(p(ordinary, 99)))]))
    print()
    print(markdown([("process", "start-up s (both starting together)", "peak memory MiB (VmHWM)"),
                    ("Rasa (to its first parse)", f"{stack.processes.startup['rasa']:.1f}", f"{memory['rasa']:.0f}"),
                    ("portal (to /healthz)", f"{stack.processes.startup['portal']:.1f}", f"{memory['portal']:.0f}")]))
    print(f"\nWhole run: {whole:.0f} s; load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
          f"on {os.cpu_count()} cores.")
    for senders, rows in profiles.items():
        print(f"\nWhere the portal's Python time goes, {senders} sender(s) (py-spy --gil; timings above perturbed):\n")
        print(markdown(rows))


if __name__ == "__main__":
    main()
