"""Benchmark (issue 5): a signed Twilio request in, TwiML out, beside the bare Rasa REST webhook in the same run.

Starts, on free local ports, the real processes `make run` starts: the Rasa server (the trained model in
bot/rasa/models, SQL tracker store on SQLite in a temp folder), the action server, and the portal
(`frontdoor run`, a fresh migrated SQLite database). Then, for 1 and for 20 concurrent senders (each sending
conversations of six messages, a new person each time):

- baseline: POST Rasa's /webhooks/rest/webhook directly, the same messages on the same model;
- portal:   POST /sms/inbound signed with RequestValidator, which screens, stores, calls that same Rasa,
            stores the reply and answers in TwiML.

The two alternate in rounds so drift on the machine lands on both. Target: the portal adds at most 15 ms at
p50. Then Rasa is stopped and the danger reply is timed (p50), with the fallback reply for an ordinary message
beside it. Also printed: Rasa's training time (a forced retrain into a temp folder) and start-up time, and the
peak memory (VmHWM) of each process.

    .venv/bin/python bench/sms_webhook.py [--n 200] [--skip-train]

Needs `make rasa-train` (or `make run`) to have been run once. Prints only timings, counts and sizes.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchlib import markdown, percentile  # noqa: E402

RASA_DIR = ROOT / "bot" / "rasa"
RASA_BIN = ROOT / os.environ.get("RASA_VENV", ".venv-rasa") / "bin"
MODEL = RASA_DIR / "models" / "frontdoor.tar.gz"
ACCOUNT, TOKEN, NUMBER = "AC" + "0" * 32, "bench-auth-token", "+447700900000"
MESSAGES = ["hello", "I'm struggling with my 4 year old", "thanks", "is there a toddler group near me",
            "my son won't go to school", "we can't pay the rent"]
DANGER = "dad is drunk and throwing things at us im hiding in my room"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise SystemExit(f"{url} did not come up within {timeout:.0f} s")


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


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in children(int(c))]


class Stack:
    """The three processes, as `make run` starts them, on free ports."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.portal_port, self.rasa_port, self.actions_port = free_port(), free_port(), free_port()
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "FRONTDOOR_DOTENV": "0",
                    "FRONTDOOR_ENV": "development", "SECRET_KEY": "bench-secret-key",
                    "FIELD_ENCRYPTION_KEYS": "kXjU9n1bC1V8jJ0o7o3d2wZ0b1e5yGfS8o3o7n2YQzA=",
                    "BLIND_INDEX_KEY": "bench-blind-index-key-of-at-least-32-chars",
                    "DATABASE_URL": f"sqlite:///{workdir / 'frontdoor.db'}", "FRONTDOOR_INSTANCE": str(workdir),
                    "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.portal_port}",
                    "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_NUMBER": NUMBER,
                    "BOT_API_TOKEN": "bench-bot-token", "BOT_RATE_LIMIT_PER_MINUTE": "100000",
                    "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
                    "FRONTDOOR_API_URL": f"http://127.0.0.1:{self.portal_port}",
                    "FRONTDOOR_PUBLIC_URL": f"http://127.0.0.1:{self.portal_port}",
                    "PYTHONWARNINGS": "ignore"}
        (workdir / "endpoints.yml").write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{workdir / "tracker.db"}"\n')
        self.processes: dict[str, subprocess.Popen] = {}
        self.startup: dict[str, float] = {}

    def _start(self, name: str, command: list[str], cwd: Path) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("w")
        process = subprocess.Popen(command, cwd=cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def start(self) -> None:
        subprocess.run([str(ROOT / ".venv/bin/frontdoor"), "db", "upgrade"], env=self.env, check=True,
                       capture_output=True)
        began = time.monotonic()
        self._start("actions", [str(RASA_BIN / "rasa"), "run", "actions", "-p", str(self.actions_port)], RASA_DIR)
        self._start("rasa", [str(RASA_BIN / "rasa"), "run", "--enable-api", "-i", "127.0.0.1",
                             "-p", str(self.rasa_port), "--model", str(MODEL),
                             "--endpoints", str(self.workdir / "endpoints.yml"),
                             "--credentials", str(RASA_DIR / "credentials.yml")], RASA_DIR)
        self._start("portal", [str(ROOT / ".venv/bin/frontdoor"), "run", "--port", str(self.portal_port),
                               "--no-reload"], ROOT)
        # All three start together (sharing the two cores, as under `make run`); each is timed from then.
        for name, url in (("portal", f"http://127.0.0.1:{self.portal_port}/healthz"),
                          ("actions", f"http://127.0.0.1:{self.actions_port}/health"),
                          ("rasa", f"http://127.0.0.1:{self.rasa_port}/status")):
            wait_for(url, 300)
            self.startup[name] = time.monotonic() - began

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


_local = threading.local()


def http() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def direct(stack: Stack, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = http().post(f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook",
                           json={"sender": sender, "message": text, "metadata": {"channel": "sms"}}, timeout=30)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed


def via_portal(stack: Stack, sender: str, text: str, *, expect: str | None = None) -> float:
    url = f"http://127.0.0.1:{stack.portal_port}/sms/inbound"
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": sender, "To": NUMBER,
              "Body": text, "NumMedia": "0"}
    headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}
    start = time.perf_counter()
    response = http().post(url, data=params, headers=headers, timeout=30)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    if expect is not None:
        assert expect in response.text, "unexpected reply"
    return elapsed


