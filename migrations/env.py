"""Alembic environment: every model module is imported so the metadata is complete."""

from alembic import context

import bot.models  # noqa: F401
import forms.drafts  # noqa: F401
import mash.models  # noqa: F401
import signposting.models  # noqa: F401
from store.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # Batch migrations rebuild tables; with foreign keys on, dropping the old table would cascade.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        _run(conn)
        conn.commit()
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
