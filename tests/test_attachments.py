"""Attachments to a professional's referral (issue 16, item 4): checked on their content, stored encrypted outside
the row, all or nothing, tied to the contact when it is sent, and opened only by staff, on the audit trail."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from forms import examples
from forms.drafts import Draft, start_draft
from mash import attachments as store
from mash.models import Attachment, AuditEvent, Contact
from store.crypto import generate_key, keyring
from store.rotation import rotate_all
from tests.conftest import TEST_INDEX_KEY, TEST_KEYS, change_settings
from tests.journey_support import walk
from tests.staff_support import create_staff, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"Jayden bruising to upper arm " * 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"


def docx(parts=("[Content_Types].xml", "word/document.xml")) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in parts:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


# --- the content decides, never the name ---------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (docx(), "docx")])
def test_real_files_are_recognised_by_their_content(data, kind):
    assert store.check_file(data, "whatever.bin", max_bytes=10_000) == kind


@pytest.mark.parametrize(("data", "name", "message"), [
    (EXE, "bruises.pdf", "The selected file bruises.pdf must be a PDF, JPG, PNG or Word document (DOCX)"),
    (HTML, "letter.pdf", "The selected file letter.pdf must be a PDF, JPG, PNG or Word document (DOCX)"),
    (docx(("[Content_Types].xml", "xl/workbook.xml")), "sheet.docx", "must be a PDF, JPG, PNG or Word document"),
    (b"PK\x03\x04 not really a zip", "fake.docx", "must be a PDF, JPG, PNG or Word document"),
    (b"", "empty.pdf", "The selected file empty.pdf is empty"),
    (PDF + b"x" * 10_000, "big.pdf", "The selected file big.pdf must be smaller than"),
])
def test_a_file_that_lies_about_itself_is_empty_or_too_large_is_refused_in_words(data, name, message):
    with pytest.raises(store.AttachmentProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        store.check_file(data, name, max_bytes=10_000)


# --- encrypted at rest, outside the row --------------------------------------------------------------------------
def _draft(db_session) -> Draft:
    draft = start_draft(db_session, "report", ttl=dt.timedelta(hours=1))
    db_session.commit()
    return draft


def test_the_bytes_on_disk_and_in_the_row_are_not_the_plaintext(db_session, tmp_path):
    files = store.FileStore(tmp_path / "attachments")
    draft = _draft(db_session)
    row = store.add(db_session, files, draft_id=draft.id, kind="document", data=PDF, content_type="application/pdf",
                    filename="Jayden Morris body map.pdf")
    db_session.commit()
    on_disk = (tmp_path / "attachments" / row.blob_name).read_bytes()
    assert b"Jayden" not in on_disk and b"%PDF" not in on_disk
    raw = db_session.execute(text("SELECT data_key, filename FROM attachments WHERE id = :id"),
                             {"id": row.id}).one()
    assert "Jayden" not in raw.filename and row.data_key not in raw.data_key  # the file's key is itself encrypted
    assert files.get(row.blob_name, row.data_key) == PDF


def test_key_rotation_re_encrypts_each_files_key_and_the_file_still_opens(db_session, tmp_path):
    files = store.FileStore(tmp_path / "attachments")
    draft = _draft(db_session)
    row = store.add(db_session, files, draft_id=draft.id, kind="document", data=PDF, content_type="application/pdf",
                    filename="x.pdf")
    db_session.commit()
    raw = db_session.execute(text("SELECT data_key FROM attachments")).scalar_one()
    new_key = generate_key()
    keyring.configure([new_key, *TEST_KEYS], TEST_INDEX_KEY)  # a new key first, the old one kept
    rotate_all(db_session)
    db_session.commit()
    assert db_session.execute(text("SELECT data_key FROM attachments")).scalar_one() != raw
    keyring.configure([new_key], TEST_INDEX_KEY)  # the old key removed
    db_session.expunge_all()
    again = db_session.get(Attachment, row.id)
    assert files.get(again.blob_name, again.data_key) == PDF


def test_an_abandoned_draft_leaves_no_file_anyone_can_read(db_session, tmp_path):
    files = store.FileStore(tmp_path / "attachments")
    draft = _draft(db_session)
    row = store.add(db_session, files, draft_id=draft.id, kind="document", data=PDF, content_type="application/pdf",
                    filename="x.pdf")
    db_session.commit()
    name = row.blob_name
    db_session.delete(draft)  # "start again", "exit this page" or the draft expiring
    db_session.commit()
    db_session.expunge_all()
    # The row, and with it the only key that reads the file, went with the draft (ON DELETE CASCADE).
    assert db_session.scalar(select(Attachment).where(Attachment.blob_name == name)) is None
    old = time.time() - 7200
    os.utime(tmp_path / "attachments" / name, (old, old))
    assert store.sweep(db_session, files) == 1
    assert not (tmp_path / "attachments" / name).exists()


def test_the_sweep_leaves_a_file_written_a_moment_ago(db_session, tmp_path):
    files = store.FileStore(tmp_path / "attachments")
    files.put(PDF)  # its row not committed yet
    assert store.sweep(db_session, files) == 0 and len(files.names()) == 1


# --- through the web: a professional's draft ------------------------------------------------------------------------
def _files(*items):
    return [(io.BytesIO(data), name) for data, name in items]


def _professional_draft(client):
    walk(client, "report", examples.professional_concern(), submit=False)


def _upload(client, *, documents=(), body_map=None, action="continue", **form):
    data: dict = {"action": action, **form}
    if documents:
        data["documents"] = _files(*documents)
    if body_map is not None:
        data["body_map_file"] = _files(body_map)[0]
    return client.post("/report/attachments", data=data, content_type="multipart/form-data")


def _stored(app, model=Attachment):
    from portal import db

    with app.app_context():
        return list(db.session().scalars(select(model)))


def test_the_upload_page_is_a_step_after_the_concern_for_professionals_only(client):
    """Issue 16: the body map and documents were reachable only from the check page. Now a professional meets the
    upload page straight after saying what happened; it is optional, and its Back link and Continue follow the
    journey. A member of the public never sees it."""
    visited = walk(client, "report", examples.professional_concern(), submit=False)
    at = visited.index("/report/attachments")
    assert visited[at - 1] == "/report/concern" and visited[at + 1] == "/report/today"
    assert "/report/attachments" not in walk(client, "report", examples.public_concern(), submit=False)

    _professional_draft(client)  # everything answered: Back and Continue go to the check page
    html = client.get("/report/attachments").get_data(as_text=True)
    assert '<a href="/report/check" class="govuk-back-link">Back</a>' in html
    assert _upload(client).location == "/report/check"
    changed = client.post("/report/concern?return=check", data={
        "concern_categories": "neglect", "what_happened": "Often hungry", "child_location": "At school",
        "child_views": "She wants lunch at school", "medical_attention": "no"})
    assert changed.location == "/report/check"  # changing an answer from the check page goes back there


def test_a_professional_adds_documents_and_a_body_map_and_they_go_with_the_referral(app, client):
    _professional_draft(client)
    check = client.get("/report/check").get_data(as_text=True)
    assert "Add a body map or documents" in check
    response = _upload(client, documents=[(PDF, "chronology.pdf"), (PNG, "letter.png")],
                       body_map_regions=["left-arm", "upper-back"], body_map_note="Four finger-tip bruises")
    assert response.status_code == 302 and response.location == "/report/check"
    check = client.get("/report/check").get_data(as_text=True)
    assert "chronology.pdf" in check and "letter.png" in check and "Body map (drawn)" in check
    # a file's size helps a referrer see what they attached; a drawn map's bytes mean nothing to them
    assert re.search(r"chronology\.pdf \(\d+ bytes\)", check)
    assert "Body map (drawn)</li>" in check and not re.search(r"Body map \(drawn\)[^<]*\(\d+ bytes\)", check)
    upload = client.get("/report/attachments").get_data(as_text=True)
    assert "Drawn on the outline</dd>" in upload
    assert client.post("/report/check").location == "/report/confirmation"
    rows = _stored(app)
    assert len(rows) == 3
    contact = _stored(app, Contact)[0]
    assert {r.contact_id for r in rows} == {contact.id} and {r.draft_id for r in rows} == {None}
    assert {r.content_type for r in rows} == {"application/pdf", "image/png", store.BODY_MAP_JSON}
    events = [e.event for e in _stored(app, AuditEvent) if e.contact_id == contact.id]
    assert "attachment.received" in events


@pytest.mark.parametrize(("documents", "message"), [
    ([(EXE, "bruises.pdf")], "The selected file bruises.pdf must be a PDF, JPG, PNG or Word document (DOCX)"),
    ([(HTML, "letter.pdf")], "The selected file letter.pdf must be a PDF, JPG, PNG or Word document (DOCX)"),
    ([(b"", "empty.pdf")], "The selected file empty.pdf is empty"),
    ([(PDF, f"doc{i}.pdf") for i in range(6)], "You can attach up to 5 documents or photos. Choose 5 or fewer"),
    ([(PDF, "fine.pdf"), (EXE, "setup.pdf")], "The selected file setup.pdf must be a PDF"),
])
def test_bad_files_are_named_in_the_error_summary_and_nothing_of_the_post_is_kept(app, client, documents, message):
    _professional_draft(client)
    response = _upload(client, documents=documents)
    assert response.status_code == 302 and response.location == "/report/attachments"  # post/redirect/get
    page = client.get("/report/attachments")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "There is a problem" in html and 'href="#documents"' in html and message in html
    assert 'id="documents-error"' in html  # the message beside the input too
    assert _stored(app) == []  # the good file of a refused post is not kept either
    assert client.get("/report/attachments").status_code == 200  # the error is shown once


def test_a_file_larger_than_the_limit_is_refused_by_the_limit_in_settings(app, client):
    change_settings(app, attachment_max_bytes=1000)
    _professional_draft(client)
    _upload(client, documents=[(PDF + b"x" * 2000, "big.pdf")])
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "The selected file big.pdf must be smaller than 1000 bytes" in html and _stored(app) == []


def test_a_request_larger_than_all_the_files_together_may_be_is_an_error_on_the_page_not_a_crash(app, client):
    change_settings(app, attachment_max_bytes=1024, attachment_max_count=1)
    _professional_draft(client)
    response = _upload(client, documents=[(b"%PDF-" + b"x" * 400_000, "huge.pdf")])
    assert response.status_code == 302 and response.location == "/report/attachments"
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "must be smaller than" in html and _stored(app) == []


def test_a_sixth_document_is_refused_once_five_are_kept(app, client):
    _professional_draft(client)
    _upload(client, documents=[(PDF, f"doc{i}.pdf") for i in range(5)])
    _upload(client, documents=[(PNG, "one-more.png")])
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "Remove one before adding another" in html and len(_stored(app)) == 5


def test_a_drawn_body_map_keeps_each_mark_and_its_note_and_replaces_the_last_one(app, client):
    _professional_draft(client)
    marks = '[{"side":"front","region":"left-arm","note":"finger-tip bruises","x":77,"y":30}]'
    _upload(client, body_map_marks=marks)
    _upload(client, body_map_marks=marks.replace("left-arm", "chest"))
    rows = _stored(app)
    assert len(rows) == 1 and rows[0].kind == "body_map"
    _upload(client, body_map_marks='[{"region":"the moon"}]')
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "Choose where each mark is from the list" in html and 'href="#body_map_regions"' in html


def test_an_uploaded_body_map_must_be_a_picture_or_a_pdf(app, client):
    _professional_draft(client)
    _upload(client, body_map=(docx(), "map.docx"))
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "The body map map.docx must be a photo or scan" in html and _stored(app) == []
    _upload(client, body_map=(JPEG, "map.jpg"))
    assert [r.content_type for r in _stored(app)] == ["image/jpeg"]


def test_a_member_of_the_public_is_not_offered_attachments(app, client):
    walk(client, "report", examples.public_concern(), submit=False)
    assert client.get("/report/attachments").location == "/report/check"
    assert "Add a body map or documents" not in client.get("/report/check").get_data(as_text=True)


def test_nobody_else_can_remove_or_see_a_drafts_files(app, client):
    _professional_draft(client)
    _upload(client, documents=[(PDF, "mine.pdf")])
    row = _stored(app)[0]
    other = app.test_client()
    _professional_draft(other)
    assert other.post(f"/report/attachments/{row.id}/remove").location == "/report/attachments"
    assert "mine.pdf" not in other.get("/report/attachments").get_data(as_text=True)
    assert len(_stored(app)) == 1
    assert client.post(f"/report/attachments/{row.id}/remove").location == "/report/attachments"
    assert _stored(app) == []
    assert not (Path(app.instance_path) / "attachments" / row.blob_name).exists()


def test_starting_again_forgets_the_drafts_files(app, client):
    _professional_draft(client)
    _upload(client, documents=[(PDF, "mine.pdf")])
    client.post("/report/begin", data={"fresh": "yes"})
    assert _stored(app) == []


# --- staff only, and audited -------------------------------------------------------------------------------------
def _sent_with_files(client):
    _professional_draft(client)
    _upload(client, documents=[(PDF, "chronology.pdf")],
            body_map_marks='[{"side":"front","region":"left-arm","note":"finger-tip bruises","x":77,"y":30}]')
    client.post("/report/check")


def test_staff_open_a_file_from_the_contact_and_each_opening_is_audited(app, client, db_session):
    _sent_with_files(client)
    contact = _stored(app, Contact)[0]
    document, body_map = sorted(_stored(app), key=lambda r: r.kind != "document")
    user, secret = create_staff(db_session, role="practitioner")
    staff = app.test_client()
    sign_in(staff, user, secret)
    page = staff.get(f"/staff/contacts/{contact.id}").get_data(as_text=True)
    assert "Body map and documents" in page and "chronology.pdf" in page
    response = staff.get(f"/staff/contacts/{contact.id}/attachments/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "chronology" not in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    drawn = staff.get(f"/staff/contacts/{contact.id}/attachments/{body_map.id}").get_data(as_text=True)
    assert "Left arm (front)" in drawn and "finger-tip bruises" in drawn
    opened = [e for e in _stored(app, AuditEvent) if e.event == "attachment.opened"]
    assert [(e.actor, e.details["attachment_id"]) for e in opened] == [
        (f"staff:{user.id}", document.id), (f"staff:{user.id}", body_map.id)]
    # A file is found only through its own contact.
    assert staff.get(f"/staff/contacts/{contact.id + 1}/attachments/{document.id}").status_code == 404


def test_a_file_changed_or_moved_on_disk_is_refused_not_served(app, client, db_session):
    _sent_with_files(client)
    contact = _stored(app, Contact)[0]
    document, body_map = sorted(_stored(app), key=lambda r: r.kind != "document")
    folder = Path(app.instance_path) / "attachments"
    # One file copied over the other: each is bound to its own name and key, so neither opens as the other.
    (folder / body_map.blob_name).write_bytes((folder / document.blob_name).read_bytes())
    blob = bytearray((folder / document.blob_name).read_bytes())
    blob[-1] ^= 1  # one bit changed
    (folder / document.blob_name).write_bytes(bytes(blob))
    user, secret = create_staff(db_session)
    staff = app.test_client()
    sign_in(staff, user, secret)
    for row in (document, body_map):
        response = staff.get(f"/staff/contacts/{contact.id}/attachments/{row.id}")
        assert response.status_code == 410 and "This file cannot be opened" in response.get_data(as_text=True)
    assert not [e for e in _stored(app, AuditEvent) if e.event == "attachment.opened"]


def test_nobody_but_staff_who_see_contacts_can_open_a_file(app, client, db_session):
    _sent_with_files(client)
    contact = _stored(app, Contact)[0]
    row = _stored(app)[0]
    url = f"/staff/contacts/{contact.id}/attachments/{row.id}"
    assert "/staff/sign-in" in client.get(url).location  # the referrer's own browser: not signed in
    admin, secret = create_staff(db_session, role="admin")  # manages accounts, not families
    staff = app.test_client()
    sign_in(staff, admin, secret)
    assert staff.get(url).status_code == 403
    assert not [e for e in _stored(app, AuditEvent) if e.event == "attachment.opened"]


def test_the_drafts_job_removes_the_files_of_expired_drafts(app, client, db_session):
    from portal import jobs

    _professional_draft(client)
    _upload(client, documents=[(PDF, "mine.pdf")])
    name = _stored(app)[0].blob_name
    path = Path(app.instance_path) / "attachments" / name
    db_session.execute(text("UPDATE drafts SET expires_at = :past"), {"past": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)})
    db_session.commit()
    old = time.time() - 7200
    os.utime(path, (old, old))
    jobs.bind(app)
    assert jobs.purge_expired_drafts() == 1
    assert _stored(app) == [] and not path.exists()


def test_uploads_are_rate_limited_like_a_submit(database_url, tmp_path):
    from portal import create_app
    from tests.conftest import app_config

    app = create_app(app_config(database_url, tmp_path, RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2 per minute",
                                PAGE_RATE_LIMIT="1000 per minute"))
    client = app.test_client()
    _professional_draft(client)  # passing the upload step on the way is the first of the two
    statuses = [_upload(client, documents=[(PDF, f"doc{i}.pdf")]).status_code for i in range(2)]
    assert statuses == [302, 429]
    assert len(_stored(app)) == 1


def test_a_refused_files_name_is_kept_in_the_encrypted_draft_not_the_session_cookie(app, client):
    """The session cookie is signed, not encrypted: a file's own name ("…_bruises.pdf") must not ride in it."""
    _professional_draft(client)
    response = _upload(client, documents=[(EXE, "Zebedee_Quarington_bruises.pdf")])
    assert response.status_code == 302
    from flask.sessions import SecureCookieSessionInterface

    cookie = client.get_cookie("session")
    assert cookie is not None and "Quarington" not in cookie.value
    with app.test_request_context():
        decoded = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value)
    assert "Quarington" not in str(decoded)
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "Zebedee_Quarington_bruises.pdf must be a PDF" in html  # still shown, once
    assert "Quarington" not in client.get("/report/attachments").get_data(as_text=True)


def test_files_added_as_a_professional_are_not_sent_once_the_referrer_is_not_one(app, client):
    """Attachments are a professional's: if the referrer changes to a member of the public, the check page hides
    the files and cannot remove them, so they must not go with the contact either."""
    from portal import db

    _professional_draft(client)
    _upload(client, documents=[(PDF, "chronology.pdf")])
    assert len(_stored(app)) == 1
    with app.app_context():
        draft = db.session().scalars(select(Draft)).one()
        draft.answers = {**examples.public_concern()}
        db.session().commit()
    assert client.post("/report/check").location == "/report/confirmation"
    assert len(_stored(app, Contact)) == 1
    assert _stored(app) == []  # the row is gone; the file goes at the drafts job's sweep


def test_a_body_map_nested_past_any_depth_is_an_error_on_the_page_not_a_crash(app, client):
    _professional_draft(client)
    response = _upload(client, body_map_marks="[" * 200_000)
    assert response.status_code == 302 and response.location == "/report/attachments"
    html = client.get("/report/attachments").get_data(as_text=True)
    assert "The body map could not be read" in html and _stored(app) == []
