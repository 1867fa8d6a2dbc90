"""People pick up conversations (issue 13): the inbox, taking over, replies by Twilio's REST API (a local fake,
never the network) and in web chat, STOP and safe-to-text, hand-back, ending, and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from bot import takeover
from bot.models import Conversation, ConversationWait, Message
from mash.clock import WorkingCalendar
from mash.models import AuditEvent
from tests.bot_support import PARENT, FakeParser, post_sms, use_parser
from tests.conftest import app_config
from tests.staff_support import create_staff, sign_in

DANGER = "dad is drunk and throwing things at us im hiding in my room"


class FakeTwilio:
    """Twilio's Messages resource on 127.0.0.1: records what it is asked to send; `status` makes it refuse."""

    def __init__(self) -> None:
        self.sent: list[dict[str, list[str]]] = []
        self.status = 201
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                if fake.status != 201:
                    body = json.dumps({"code": 20500, "message": "refused", "status": fake.status}).encode()
                else:
                    fake.sent.append(form)
                    body = json.dumps({"sid": f"SM{len(fake.sent):032d}", "status": "queued",
                                       "body": form.get("Body", [""])[0]}).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def twilio():
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def app(database_url, tmp_path, twilio):
    from portal import create_app

    return create_app(app_config(database_url, tmp_path, TWILIO_API_BASE_URL=twilio.url))


@pytest.fixture(autouse=True)
def office(monkeypatch):
    monkeypatch.setattr(WorkingCalendar, "is_office_hours", lambda self, moment: True)
    use_parser(monkeypatch, FakeParser())


def the_conversation(db_session) -> Conversation:
    db_session.expire_all()
    return db_session.scalars(select(Conversation)).one()


def practitioner(app, db_session, role="practitioner", name=None):
    user, secret = create_staff(db_session, role=role, name=name)
    client = app.test_client()
    sign_in(client, user, secret)
    return user, client


def test_a_danger_text_tops_the_inbox_a_person_takes_it_replies_by_twilio_and_hands_back(app, client, db_session,
                                                                                         twilio):
    post_sms(client, "hi i need to find a parenting course", sender="+447700900555")  # a quieter conversation
    post_sms(client, DANGER)
    user, staff = practitioner(app, db_session, name="Sam Duty")
    page = staff.get("/staff/conversations").get_data(as_text=True)
    danger = the_danger(db_session)
    assert page.index(danger.public_id) < page.index("With the assistant")  # risk first, in words
    assert "Danger now: " in page and "Text" in page

    assert staff.post(f"/staff/conversations/{danger.public_id}/take").status_code == 302
    # The assistant is paused: the family's next message waits for the person. They are told once that a
    # person has it, not on every message of the exchange.
    response = post_sms(client, "he has gone out now").get_data(as_text=True)
    assert "A person in our team has your message" in response
    assert "<Message" not in post_sms(client, "are you there").get_data(as_text=True)
    # Waiting for the practitioner does not set off the workspace's danger alert: the conversation is theirs.
    assert staff.get("/staff/conversations/alerts").get_json()["danger_waiting"] == 0
    response = staff.post(f"/staff/conversations/{danger.public_id}/reply",
                          data={"message": "I'm Sam from the children's services team. Are you safe right now?"})
    assert response.status_code == 302
    assert twilio.sent and twilio.sent[0]["To"] == [PARENT] and "Are you safe" in twilio.sent[0]["Body"][0]
    assert twilio.sent[0]["StatusCallback"][0].startswith("https://frontdoor.example.org/sms/status?reply=")
    db_session.expire_all()
    sent = db_session.scalars(select(Message).where(Message.handled_by == "staff")).one()
    assert sent.staff_id == user.id and sent.delivery_status == "sent" and sent.provider_sid
    wait = db_session.scalars(select(ConversationWait)).one()
    assert wait.reason == "danger" and wait.answered_by_id == user.id and wait.office_hours
    # The transcript says who said what.
    page = staff.get(f"/staff/conversations/{danger.public_id}").get_data(as_text=True)
    assert "Sam Duty" in page and "The person" in page and "The assistant" in page

    assert staff.post(f"/staff/conversations/{danger.public_id}/hand-back").status_code == 302
    assert len(twilio.sent) == 2 and "automated assistant again" in twilio.sent[1]["Body"][0]
    conversation = the_conversation_by(db_session, danger.public_id)
    assert not conversation.paused and conversation.held_by_id is None
    events = [e.event for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    for event in ("conversation.taken", "conversation.staff_message", "conversation.handed_back"):
        assert event in events, event
    # Red still: the assistant answers again, staying with safety.
    assert "<Message" in post_sms(client, "what happens now").get_data(as_text=True)
    # One record: the contact's transcript names the practitioner beside the person and the assistant.
    contact_id = takeover._contact_id(db_session, the_conversation_by(db_session, danger.public_id))
    page = staff.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)
    cell = "<strong>{}</strong>"  # each turn of the conversation names who spoke
    for who in ("Sam Duty (practitioner)", "The person", "The assistant (safety advice)",
                "The assistant (taking back from a person)"):
        assert cell.format(who) in page, who


