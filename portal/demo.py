"""Fictional demonstration referrals for `make run`, received through the same one way in as the web: three web
referrals, a police triage meeting's decision to refer two children to the MASH, and an out-of-hours call."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import examples
from forms.referral import HELP, REPORT
from mash.intake import receive_referral
from mash.models import Contact

if TYPE_CHECKING:
    from mash.models import StaffUser

DEMO_PASSWORD = "demo-password-not-for-real-use"  # noqa: S105 - demo only; `demo load` refuses outside development
# Fixed demo secrets so `make run` can print working credentials; real accounts get random ones.
DEMO_STAFF = (
    ("practitioner@demo.frontdoor.test", "Pat Practitioner (demo)", "practitioner", "3X5QQ3PHXPQZKRXDY2IHAT6NN6KCKF2T"),
    ("manager@demo.frontdoor.test", "Morgan Manager (demo)", "manager", "NW5L32QP7SYZQENTUXE3AHHSLP7XGWSE"),
    ("manager2@demo.frontdoor.test", "Mo Second-Manager (demo)", "manager", "A5WDOMVY3I4A725RNE5QEFIENH5GT2WB"),
)


def load_demo_staff(session: Session) -> list[tuple[str, str, str]]:
    """Create the demo accounts once; return (email, role, TOTP secret) for printing."""
    from mash.models import StaffUser
    from mash.staff import create_user

    for email, name, role, secret in DEMO_STAFF:
        if session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)) == 0:
            create_user(session, email=email, name=name, role=role, password=DEMO_PASSWORD, actor="system:demo",
                        totp_secret=secret)
    return [(email, role, secret) for email, _, role, secret in DEMO_STAFF]


def load_demo_contacts(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(Contact).where(Contact.idempotency_key.like("demo:%"))):
        return 0
    samples = [
        # Jayden's date of birth as the demo police notifications give it, so they join up with his referral
        (REPORT, examples.professional_concern(children=[
            {**examples.professional_concern()["children"][0], "date_of_birth": "2019-05-01"}]), "web"),
        (REPORT, examples.public_concern(), "web"),
        (HELP, examples.family_help_request(), "web"),
    ]
    for number, (journey, answers, channel) in enumerate(samples, start=1):
        referral, problems = journey.validate(answers)
        if referral is None:
            raise RuntimeError(f"demo referral {number} is invalid: {problems}")
        receive_referral(session, referral, channel=channel, actor="system:demo", idempotency_key=f"demo:{number}")
    return len(samples)


DEMO_REFERRED_NOTIFICATION = "DEMO/DA/0003"  # portal/demo_data/police_notifications.csv: high grade, two children
DEMO_CALL = {
    "caller": "A neighbour (fictional), 07700 900456",
    "what_happened": "Fictional: a neighbour heard a child crying for an hour; the flat was dark and nobody answered.",
    "action_taken": "Police asked to attend for a welfare check; they found the child with a grandparent.",
    "rationale": "The child was safe with a grandparent overnight; the police had no concerns about the home.",
    "day_team_actions": "Check whether the family is known; speak to the school in the morning.",
    "child_first_name": "Noah", "child_last_name": "Ward", "child_date_of_birth": "2016-09-30",
    "child_address": "4 Birch Close, Reading", "child_postcode": "RG1 2AB",
}


def _demo_practitioner(session: Session) -> StaffUser | None:
    from mash.models import StaffUser

    return session.scalar(select(StaffUser).where(StaffUser.email == DEMO_STAFF[0][0]))


def load_demo_decisions(session: Session, *, now: dt.datetime | None = None) -> list[str]:
    """Once: a triage meeting decides "refer to the MASH" for a demo notification (a contact in the queue carrying
    the notification), and an emergency duty worker records a call (a contact in the 09:00 handover). Returns
    what was added, in words. Run after the demo staff and notifications are loaded."""
    from mash import handover, police
    from mash.models import DomesticAbuseNotification, Handover
    from store.db import utcnow

    now = now or utcnow()
    practitioner = _demo_practitioner(session)
    if practitioner is None:
        return []
    added = []
    notification = session.scalar(select(DomesticAbuseNotification).where(
        DomesticAbuseNotification.police_reference == DEMO_REFERRED_NOTIFICATION))
    if notification is not None and notification.triaged_at is None and notification.closed_at is None:
        police.record_triage_meeting(
            session, notification, practitioner, held_at=now, now=now,
            attendees=[{"agency": "police", "name": "DS Reed (demo)", "role": "Domestic abuse lead"},
                       {"agency": "social_care", "name": "Pat Practitioner (demo)", "role": "Social worker"}],
            decisions=[police.ChildDecision(position=c.position, decision="refer_to_mash",
                                            note="Fictional: referred to the MASH by the demo triage meeting")
                       for c in notification.children])
        added.append(f"police notification {DEMO_REFERRED_NOTIFICATION} referred to the MASH")
    calls = session.scalar(select(func.count()).select_from(Handover).where(
        Handover.source == "call", Handover.recorded_by_id == practitioner.id))
    if not calls:
        last_night = (now.astimezone(dt.UTC) - dt.timedelta(days=1)).replace(hour=22, minute=30, second=0,
                                                                             microsecond=0)
        handover.record_call(session, practitioner, received_at=last_night, values=DEMO_CALL, now=now)
        added.append("an out-of-hours call in the handover")
    return added


def load_demo_casework(session: Session, *, now: dt.datetime | None = None) -> list[str]:
    """Once: a case note on Jayden's demo referral, and his contact linked as one household with his sister Ruby's
    (the contact the demo triage meeting made): so the demo shows notes, a household and a chronology. Run after
    load_demo_decisions."""
    from mash.casework import add_note, are_linked, link_household
    from mash.models import CaseNote, ContactNotification, DomesticAbuseNotification

    practitioner = _demo_practitioner(session)
    jayden = session.scalar(select(Contact).where(Contact.idempotency_key == "demo:1"))
    if practitioner is None or jayden is None or session.scalar(
            select(func.count()).select_from(CaseNote).where(CaseNote.written_by_id == practitioner.id)):
        return []
    added = []
    if jayden.closed_at is None:
        add_note(session, jayden, practitioner, kind="information_received", now=now,
                 text="Fictional: the school rang to say Jayden has been quiet and withdrawn this week.")
        added.append("a case note")
    ruby = session.scalar(
        select(Contact).join(ContactNotification, ContactNotification.contact_id == Contact.id)
        .join(DomesticAbuseNotification, DomesticAbuseNotification.id == ContactNotification.notification_id)
        .where(DomesticAbuseNotification.police_reference == DEMO_REFERRED_NOTIFICATION,
               ContactNotification.created.is_(True)))
    if ruby is not None and ruby.id != jayden.id and not are_linked(session, jayden.id, ruby.id):
        link_household(session, jayden, practitioner, reference=ruby.reference, now=now,
                       reason="Fictional: Jayden and Ruby are brother and sister (the same police notification)")
        added.append("two contacts linked as one household")
    return added


DEMO_TEXTER = "+447700900111"  # Ofcom's range for drama: never a real number
DEMO_TEXT = "Fictional demo: my sisters fella has been drinking all day and hes got the baby on his own"


def load_demo_text(session: Session, *, now: dt.datetime | None = None) -> list[str]:
    """Once: a text message through the same pipeline as a real one (screened, stored encrypted, answered), so the
    demo queue holds a danger-now text contact: a practitioner can filter to red text contacts and read the
    transcript as a conversation. No model is asked (the danger screen answers first) and nothing is sent."""
    from bot.conversations import sender_key
    from bot.models import Conversation
    from bot.pipeline import Inbound, Settings, handle

    if session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.sender_key == sender_key("sms", DEMO_TEXTER))):
        return []
    outcome = handle(session, Inbound(channel="sms", sender=DEMO_TEXTER, text=DEMO_TEXT,
                                      provider_sid="SMdemo0000000000000000000000000001"),
                     settings=Settings(), parser=None, now=now)
    return ["a text message about a baby in danger now"] if outcome.danger else []
