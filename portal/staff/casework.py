"""Sharing the work (issue 15, item 3): pass a contact to a colleague with a note, case notes, household links, and a
child's chronology. The rules live in mash.casework and mash.chronology; these views are thin.

The contact page shows the partial staff/_casework.html, which fetches its own data through the template global
`casework_for(contact)`, so the contact page's view need not know about it. The same partial has a page of its own
(/staff/contacts/<id>/casework), where a refused form comes back with its error and everything typed kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from mash import audit
from mash.casework import (
    KIND_WORDS,
    NOTE_KINDS,
    NOTE_LIMIT,
    CaseworkError,
    LinkedContact,
    active_colleagues,
    add_note,
    household_of,
    link_household,
    notes_for,
    pass_contact,
    unlink_household,
)
from mash.chronology import ORDERS, chronology
from mash.claims import SCREENING_STATUSES, STALE_MESSAGE
from mash.models import CaseNote, Child, Contact, StaffUser
from mash.staff import StaffError, can
from portal import db
from portal.staff import bp, me, permission

VERSION_DIGITS = 9
FIELD_IDS = {"pass": {"colleague": "pass-colleague", "note": "pass-note", "": "pass-colleague"},
             "note": {"kind": "note-kind", "text": "note-text", "corrects": "note-corrects", "": "note-kind"},
             "link": {"reference": "link-reference", "reason": "link-reason", "": "link-reference"},
             "unlink": {"": "household"}}


@dataclass(frozen=True)
class NoteLine:
    note: CaseNote
    number: int
    kind: str
    author: str
    passed_to: str
    corrected_by: list[int]


@dataclass
class Casework:
    """What the partial shows for one contact, and for whom."""

    contact: Contact
    holder: StaffUser | None
    held_until: dt.datetime | None
    holder_is_me: bool
    can_pass: bool
    can_write: bool
    colleagues: list[StaffUser]
    notes: list[NoteLine]
    household: list[LinkedContact]
    children: list[tuple[int, str]]
    back: str
    kinds: dict[str, str] = field(default_factory=lambda: dict(NOTE_KINDS))
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message
    values: dict[str, str] = field(default_factory=dict)
    note_limit: int = NOTE_LIMIT


def _child_label(child: Child) -> str:
    if child.unborn:
        return "Unborn baby"
    name = " ".join(p for p in (child.first_name, child.last_name) if p)
    return name or f"Child {child.position + 1} (name not known)"


@bp.app_template_global()
def casework_for(contact: Contact) -> Casework | None:
    """The partial's data, for whoever is signed in (None for anyone who may not open contacts)."""
    if not current_user.is_authenticated or not can(me(), "view_contacts"):
        return None
    user = me()
    dbs = db.session()
    now = dt.datetime.now(dt.UTC)
    held = contact.claimed_by_id is not None and contact.claim_expires_at is not None and contact.claim_expires_at > now
    holder = dbs.get(StaffUser, contact.claimed_by_id) if held and contact.claimed_by_id else None
    screening = contact.closed_at is None and contact.status in SCREENING_STATUSES
    notes = notes_for(dbs, contact.id)
    numbers = {n.id: i for i, n in enumerate(notes, start=1)}
    wanted = {n.written_by_id for n in notes} | {n.passed_to_id for n in notes if n.passed_to_id}
    people = dict(dbs.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(wanted))).all()) \
        if wanted else {}
    corrected: dict[int, list[int]] = {}
    for n in notes:
        if n.corrects_id:
            corrected.setdefault(n.corrects_id, []).append(numbers[n.id])
    lines = [NoteLine(n, numbers[n.id], KIND_WORDS.get(n.kind, n.kind),
                      people.get(n.written_by_id, "A member of staff"), people.get(n.passed_to_id or 0, ""),
                      corrected.get(n.id, [])) for n in notes]
    may_screen = can(user, "screen")
    return Casework(
        contact=contact, holder=holder, held_until=contact.claim_expires_at if held else None,
        holder_is_me=holder is not None and holder.id == user.id,
        can_pass=may_screen and screening and (holder is None or holder.id == user.id or can(user, "sign_off")),
        can_write=may_screen and contact.closed_at is None,
        colleagues=active_colleagues(dbs, user) if may_screen and screening else [],
        notes=lines, household=household_of(dbs, contact.id),
        children=[(c.id, _child_label(c)) for c in contact.children],
        back="casework" if request.endpoint == "staff.casework_page" else "contact",
        errors=dict(g.get("casework_errors") or {}), values=dict(g.get("casework_values") or {}))