def the_danger(db_session) -> Conversation:
    db_session.expire_all()
    return db_session.scalars(select(Conversation).where(Conversation.danger.is_(True))).one()


def the_conversation_by(db_session, public_id) -> Conversation:
    db_session.expire_all()
    return db_session.scalars(select(Conversation).where(Conversation.public_id == public_id)).one()


def test_one_holder_at_a_time_and_a_lapsed_lease_is_free_again(app, client, db_session):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    first, _ = create_staff(db_session)
    second, _ = create_staff(db_session)
    now = dt.datetime.now(dt.UTC)
    takeover.take(db_session, conversation, first, now=now)
    db_session.commit()
    with pytest.raises(takeover.NotHolder, match="colleague has just taken"):
        takeover.take(db_session, conversation, second, now=now + dt.timedelta(minutes=1))
    with pytest.raises(takeover.NotHolder, match="colleague holds"):
        takeover.send_reply(db_session, conversation, second, "hello", now=now + dt.timedelta(minutes=1))
    later = now + takeover.LEASE + dt.timedelta(minutes=1)
    db_session.expire_all()
    takeover.take(db_session, conversation, second, now=later)  # the first walked away: the lease ran out
    db_session.commit()
    assert the_conversation(db_session).held_by_id == second.id and the_conversation(db_session).paused


def test_two_practitioners_pressing_take_at_once_get_one_holder(app, client, db_session, database_url):
    from store.db import make_engine, make_sessionmaker

    post_sms(client, DANGER)
    users = [create_staff(db_session)[0] for _ in range(6)]
    public_id = the_conversation(db_session).public_id
    maker = make_sessionmaker(make_engine(database_url))
    won: list[int] = []
    barrier = threading.Barrier(len(users))

    def press(user_id: int) -> None:
        with maker() as session:
            from mash.models import StaffUser

            conversation = session.scalars(select(Conversation).where(Conversation.public_id == public_id)).one()
            user = session.get(StaffUser, user_id)
            barrier.wait()
            try:
                takeover.take(session, conversation, user)
                session.commit()
                won.append(user_id)
            except takeover.NotHolder:
                pass
            except Exception:  # SQLite may say "database is locked" to a loser: that is a refusal too
                session.rollback()

    threads = [threading.Thread(target=press, args=(u.id,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and the_conversation(db_session).held_by_id == won[0]


def test_stop_and_not_safe_to_text_are_respected(app, client, db_session, twilio):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    user, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    post_sms(client, "STOP")
    response = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "Are you ok?"})
    assert response.status_code == 400 and "texted STOP" in response.get_data(as_text=True)
    assert "Are you ok?" in response.get_data(as_text=True)  # the words stay in the box
    assert not twilio.sent

    post_sms(client, "START")
    conversation = the_conversation(db_session)
    conversation.state = {**(conversation.state or {}), "answers": {"safe_to_contact": "no"}}
    db_session.commit()
    response = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "Are you ok?"})
    assert response.status_code == 400 and "not safe to text" in response.get_data(as_text=True)
    manager, boss = practitioner(app, db_session, role="manager")
    boss.post(f"/staff/conversations/{conversation.public_id}/take")  # refused: it is the practitioner's
    assert the_conversation(db_session).held_by_id == user.id
    staff.post(f"/staff/conversations/{conversation.public_id}/pass", data={"colleague": str(manager.id)})
    assert the_conversation(db_session).held_by_id == manager.id
    response = boss.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "Are you ok?"})
    assert response.status_code == 400  # a manager too must give a reason
    response = boss.post(f"/staff/conversations/{conversation.public_id}/reply",
                         data={"message": "Are you ok?", "override_reason": "Police ask us to check she is safe"})
    assert response.status_code == 302 and len(twilio.sent) == 1
    override = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "conversation.staff_message")).one()
    assert override.details.get("override") is True and override.reason


