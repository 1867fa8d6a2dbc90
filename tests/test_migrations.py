"""Migrations keep what is already stored: upgrading a database with referrals in it loses nothing."""

from sqlalchemy import func, select, text

from forms import examples
from forms.referral import REPORT
from mash import audit
from mash.intake import receive_referral
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade


def test_upgrading_from_the_first_schema_keeps_every_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO contacts (reference, kind, channel, status, received_at, decision_due_at, rag, "
                          "risk_rank, safety_flags, concern_categories, referral_source, referrer_type, "
                          "referrer_anonymous, answers, journey, version) VALUES ('FD-2026-000001', 'concern', "
                          "'web', 'new', '2026-11-27 10:00:00', '2026-11-30 10:00:00', 'red', 0, '[]', '[]', '2A', "
                          "'professional', 0, 'x', 'report', 1)"))
        conn.execute(text("INSERT INTO children (contact_id, position, unborn, details) VALUES (1, 0, 0, 'x')"))
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM children")).scalar_one() == 1
        assert conn.execute(text("SELECT reference FROM contacts")).scalar_one() == "FD-2026-000001"
    engine.dispose()


def test_the_newest_schema_accepts_a_referral_and_keeps_the_audit_guard(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        referral, _ = REPORT.validate(examples.professional_concern())
        receive_referral(session, referral, channel="web", actor="public:web")
        session.commit()
        assert audit.verify(session).ok
        names = session.execute(select(func.count()).select_from(text("sqlite_master"))
                                .where(text("type = 'trigger'"))).scalar_one()
        assert names == 6  # UPDATE and DELETE refused on audit_events, case_notes and household_links
    engine.dispose()


def test_the_migrations_build_exactly_the_models(template_db):
    # A model changed without a migration (or the reverse) fails here, not in a council's database.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import bot.models  # noqa: F401
    import forms.drafts  # noqa: F401
    import mash.claims  # noqa: F401  (declares the indexes claim_next reads, beside it)
    import mash.models  # noqa: F401
    import signposting.models  # noqa: F401
    from store.db import Base

    engine = make_engine(f"sqlite:///{template_db}")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()