def run_load(stack: Stack, senders: int, n: int) -> tuple[list[float], list[float]]:
    """n messages each way, from `senders` concurrent senders, the two ways alternating round by round."""
    baseline: list[float] = []
    portal: list[float] = []
    per_sender = max(n // senders, 1)

    def sender_work(index: int) -> tuple[list[float], list[float]]:
        mine_direct, mine_portal = [], []
        for i in range(per_sender):
            if i % len(MESSAGES) == 0:  # each person has a conversation of a few messages, then another texts
                rasa_id, phone = uuid.uuid4().hex, f"+44770{index:02d}{uuid.uuid4().int % 10**5:05d}"
            text = MESSAGES[i % len(MESSAGES)]
            mine_direct.append(direct(stack, rasa_id, text))
            mine_portal.append(via_portal(stack, phone, text))
        return mine_direct, mine_portal

    with ThreadPoolExecutor(max_workers=senders) as pool:
        for mine_direct, mine_portal in pool.map(sender_work, range(senders)):
            baseline.extend(mine_direct)
            portal.extend(mine_portal)
    return baseline, portal


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="messages each way per concurrency level")
    parser.add_argument("--skip-train", action="store_true", help="do not time a forced retrain")
    args = parser.parse_args()
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make rasa-train` first")

    train_seconds = None
    with tempfile.TemporaryDirectory(prefix="fd-bench-sms-") as tmp:
        workdir = Path(tmp)
        if not args.skip_train:
            start = time.monotonic()
            subprocess.run([str(RASA_BIN / "rasa"), "train", "--force", "--out", str(workdir / "models"),
                            "--fixed-model-name", "bench"], cwd=RASA_DIR, check=True, capture_output=True,
                           env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
            train_seconds = time.monotonic() - start
        stack = Stack(workdir)
        try:
            stack.start()
            for senders in (1, 20):  # warm both paths (model loading, first connections)
                run_load(stack, senders, 20)
            rows = [("case", "senders", "n", "Rasa REST p50 ms", "portal p50 ms", "added p50 ms",
                     "Rasa REST p99 ms", "portal p99 ms")]
            for senders in (1, 20):
                baseline, portal = run_load(stack, senders, args.n)
                rows.append(("signed SMS -> TwiML", str(senders), str(len(portal)), ms(percentile(baseline, 50)),
                             ms(percentile(portal, 50)), ms(percentile(portal, 50) - percentile(baseline, 50)),
                             ms(percentile(baseline, 99)), ms(percentile(portal, 99))))
            memory = {name: peak_memory_mib(p.pid) for name, p in stack.processes.items()}
            stack.stop("rasa")
            stopped = [via_portal(stack, f"+4477008{i:05d}", DANGER, expect="call 999") for i in range(100)]
            fallback = [via_portal(stack, f"+4477007{i:05d}", "my son won't go to school", expect="999")
                        for i in range(100)]
        finally:
            stack.stop_all()
    print("## SMS webhook (issue 5)\n")
    print(markdown(rows))
    print()
    print(markdown([("with Rasa stopped", "n", "p50 ms", "p99 ms"),
                    ("danger reply (999 advice)", str(len(stopped)), ms(percentile(stopped, 50)),
                     ms(percentile(stopped, 99))),
                    ("ordinary message (fallback reply)", str(len(fallback)), ms(percentile(fallback, 50)),
                     ms(percentile(fallback, 99)))]))
    print()
    print(markdown([("process", "start-up s", "peak memory MiB"),
                    *[(name, f"{stack.startup.get(name, 0):.1f}", f"{memory[name]:.0f}") for name in
                      ("rasa", "actions", "portal")]]))
    if train_seconds is not None:
        print(f"\nRasa training (forced, from scratch): {train_seconds:.1f} s")


if __name__ == "__main__":
    main()