def test_twilio_refusing_or_timing_out_keeps_the_text_and_the_worker_sends_it_later(app, client, db_session,
                                                                                     twilio):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    twilio.status = 500
    response = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "Can you talk?"},
                          follow_redirects=True)
    assert "has not gone yet" in response.get_data(as_text=True)
    db_session.expire_all()
    message = db_session.scalars(select(Message).where(Message.handled_by == "staff")).one()
    assert message.delivery_status == "not_sent" and message.send_attempts == 1 and message.text == "Can you talk?"

    class TimesOut:
        def send_sms(self, to, body, *, status_callback):
            raise TimeoutError("read timed out")

    later = message.next_attempt_at + dt.timedelta(seconds=1)
    assert takeover.deliver(db_session, message.id, TimesOut(), status_callback=None, now=later) == "not_sent"
    twilio.status = 201
    with app.app_context():
        from portal import jobs

        jobs.bind(app)
        db_session.expire_all()
        due = db_session.get(Message, message.id).next_attempt_at
        import bot.takeover as module

        original = module.utcnow
        module.utcnow = lambda: due + dt.timedelta(seconds=1)
        try:
            assert jobs.send_due_texts() == 1
        finally:
            module.utcnow = original
    db_session.expire_all()
    assert db_session.get(Message, message.id).delivery_status == "sent" and len(twilio.sent) == 1


def test_an_over_long_text_is_refused_with_the_limit_and_kept(app, client, db_session):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    long = "Please call us. " * 50
    response = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": long})
    said = response.get_data(as_text=True)
    assert response.status_code == 400 and "612 characters at most" in said and "Please call us." in said


def test_a_web_chat_reply_appears_on_the_familys_page(app, db_session):
    family = app.test_client()
    family.post("/chat", data={"message": "can i talk to a real person please"})
    conversation = the_conversation(db_session)
    assert conversation.waiting_reason == "asked_for_person"
    _, staff = practitioner(app, db_session)
    rows = staff.get("/staff/conversations/rows").get_data(as_text=True)
    assert "Asked for a person" in rows and conversation.public_id in rows
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    staff.post(f"/staff/conversations/{conversation.public_id}/reply",
               data={"message": "Hello, I'm Sam. How can I help?"})
    fragment = family.get("/chat/messages").get_data(as_text=True)
    assert "Hello, I&#39;m Sam. How can I help?" in fragment and "A person in our team" in fragment
    assert "How can I help" not in app.test_client().get("/chat/messages").get_data(as_text=True)  # not another's


def test_ending_needs_a_reason_and_a_red_one_says_why(app, client, db_session):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    said = staff.post(f"/staff/conversations/{conversation.public_id}/end", data={"reason": "helped"},
                      follow_redirects=True).get_data(as_text=True)
    assert "it was about danger" in said and the_conversation(db_session).ended_at is None
    staff.post(f"/staff/conversations/{conversation.public_id}/end",
               data={"reason": "helped", "note": "Mum and children at her sister's; police attended"})
    ended = the_conversation(db_session)
    assert ended.ended_at is not None and not ended.paused
    said = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "hello"})
    assert said.status_code == 400 and "has ended" in said.get_data(as_text=True)
    assert conversation.public_id not in staff.get("/staff/conversations/rows").get_data(as_text=True)


def test_the_workspace_is_told_of_danger_waiting(app, client, db_session):
    _, staff = practitioner(app, db_session)
    assert staff.get("/staff/conversations/alerts").get_json()["danger_waiting"] == 0
    post_sms(client, DANGER)
    alert = staff.get("/staff/conversations/alerts").get_json()
    assert alert["danger_waiting"] == 1 and alert["url"].endswith(the_conversation(db_session).public_id)
    assert 'data-module="app-danger-alert"' in staff.get("/staff/queue").get_data(as_text=True)


def test_out_of_hours_a_request_for_a_person_is_given_the_duty_number_and_not_counted_overdue(app, client,
                                                                                              db_session, monkeypatch):
    monkeypatch.setattr(WorkingCalendar, "is_office_hours", lambda self, moment: False)
    from tests.test_sms_webhook import reply_of

    reply = reply_of(post_sms(client, "can i talk to a real person please"))
    assert "01344 351 999" in reply
    wait = db_session.scalars(select(ConversationWait)).one()
    assert not wait.office_hours
    rows, _ = takeover.inbox(db_session, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), office_hours=False)
    assert rows[0].why == "Asked for a person" and not rows[0].overdue


