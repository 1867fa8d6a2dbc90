"""Attachments to a referral (issue 16): a body map and up to a few documents or photos.

What a file is comes from its content (its first bytes, and for a Word document the parts inside the zip),
never from its name or the content type the browser declared: a ".pdf" that is a program or a web page is
refused. Each file is encrypted (AES-256-GCM) with a key of its own and written under the instance folder with a
random name; that key is kept in the attachment's row, encrypted with the field-encryption keys (MultiFernet, so
key rotation re-encrypts it with every other field). The row is deleted with its draft, and with it the only key
that reads the file, so the files of an abandoned draft cannot be read even before the sweep removes them.

No Flask here: the portal (portal/attachments.py) and the benchmark both call these functions.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from mash import audit
from mash.models import Attachment, Contact
from store.db import utcnow

KINDS = ("document", "body_map")
# What we accept, as sniffed: a short name for people and the content type we serve it back as.
TYPES = {
    "pdf": ("PDF", "application/pdf"),
    "png": ("PNG image", "image/png"),
    "jpeg": ("JPG image", "image/jpeg"),
    "docx": ("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
BODY_MAP_JSON = "application/vnd.frontdoor.body-map+json"  # a body map drawn on the outline: its marks
ALLOWED_WORDS = "a PDF, JPG, PNG or Word document (DOCX)"

# The outline's regions: what a person without JavaScript chooses from, and what a click on the drawing names.
REGIONS = (
    ("head", "Head and face"), ("neck", "Neck"), ("chest", "Chest"), ("abdomen", "Tummy"),
    ("left-arm", "Left arm"), ("right-arm", "Right arm"), ("left-hand", "Left hand"), ("right-hand", "Right hand"),
    ("genitals", "Genital area"), ("left-leg", "Left leg"), ("right-leg", "Right leg"),
    ("left-foot", "Left foot"), ("right-foot", "Right foot"),
    ("back-head", "Back of the head"), ("upper-back", "Upper back"), ("lower-back", "Lower back"),
    ("buttocks", "Bottom"), ("back-legs", "Backs of the legs"),
)
REGION_NAMES = dict(REGIONS)
BACK_REGIONS = {"back-head", "upper-back", "lower-back", "buttocks", "back-legs"}
MAX_MARKS = 40
MAX_NOTE = 200


class AttachmentProblem(ValueError):
    """What is wrong with a file, in words a person can act on (shown in the error summary and by the input)."""


def sniff(data: bytes) -> str | None:
    """The type the content really is, or None. Only the first bytes, and for a zip its list of parts."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


def check_file(data: bytes, filename: str, *, max_bytes: int) -> str:
    """The sniffed type of an acceptable file; AttachmentProblem otherwise. The name is only for the message."""
    shown = _shown_name(filename)
    if not data:
        raise AttachmentProblem(f"The selected file {shown}is empty")
    if len(data) > max_bytes:
        raise AttachmentProblem(f"The selected file {shown}must be smaller than {limit_words(max_bytes)}")
    kind = sniff(data)
    if kind is None:
        raise AttachmentProblem(f"The selected file {shown}must be {ALLOWED_WORDS}")
    return kind


def _shown_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/"))[:80]
    return f"{name} " if name else ""


