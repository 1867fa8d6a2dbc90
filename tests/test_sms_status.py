"""Delivery reports (/sms/status): a signed report never fails, whatever message id it carries."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from bot.models import Message
from tests.bot_support import ACCOUNT, OUR_NUMBER, PARENT, FakeParser, post_sms, signed, use_parser


@pytest.fixture(autouse=True)
def _parser(monkeypatch) -> None:
    use_parser(monkeypatch, FakeParser())


def status_path(response) -> str:
    """Where Twilio would report on the reply in this TwiML: the <Message action> URL, as a path."""
    action = re.search(r'action="([^"]+)"', response.get_data(as_text=True)).group(1).replace("&amp;", "&")
    return action.removeprefix("https://frontdoor.example.org")


def report(client, path: str, sid: str, state: str = "delivered"):
    params = {"MessageSid": sid, "MessageStatus": state, "AccountSid": ACCOUNT, "To": PARENT, "From": OUR_NUMBER}
    return client.post(path, data=params, headers=signed(params, path=path))


def messages(db_session) -> list[Message]:
    db_session.expire_all()
    return db_session.scalars(select(Message).order_by(Message.id)).all()


def test_a_report_carrying_an_inbound_messages_sid_keeps_the_state_and_never_fails(client, db_session, caplog):
    inbound_sid = "SM" + "a" * 32
    path = status_path(post_sms(client, "hello", sid=inbound_sid))
    caplog.set_level(logging.DEBUG)
    response = report(client, path, inbound_sid)  # an IntegrityError and a 500 before
    assert response.status_code == 200
    inbound, reply = (m for m in messages(db_session) if m.direction in ("in", "out"))
    assert (inbound.direction, inbound.provider_sid) == ("in", inbound_sid)
    assert (reply.direction, reply.delivery_status, reply.provider_sid) == ("out", "delivered", None)
    assert PARENT not in caplog.text and inbound_sid not in caplog.text


def test_repeated_and_crossed_reports_never_fail(client, db_session):
    first = status_path(post_sms(client, "hello"))
    second = status_path(post_sms(client, "are you there"))
    reply_sid = "SM" + "b" * 32
    assert report(client, first, reply_sid, "sent").status_code == 200
    assert report(client, first, reply_sid, "delivered").status_code == 200  # Twilio reports each change
    assert report(client, second, reply_sid).status_code == 200  # another reply's sid
    replies = [m for m in messages(db_session) if m.direction == "out"]
    assert [(r.delivery_status, r.provider_sid) for r in replies] == [("delivered", reply_sid), ("delivered", None)]


# Beyond PostgreSQL's integer; "²" (isdigit() says it is a digit, int() refuses it); a sign; nothing.
@pytest.mark.parametrize("reply", ["99999999999999999999", "%C2%B2", "-1", ""])
def test_a_report_for_no_reply_of_ours_is_a_bad_request_not_a_crash(client, reply):
    assert report(client, f"/sms/status?reply={reply}", "SM" + "c" * 32).status_code == 400