def test_first_response_times_by_week(db_session, app, client):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    user, _ = create_staff(db_session)
    wait = db_session.scalars(select(ConversationWait)).one()
    takeover.take(db_session, conversation, user, now=wait.since)
    takeover.send_reply(db_session, conversation, user, "Are you safe?", now=wait.since + dt.timedelta(minutes=3))
    db_session.commit()
    week = takeover.first_responses_by_week(db_session, since=wait.since - dt.timedelta(days=1))[0]
    assert (week.waits, week.answered, week.within) == (1, 1, 1) and week.median_minutes == pytest.approx(3, abs=0.1)
    # The dashboard shows it, week by week.
    manager, staff = practitioner(app, db_session, role="manager")
    page = staff.get("/staff/dashboard").get_data(as_text=True)
    table = page[page.index('id="first-responses"'):]
    assert "Median minutes to a reply" in table and ">3.0<" in table and "1 (100%)" in table


def test_in_development_a_reply_goes_to_the_console_and_frontdoor_texts_shows_it(database_url, tmp_path):
    from portal import create_app
    from portal import db as portal_db
    from portal.cli import cli

    app = create_app(app_config(database_url, tmp_path, FRONTDOOR_ENV="development"))
    post_sms(app.test_client(), DANGER)
    with app.app_context():
        session = portal_db.session()
        public_id = session.scalars(select(Conversation.public_id)).one()
        user, secret = create_staff(session, name="Ali Duty")
        session.commit()
    staff = app.test_client()
    sign_in(staff, user, secret)
    assert staff.post(f"/staff/conversations/{public_id}/take").status_code == 302
    assert staff.post(f"/staff/conversations/{public_id}/reply", data={"message": "Are you safe right now?"}
                      ).status_code == 302
    runner = app.test_cli_runner()
    shown = runner.invoke(cli, ["texts", "--to", PARENT])
    assert shown.exit_code == 0 and "Are you safe right now?" in shown.output, shown.output
    # Said plainly, and found by the number as people write it too.
    national = runner.invoke(cli, ["texts", "--to", "07700 900123"]).output
    assert "1 text sent from the workspace to 07700 900123" in national and "Are you safe right now?" in national
    assert "no texts" in runner.invoke(cli, ["texts", "--to", "+447700900999"]).output


# --- what the live probe of issue 13 found ----------------------------------------------------------------------
def test_not_safe_to_text_outlives_the_journey_that_asked_it(app, client, db_session, twilio):
    from bot import dialogue

    post_sms(client, "i need some help with my teenager")
    conversation = the_conversation(db_session)
    conversation.state = {**dialogue.new_state(), "journey": "help", "asking": "safe_to_contact",
                          "answers": {"concern_categories": ["parenting"], "referrer_phone": "07700900123"}}
    db_session.commit()
    post_sms(client, "no")
    assert the_conversation(db_session).safe_to_text is False
    # The journey ends (consent declined): its answers go, the answer about texting stays.
    conversation = the_conversation(db_session)
    conversation.state = dialogue.new_state()
    db_session.commit()
    user, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    page = staff.get(f"/staff/conversations/{conversation.public_id}").get_data(as_text=True)
    assert "Not safe to text" in page and "Only a manager can send a text anyway" in page
    assert 'name="message"' not in page  # a practitioner is not offered a box they cannot send from
    response = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "Hi, it's Sam"})
    said = response.get_data(as_text=True)
    assert response.status_code == 400 and not twilio.sent
    assert 'href="#unsent"' in said and "Hi, it&#39;s Sam" in said  # not sent, and not lost
    # A manager without a reason is sent to the reason's box.
    manager, boss = practitioner(app, db_session, role="manager")
    staff.post(f"/staff/conversations/{conversation.public_id}/pass", data={"colleague": str(manager.id)})
    said = boss.post(f"/staff/conversations/{conversation.public_id}/reply",
                     data={"message": "Hi"}).get_data(as_text=True)
    assert 'href="#override_reason"' in said and "Say why it is right to text them" in said and not twilio.sent