def limit_words(n: int) -> str:
    """A limit in the units people use: 10MB, 500KB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g}MB"
    return f"{n / 1024:g}KB" if n >= 1024 else f"{n} bytes"


@dataclass(frozen=True)
class Mark:
    side: str  # front | back
    region: str  # one of REGIONS
    note: str
    x: float | None = None  # where on the outline (0-100), when drawn with JavaScript
    y: float | None = None


def parse_marks(raw: Any) -> list[Mark]:
    """Marks from the drawing (a JSON list) or the list of regions; AttachmentProblem for anything malformed."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except (json.JSONDecodeError, RecursionError):  # RecursionError: "[[[[…" nested past Python's limit
            raise AttachmentProblem("The body map could not be read. Choose the places from the list") from None
    if not isinstance(raw, list):
        raise AttachmentProblem("The body map could not be read. Choose the places from the list")
    if len(raw) > MAX_MARKS:
        raise AttachmentProblem(f"A body map can have up to {MAX_MARKS} marks")
    marks = []
    for item in raw:
        if not isinstance(item, dict):
            raise AttachmentProblem("The body map could not be read. Choose the places from the list")
        region = item.get("region")
        given = item.get("side")
        side = given if given in ("front", "back") else ("back" if region in BACK_REGIONS else "front")
        if region not in REGION_NAMES:
            raise AttachmentProblem("Choose where each mark is from the list")
        note = str(item.get("note") or "").strip()
        if len(note) > MAX_NOTE:
            raise AttachmentProblem(f"Each mark's note must be {MAX_NOTE} characters or fewer")
        x, y = _coordinate(item.get("x")), _coordinate(item.get("y"))
        marks.append(Mark(side=side, region=region, note=note, x=x, y=y))
    return marks


def _coordinate(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 1) if 0 <= number <= 100 else None


def body_map_json(marks: Sequence[Mark], note: str = "") -> bytes:
    """What a drawn body map stores (encrypted, like any file): its marks and the description typed with them."""
    return json.dumps({"marks": [m.__dict__ for m in marks], "note": note}, separators=(",", ":")).encode()


FORMAT = b"FDA1"  # the file format: this tag, a 12-byte nonce, then AES-256-GCM's ciphertext and tag


class FileStore:
    """Encrypted files in one folder, each under a random name. Writing is atomic (a temporary file renamed).

    Each file has a random AES-256-GCM key of its own (authenticated: a changed byte fails to decrypt, and the
    file's name is bound in, so a file moved under another row's name fails too). The key is returned to the
    caller, who keeps it encrypted with the field-encryption keys (MultiFernet) in the attachment's row. AES-GCM
    rather than Fernet for the bytes themselves: a 1.5 MB photo takes 0.2 ms rather than 12, with no base64."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def put(self, data: bytes) -> tuple[str, str]:
        """Encrypt and write; returns (blob name, the file's key). The key is the caller's to keep encrypted."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = AESGCM.generate_key(bit_length=256)
        name = secrets.token_hex(24)
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, data, FORMAT + name.encode("ascii"))
        path = self.folder / name
        temporary = path.with_suffix(".part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(FORMAT + nonce + sealed)
        os.replace(temporary, path)
        return name, base64.urlsafe_b64encode(key).decode("ascii")

    def get(self, name: str, key: str) -> bytes:
        """The plaintext; InvalidTag if the file was changed, or is not the one this key was made for."""
        blob = (self.folder / _safe(name)).read_bytes()
        if not blob.startswith(FORMAT):
            raise InvalidTag()
        nonce, sealed = blob[len(FORMAT):len(FORMAT) + 12], blob[len(FORMAT) + 12:]
        return AESGCM(base64.urlsafe_b64decode(key)).decrypt(nonce, sealed, FORMAT + name.encode("ascii"))

    def remove(self, name: str) -> None:
        (self.folder / _safe(name)).unlink(missing_ok=True)

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return [p.name for p in self.folder.iterdir() if p.is_file()]


def _safe(name: str) -> str:
    if not name or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("not a blob name")
    return name


def add(session: Session, store: FileStore, *, draft_id: str, kind: str, data: bytes, content_type: str,
        filename: str | None, now: dt.datetime | None = None) -> Attachment:
    """Store one checked file for a draft (the caller commits). If the row is never committed the file is an
    orphan that no key reads, removed by `sweep`."""
    if kind not in KINDS:
        raise ValueError(kind)
    name, key = store.put(data)
    row = Attachment(draft_id=draft_id, kind=kind, content_type=content_type, size=len(data), blob_name=name,
                     data_key=key, filename=(os.path.basename(filename.replace("\\", "/"))[:200] or None)
                     if filename else None, created_at=now or utcnow())
    session.add(row)
    return row


def for_draft(session: Session, draft_id: str | None) -> list[Attachment]:
    if not draft_id:
        return []
    return list(session.scalars(select(Attachment).where(Attachment.draft_id == draft_id).order_by(Attachment.id)))


def for_contact(session: Session, contact_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.contact_id == contact_id)
                                .order_by(Attachment.id)))


def count_documents(session: Session, draft_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.draft_id == draft_id, Attachment.kind == "document")) or 0


def remove(session: Session, attachment: Attachment) -> str:
    """Forget one file of a draft: the row (and so its key). Returns the blob's name, for the caller to remove
    the file once the transaction has committed."""
    session.delete(attachment)
    session.flush()
    return attachment.blob_name


def attach_to_contact(session: Session, draft_id: str, contact: Contact, *, actor: str) -> int:
    """Hand a draft's files to the contact it became, in the caller's (the contact's) transaction: the contact
    and its files are committed together or not at all."""
    result = cast("CursorResult[Any]", session.execute(
        update(Attachment).where(Attachment.draft_id == draft_id)
        .values(contact_id=contact.id, draft_id=None).execution_options(synchronize_session=False)))
    moved = result.rowcount or 0
    if moved:
        audit.record(session, event="attachment.received", actor=actor, contact_id=contact.id,
                     details={"count": moved})
    return moved


def open_for_staff(session: Session, store: FileStore, attachment: Attachment, *, staff_id: int) -> bytes:
    """The plaintext, for a member of staff; every opening is on the audit trail (the caller commits)."""
    data = store.get(attachment.blob_name, attachment.data_key)
    audit.record(session, event="attachment.opened", actor=f"staff:{staff_id}", contact_id=attachment.contact_id,
                 details={"attachment_id": attachment.id, "kind": attachment.kind})
    return data


def sweep(session: Session, store: FileStore, *, older_than: dt.timedelta = dt.timedelta(hours=1),
          now: dt.datetime | None = None) -> int:
    """Remove files no row names (a draft deleted or expired, an upload whose transaction failed). Only files
    older than `older_than`, so a file written a moment ago whose row is not yet committed is left alone."""
    cutoff = (now or utcnow()).timestamp() - older_than.total_seconds()
    known = set(session.scalars(select(Attachment.blob_name)))
    removed = 0
    for name in store.names():
        path = store.folder / name
        if name in known or path.stat().st_mtime > cutoff:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def discard_draft_rows(session: Session, draft_id: str) -> int:
    """Drop a draft's rows in the caller's transaction; their files, named by no row, go at the next sweep."""
    result = cast("CursorResult[Any]", session.execute(delete(Attachment).where(Attachment.draft_id == draft_id)))
    return result.rowcount or 0


def forget_draft(session: Session, store: FileStore, draft_ids: Iterable[str]) -> int:
    """Delete the rows of drafts being forgotten ("start again", "exit this page") and their files."""
    ids = list(draft_ids)
    if not ids:
        return 0
    names = list(session.scalars(select(Attachment.blob_name).where(Attachment.draft_id.in_(ids))))
    session.execute(delete(Attachment).where(Attachment.draft_id.in_(ids)))
    for name in names:
        store.remove(name)
    return len(names)


def describe(attachment: Attachment) -> str:
    """What a file is, in words (never its content)."""
    if attachment.content_type == BODY_MAP_JSON:
        return "Body map (drawn)"
    label = next((words for words, ctype in TYPES.values() if ctype == attachment.content_type), "File")
    return f"Body map ({label})" if attachment.kind == "body_map" else label


def size_words(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / (1024 * 1024):.1f}MB"
