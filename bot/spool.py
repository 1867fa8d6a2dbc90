"""When the database cannot take a message (locked, down), the message waits here, encrypted, until the worker
can store it: the person has already had the safety or fallback reply, and nothing they wrote is lost."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from bot.pipeline import Inbound
from store.crypto import keyring

# A worker that claimed a file and died leaves it claimed: after this long another worker takes it.
CLAIM_LEASE = dt.timedelta(minutes=5)
FAILED = "failed"  # the sub-folder where a file that cannot be stored is set aside
# A message the pipeline fails on is tried on this many runs before it is set aside: a fault of the moment (a
# deployment half done) must not strand every message, and a message that always fails must stop being tried.
MAX_TRIES = 3

log = logging.getLogger(__name__)


def write(directory: Path, inbound: Inbound, at: dt.datetime) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.msg"
    temporary = path.with_suffix(".tmp")
    record = {"inbound": asdict(inbound), "at": at.isoformat()}
    temporary.write_text(keyring.encrypt(json.dumps(record)), encoding="ascii")
    os.replace(temporary, path)  # a reader never sees half a file
    return path


@dataclass
class Replayed:
    """What one replay did: messages stored, files set aside (in `failed/`), messages that failed and wait
    for another try, and whether it stopped with files still waiting because the database is unavailable."""

    stored: int = 0
    set_aside: int = 0
    retrying: int = 0
    waiting: bool = False


def pending(directory: Path) -> list[Path]:
    """Waiting files, oldest first. A file claimed by a worker that has not finished within the lease (it
    died) is waiting again."""
    if not directory.exists():
        return []
    stale = time.time() - CLAIM_LEASE.total_seconds()
    found = []
    for path in [*directory.glob("*.msg"), *directory.glob("*.claimed")]:
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:  # another worker took it or finished it meanwhile
            continue
        if path.suffix == ".msg" or modified < stale:
            found.append((modified, path))
    return [path for _, path in sorted(found)]


def _claim(path: Path) -> Path | None:
    """Take a file for this worker alone: a rename succeeds for only one of two workers, a stale claim
    included (it is renamed to a claim of our own). The claim's modification time starts its lease."""
    claimed = path.with_name(f"{_base(path)}.t{_tries(path)}.{uuid.uuid4().hex[:12]}.claimed")
    try:
        os.replace(path, claimed)
    except FileNotFoundError:
        return None
    os.utime(claimed)
    return claimed


def _base(path: Path) -> str:
    return path.name.split(".", 1)[0]


def _tries(path: Path) -> int:
    """How many runs have failed on it, kept in its name: `ID.msg`, `ID.t2.msg`, `ID.t2.TOKEN.claimed`."""
    parts = path.name.split(".")
    return int(parts[1][1:]) if len(parts) > 2 and parts[1][:1] == "t" and parts[1][1:].isdigit() else 0


def _wait(directory: Path, claimed: Path, tries: int) -> None:
    os.replace(claimed, directory / (f"{_base(claimed)}.t{tries}.msg" if tries else f"{_base(claimed)}.msg"))


def _read(path: Path) -> tuple[Inbound, dt.datetime]:
    record = json.loads(keyring.decrypt(path.read_text(encoding="ascii")))
    data = record["inbound"]
    data["media_types"] = tuple(data.get("media_types") or ())
    return Inbound(**data), dt.datetime.fromisoformat(record["at"])


def _set_aside(directory: Path, claimed: Path, problem: Exception) -> None:
    """Keep the file (someone may recover it once the cause is fixed) where no replay looks, and say so.
    The file's name is a random id; what the message says never reaches the log."""
    failed = directory / FAILED
    failed.mkdir(exist_ok=True)
    name = f"{_base(claimed)}.msg"
    os.replace(claimed, failed / name)
    log.error("spooled message %s set aside in %s/ (%s): it could not be stored; every later message goes on",
              name, FAILED, type(problem).__name__)


def replay(directory: Path, store: Callable[[Inbound, dt.datetime], object]) -> Replayed:
    """Hand each waiting message, with the time it arrived, to `store` (the pipeline). A file goes only once
    it has been stored. A file that cannot be read is set aside at once, and one the pipeline fails on is
    passed over (set aside after MAX_TRIES runs), so neither holds back the messages after it, a danger
    among them; while the database itself is unavailable everything waits."""
    done = Replayed()
    for path in pending(directory):
        claimed = _claim(path)
        if claimed is None:
            continue
        try:
            inbound, at = _read(claimed)
        except Exception as exc:  # noqa: BLE001 - undecryptable (a retired key), cut short, or not ours
            _set_aside(directory, claimed, exc)
            done.set_aside += 1
            continue
        try:
            store(inbound, at)
        except (OperationalError, InterfaceError, DisconnectionError, SQLAlchemyTimeoutError):
            # The database is locked or down: not this file's fault. Leave it, and the rest, for the next run.
            _wait(directory, claimed, _tries(claimed))
            done.waiting = True
            return done
        except Exception as exc:  # noqa: BLE001 - this message trips the pipeline: it must not stop the others
            tries = _tries(claimed) + 1
            if tries >= MAX_TRIES:
                _set_aside(directory, claimed, exc)
                done.set_aside += 1
            else:
                _wait(directory, claimed, tries)
                done.retrying += 1
                log.warning("spooled message %s could not be stored (%s), try %d of %d", _base(claimed),
                            type(exc).__name__, tries, MAX_TRIES)
            continue
        claimed.unlink()
        done.stored += 1
    return done
