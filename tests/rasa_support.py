"""A real Rasa for the slow tests: the trained model served on a free port behind a token, as `make run` does."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RASA_DIR = ROOT / "bot" / "rasa"
MODEL = RASA_DIR / "models" / "frontdoor.tar.gz"
RASA_BIN = Path(os.environ.get("RASA_BIN", ROOT / ".venv-rasa" / "bin"))


@dataclass(frozen=True)
class RunningRasa:
    url: str
    token: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_rasa(token: str = "test-rasa-token", timeout: float = 180) -> Iterator[RunningRasa]:  # noqa: S107
    """Start `rasa run --enable-api` exactly as the Procfile does, wait until it parses, stop it after."""
    assert MODEL.exists(), "no Rasa model: `make rasa-train` first (make test does)"
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    process = subprocess.Popen(
        [str(RASA_BIN / "rasa"), "run", "--enable-api", "--auth-token", token, "-i", "127.0.0.1", "-p", str(port),
         "--model", str(MODEL), "--credentials", "credentials.yml"],
        cwd=RASA_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, "Rasa exited while starting"
            try:
                if requests.post(f"{url}/model/parse", params={"token": token}, json={"text": "hi"},
                                 timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "Rasa did not start in time"
            time.sleep(1)
        yield RunningRasa(url, token, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
