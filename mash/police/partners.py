"""Police partners: their tokens, created, checked, rotated and deactivated."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mash import audit
from mash.models import (
    PolicePartner,
)
from mash.staff import StaffError
from store.db import utcnow

# --- Partner tokens ---------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """A 256-bit random token needs no slow hash: sha256 cannot be brute-forced back to it."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_partner(session: Session, name: str, *, actor: str = "system:cli") -> tuple[PolicePartner, str]:
    """A new partner and its token, which is shown once and never stored."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise StaffError("Give the partner a name of up to 120 characters")
    if session.scalar(select(func.count()).select_from(PolicePartner).where(PolicePartner.name == name)):
        raise StaffError("A partner with that name already exists")
    token = "fdp_" + secrets.token_urlsafe(32)
    partner = PolicePartner(name=name, token_hash=hash_token(token))
    session.add(partner)
    session.flush()
    audit.record(session, event="police.partner_created", actor=actor, details={"partner_id": partner.id})
    return partner, token


def partner_for_token(session: Session, token: str | None) -> PolicePartner | None:
    """The active partner whose token this is. The lookup is by hash; the compare is constant-time anyway."""
    if not token:
        return None
    digest = hash_token(token)
    partner = session.scalar(select(PolicePartner).where(PolicePartner.token_hash == digest))
    if partner is None or not partner.active or not hmac.compare_digest(partner.token_hash, digest):
        return None
    return partner


TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is "when last seen", not a log: one write a minute at most


def touch_partner(session: Session, partner: PolicePartner, now: dt.datetime | None = None) -> None:
    """Remember when a partner's token was last used (committed at once, whatever the request then does)."""
    now = now or utcnow()
    if partner.last_used_at is None or now - partner.last_used_at >= TOUCH_EVERY:
        partner.last_used_at = now
        session.commit()


def _partner_named(session: Session, name: str) -> PolicePartner:
    partner = session.scalar(select(PolicePartner).where(PolicePartner.name == " ".join(name.split())))
    if partner is None:
        raise StaffError("There is no partner with that name")
    return partner


def deactivate_partner(session: Session, name: str, *, actor: str = "system:cli") -> PolicePartner:
    """The partner's token stops working at once; what it sent stays."""
    partner = _partner_named(session, name)
    if not partner.active:
        raise StaffError("That partner is already deactivated")
    partner.active = False
    session.flush()
    audit.record(session, event="police.partner_deactivated", actor=actor, details={"partner_id": partner.id})
    return partner


def rotate_partner(session: Session, name: str, *, actor: str = "system:cli") -> tuple[PolicePartner, str]:
    """A new token for the partner (shown once); the old one stops working at once. A deactivated partner is
    not brought back by a rotation."""
    partner = _partner_named(session, name)
    if not partner.active:
        raise StaffError("That partner is deactivated: create a new partner instead")
    token = "fdp_" + secrets.token_urlsafe(32)
    partner.token_hash = hash_token(token)
    partner.last_used_at = None
    session.flush()
    audit.record(session, event="police.partner_token_rotated", actor=actor, details={"partner_id": partner.id})
    return partner, token