def _contact_or_404(contact_id: int) -> Contact:
    contact = db.session().get(Contact, contact_id)
    if contact is None:
        abort(404)
    return contact


def _version() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() and len(value) <= VERSION_DIGITS else None


def _done(contact_id: int, anchor: str) -> Any:
    if request.form.get("back") == "contact":
        return redirect(url_for("staff.contact", contact_id=contact_id) + anchor)
    return redirect(url_for("staff.casework_page", contact_id=contact_id) + anchor)


def _page(contact: Contact, status: int = 200) -> Any:
    return render_template("staff/casework.html", title=f"Notes and sharing: {contact.reference}", contact=contact,
                           problems=bool(g.get("casework_errors"))), status


def _act(contact: Contact, form: str, action: Callable[[], str], anchor: str) -> Any:
    """One action, one transaction. A refusal shows the form again, its error beside the field and everything typed
    kept (status 400), never a 500 and never a lost note."""
    dbs = db.session()
    try:
        success = action()
        dbs.commit()
    except (CaseworkError, StaffError, StaleDataError) as exc:
        dbs.rollback()
        message = STALE_MESSAGE if isinstance(exc, StaleDataError) else str(exc)
        name = getattr(exc, "field", "")
        ids = FIELD_IDS[form]
        g.casework_errors = {ids.get(name, ids[""]): message}
        g.casework_values = {k: v for k, v in request.form.items() if k not in ("csrf_token",)}
        g.casework_values["form"] = form
        return _page(dbs.get(Contact, contact.id) or contact, 400)
    flash(success, "success")
    return _done(contact.id, anchor)


@bp.get("/contacts/<int:contact_id>/casework")
@permission("view_contacts")
def casework_page(contact_id: int):
    return _page(_contact_or_404(contact_id))


@bp.post("/contacts/<int:contact_id>/pass")
@permission("screen")
def pass_on(contact_id: int):
    contact = _contact_or_404(contact_id)
    f = request.form

    def action() -> str:
        note = pass_contact(db.session(), contact, me(), colleague_id=f.get("colleague"), note=f.get("note"),
                            version=_version())
        return f"Passed to {note.passed_to.name if note.passed_to else 'your colleague'}, with your note."

    return _act(contact, "pass", action, "#casework")


@bp.post("/contacts/<int:contact_id>/notes")
@permission("screen")
def write_note(contact_id: int):
    contact = _contact_or_404(contact_id)
    f = request.form
    def action() -> str:
        add_note(db.session(), contact, me(), kind=f.get("kind"), text=f.get("text"), corrects=f.get("corrects"))
        return "Case note added."

    return _act(contact, "note", action, "#case-notes")


@bp.post("/contacts/<int:contact_id>/household")
@permission("screen")
def link(contact_id: int):
    contact = _contact_or_404(contact_id)
    f = request.form
    def action() -> str:
        other = link_household(db.session(), contact, me(), reference=f.get("reference"), reason=f.get("reason"))
        return f"Linked with {other.reference} as one household."

    return _act(contact, "link", action, "#household")


@bp.post("/contacts/<int:contact_id>/household/<int:other_id>/unlink")
@permission("screen")
def unlink(contact_id: int, other_id: int):
    contact = _contact_or_404(contact_id)
    def action() -> str:
        other = unlink_household(db.session(), contact, me(), other_id=other_id)
        return f"Unlinked {other.reference} from this contact's household."

    return _act(contact, "unlink", action, "#household")


@bp.get("/children/<int:child_id>/chronology")
@permission("view_contacts")
def chronology_page(child_id: int):
    dbs = db.session()
    child = dbs.get(Child, child_id)
    if child is None:
        abort(404)
    order = request.args.get("order", "newest")
    if order not in ORDERS:
        order = "newest"
    result = chronology(dbs, child, order=order)
    audit.record(dbs, event="chronology.viewed", actor=f"staff:{me().id}", contact_id=child.contact_id,
                 details={"child_id": child.id, "contacts": len(result.contacts), "entries": len(result.entries)})
    dbs.commit()
    return render_template("staff/chronology.html", title=f"Chronology: {result.name}", chron=result)