def test_a_text_in_another_alphabet_goes_whole_and_an_over_long_one_is_refused(app, client, db_session, twilio):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    urdu = "کیا آپ ابھی محفوظ ہیں؟ 🙏"
    assert staff.post(f"/staff/conversations/{conversation.public_id}/reply",
                      data={"message": urdu}).status_code == 302
    assert twilio.sent[-1]["Body"][0] == urdu  # nothing dropped: sent as UCS-2
    # Curly quotes alone never force UCS-2: made plain, sent as GSM-7.
    staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "It’s Sam – call me"})
    assert twilio.sent[-1]["Body"][0] == "It's Sam - call me"
    response = staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": urdu * 12})
    said = response.get_data(as_text=True)
    assert response.status_code == 400 and "268 characters at most in an alphabet other than English" in said
    assert len(twilio.sent) == 2


def test_a_message_after_the_end_opens_the_conversation_again(app, client, db_session):
    post_sms(client, "can i talk to a real person please")
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    staff.post(f"/staff/conversations/{conversation.public_id}/end", data={"reason": "helped"})
    assert the_conversation(db_session).ended_at is not None
    page = staff.get(f"/staff/conversations/{conversation.public_id}").get_data(as_text=True)
    assert "Open it again and take it" in page  # a practitioner can open it again themselves
    post_sms(client, "sorry one more thing, its about my daughter")
    assert the_conversation(db_session).ended_at is None
    assert conversation.public_id in staff.get("/staff/conversations/rows").get_data(as_text=True)


def test_hand_back_asks_the_question_the_assistant_had_reached_even_the_offer(app, client, db_session, twilio):
    from bot import dialogue

    post_sms(client, "i need some help with my teenager")
    conversation = the_conversation(db_session)
    conversation.state = {**dialogue.new_state(), "journey": "help", "asking": "_offer", "signposted": True,
                          "answers": {"concern_categories": ["parenting"], "postcode": "RG12 1AA"}}
    db_session.commit()
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    post_sms(client, "can a person ring me")  # waits for the practitioner
    staff.post(f"/staff/conversations/{conversation.public_id}/hand-back")
    assert "early help team to get in touch" in twilio.sent[-1]["Body"][0]
    handed = the_conversation(db_session)
    assert handed.waiting_since is None  # the wait for the practitioner's reply ended with the hand-back
    post_sms(client, "yes")
    state = the_conversation(db_session).state
    assert state["answers"].get("_offer") == "yes" and "consent_agree" not in state["answers"]


def test_staff_see_the_number_and_stop_is_explained(app, client, db_session):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    post_sms(client, "STOP")
    page = staff.get(f"/staff/conversations/{conversation.public_id}").get_data(as_text=True)
    assert "07700 900123" in page and 'href="tel:+447700900123"' in page
    assert "until they text START or YES" in page and "phone them on 07700 900123" in page
    contact_id = takeover._contact_id(db_session, the_conversation(db_session))
    assert "07700 900123" in staff.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)


def test_the_inbox_names_the_child_a_danger_message_names_in_words_not_codes(app, client, db_session):
    post_sms(client, "Amy, 6, is home alone and her dad is drunk and hitting her")
    _, staff = practitioner(app, db_session)
    rows = staff.get("/staff/conversations/rows").get_data(as_text=True)
    assert "Amy, aged 6" in rows
    assert "child_being_hurt" not in rows and "child being hurt" not in rows.replace("a child is being hurt", "")


def test_out_of_hours_a_held_conversation_tells_the_person_when_a_person_will_reply(app, client, db_session,
                                                                                    monkeypatch):
    from tests.test_sms_webhook import reply_of

    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    monkeypatch.setattr(WorkingCalendar, "is_office_hours", lambda self, moment: False)
    reply = reply_of(post_sms(client, "hello?"))
    assert "office is closed" in reply and "01344 351 999" in reply


