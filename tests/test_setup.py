"""The README's quick start is a contract: `make run` in an empty checkout sets everything up and serves."""

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checkout(target: Path) -> None:
    """The working tree as a fresh clone would have it: tracked and unignored files only."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
            (target / name).chmod(source.stat().st_mode)


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_make_run_in_an_empty_checkout(tmp_path):
    checkout = tmp_path / "frontdoor"
    checkout.mkdir()
    _checkout(checkout)
    assert not (checkout / ".env").exists() and not (checkout / ".venv").exists()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR", "VIRTUAL_ENV", "DATABASE_URL"))}
    log = (tmp_path / "make-run.log").open("w")
    process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=checkout, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 420
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(2)
        assert status == 200, (tmp_path / "make-run.log").read_text()[-3000:]
        status, page = _get(f"http://127.0.0.1:{port}/report/")
        assert status == 200 and "Report a concern about a child" in page
        status, _ = _get(f"http://127.0.0.1:{port}/assets/govuk-frontend.min.css")
        assert status == 200
        env_text = (checkout / ".env").read_text()
        assert "FIELD_ENCRYPTION_KEYS=" in env_text and "SECRET_KEY=" in env_text
        with sqlite3.connect(checkout / "instance" / "frontdoor.db") as db:
            assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 3
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
