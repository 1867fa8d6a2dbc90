"""What every benchmark shares: fresh databases that clean up after themselves, and the table printer."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("FRONTDOOR_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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