# --- the second probe of issue 13 ---------------------------------------------------------------------------------
def test_a_red_conversation_written_to_after_it_ended_waits_for_a_person_again(app, client, db_session):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    staff.post(f"/staff/conversations/{conversation.public_id}/reply", data={"message": "Are you safe now?"})
    staff.post(f"/staff/conversations/{conversation.public_id}/end",
               data={"reason": "phoned", "note": "Spoke to mum, police on the way"})
    assert staff.get("/staff/conversations/alerts").get_json()["danger_waiting"] == 0
    post_sms(client, "hes come back")
    again = the_conversation(db_session)
    assert again.ended_at is None and again.waiting_since is not None and again.waiting_reason == "danger"
    alert = staff.get("/staff/conversations/alerts").get_json()
    assert alert["danger_waiting"] == 1 and alert["url"].endswith(conversation.public_id)
    # The ending's note is on the trail, in words, however often the conversation opens again.
    ended = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "conversation.ended")).one()
    assert ended.reason == "Carried on by phone: Spoke to mum, police on the way"
    contact_id = takeover._contact_id(db_session, again)
    page = staff.get(f"/staff/contacts/{contact_id}").get_data(as_text=True)
    assert "Ended the conversation" in page and "Spoke to mum, police on the way" in page
    assert "conversation.taken" not in page and "Took over the conversation from the assistant" in page


def test_ending_without_a_reason_or_a_note_keeps_what_was_chosen_and_links_to_the_field(app, client, db_session):
    post_sms(client, DANGER)
    conversation = the_conversation(db_session)
    _, staff = practitioner(app, db_session)
    staff.post(f"/staff/conversations/{conversation.public_id}/take")
    response = staff.post(f"/staff/conversations/{conversation.public_id}/end", data={"note": "all calm now"})
    said = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#reason"' in said and "all calm now" in said
    response = staff.post(f"/staff/conversations/{conversation.public_id}/end", data={"reason": "helped"})
    said = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#note"' in said
    assert 'value="helped" checked' in said.replace("\n", " ").replace("  ", " ") or \
        'checked' in said[said.index('value="helped"') - 120:said.index('value="helped"') + 40]
    assert the_conversation(db_session).ended_at is None


def test_the_child_stays_on_the_row_after_the_journey_ends_and_a_contact_made_of_it_carries_them(app, client,
                                                                                                 db_session):
    from bot import dialogue

    post_sms(client, "i need some help with my 4 year old")
    conversation = the_conversation(db_session)
    conversation.state = {**dialogue.new_state(), "journey": "help", "asking": "consent_agree",
                          "facts": {"age": 4},
                          "answers": {"concern_categories": ["parenting"], "first_name": "Leo",
                                      "referrer_name": "Jane Example", "referrer_relationship": "mother"}}
    db_session.commit()
    _, staff = practitioner(app, db_session)
    assert "Leo, aged 4" in staff.get("/staff/conversations/rows").get_data(as_text=True)
    post_sms(client, "no")  # consent declined: the journey's answers go
    assert "Leo, aged 4" in staff.get("/staff/conversations/rows").get_data(as_text=True)

    post_sms(client, "i need some help with my 4 year old", sender="+447700900777")
    other = db_session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    other.state = {**dialogue.new_state(), "journey": "help", "asking": "school", "facts": {"age": 4},
                   "answers": {"concern_categories": ["parenting"], "first_name": "Mia", "referrer_name": "Sam Example",
                               "referrer_relationship": "mother"}}
    db_session.commit()
    staff.post(f"/staff/conversations/{other.public_id}/take")
    response = staff.post(f"/staff/conversations/{other.public_id}/contact")
    assert response.status_code == 302
    from mash.models import Contact

    contact = db_session.scalars(select(Contact).order_by(Contact.id.desc())).first()
    assert any(child.get("first_name") == "Mia" for child in contact.answers.get("children") or []), contact.answers


def test_past_the_first_rows_the_inbox_offers_the_rest(database_url, tmp_path, db_session, twilio):
    from portal import create_app

    app = create_app(app_config(database_url, tmp_path, INBOX_ROWS=2, TWILIO_API_BASE_URL=twilio.url))
    client = app.test_client()
    for n in range(5):
        post_sms(client, "hi i need to find a parenting course", sender=f"+44770090060{n}")
    _, staff = practitioner(app, db_session)
    page = staff.get("/staff/conversations").get_data(as_text=True)
    assert page.count("data-conversation=") == 2 and "3 more open conversations" in page
    assert 'href="/staff/conversations?show=4"' in page and "Show 2 more" in page
    page = staff.get("/staff/conversations?show=4").get_data(as_text=True)
    assert page.count("data-conversation=") == 4 and "/staff/conversations/rows?show=4" in page
    page = staff.get("/staff/conversations?show=99999").get_data(as_text=True)  # capped, never an error
    assert page.count("data-conversation=") == 5
    assert staff.get("/staff/conversations?show=-1").status_code == 200
