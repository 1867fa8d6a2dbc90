"""When the database cannot take a message (locked, down), the message waits here, encrypted, until the worker
can store it: the person has already had the safety or fallback reply, and nothing they wrote is lost."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bot.pipeline import Inbound
from store.crypto import keyring


def write(directory: Path, inbound: Inbound, at: dt.datetime) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.msg"
    temporary = path.with_suffix(".tmp")
    record = {"inbound": asdict(inbound), "at": at.isoformat()}
    temporary.write_text(keyring.encrypt(json.dumps(record)), encoding="ascii")
    os.replace(temporary, path)  # a reader never sees half a file
    return path


def pending(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.msg"), key=lambda p: p.stat().st_mtime) if directory.exists() else []


def replay(directory: Path, store: Callable[[Inbound, dt.datetime], object]) -> int:
    """Hand each waiting message, with the time it arrived, to `store` (the pipeline); a file goes only once
    it has been stored, so a failure part-way leaves the rest waiting."""
    done = 0
    for path in pending(directory):
        record = json.loads(keyring.decrypt(path.read_text(encoding="ascii")))
        data = record["inbound"]
        data["media_types"] = tuple(data.get("media_types") or ())
        store(Inbound(**data), dt.datetime.fromisoformat(record["at"]))
        path.unlink()
        done += 1
    return done
