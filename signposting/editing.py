"""Staff editing of the directory: add a service, change its details, mark it temporarily closed or stale, and
record that someone has checked it.

Every edit changes the service's ORUK record, is validated against the official compiled schema, and goes
back through `upsert_service`, so the search columns derived from the record stay right. Every edit sets
`last_modified` (in the record and its column); the record's `last_modified` doubles as the version a form
was drawn from, so a form posted after someone else's change is refused rather than overwriting it.
Each change is one audit event naming the service and the fields changed, never the values. Nothing here
commits: the caller owns the transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.schema import EMAIL_RE, FieldError, clean_text, clean_uk_phone, london_today
from mash import audit
from mash.models import StaffUser
from signposting.directory import schema_errors, to_oruk, upsert_service
from signposting.models import Location, Organization, Service, TaxonomyTerm
from signposting.postcodes import lookup

# The fields a member of staff can edit, in the order the form asks them.
FIELDS = ("name", "description", "category", "address", "postcode", "url", "email", "phone", "minimum_age",
          "maximum_age", "cost", "cost_description", "status")
LABELS = {
    "organization": "Organisation", "name": "Name", "description": "Description", "url": "Website",
    "email": "Email address", "phone": "Phone number", "minimum_age": "Youngest age", "maximum_age": "Oldest age",
    "cost": "Cost", "cost_description": "Cost details", "status": "Status",
    "category": "What it helps with", "address": "Where it happens", "postcode": "Postcode",
}
MAX_LENGTH = {"address": 300, "organization": 300, "name": 300, "description": 5000, "url": 2000, "email": 254,
              "phone": 30, "cost_description": 500}
STATUSES = {"active": "Active", "inactive": "Inactive", "defunct": "Defunct (closed for good)",
            "temporarily closed": "Temporarily closed"}
COSTS = {"free": "Free", "paid": "There is a charge", "": "Not stated"}
MAX_AGE = 120
HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
                     r"[A-Za-z0-9])?)+$")
CONFLICT_MESSAGE = ("Someone else changed this service while you were editing it. Your change was not saved: "
                    "check the service as it is now and make your change again.")


class EditError(ValueError):
    """Input that cannot be stored. `errors` maps each field to the message for the person at the keyboard."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class EditConflict(EditError):
    """The service changed after the form was drawn (optimistic concurrency)."""

    def __init__(self) -> None:
        super().__init__({"service": CONFLICT_MESSAGE})


# --- reading a service for the form ------------------------------------------------------------------------

def _first_phone(record: dict[str, Any]) -> dict[str, Any] | None:
    phones = [p for p in record.get("phones") or [] if isinstance(p, dict)]
    return phones[0] if phones else None


def _is_free(option: dict[str, Any]) -> bool:
    return option.get("amount") == 0 or "free" in str(option.get("option", "")).casefold()


def _cost_of(record: dict[str, Any]) -> tuple[str, str]:
    options = [c for c in record.get("cost_options") or [] if isinstance(c, dict)]
    if not options:
        return "", ""
    chosen = next((c for c in options if _is_free(c)), None)
    kind = "free" if chosen is not None else "paid"
    chosen = chosen or options[0]
    return kind, str(chosen.get("amount_description") or "")


def _age_text(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def current_values(service: Service) -> dict[str, str]:
    """The editable fields of a service as the form shows them (all text)."""
    record = service.record
    phone = _first_phone(record)
    cost, cost_description = _cost_of(record)
    return {
        "name": service.name or "",
        "description": str(record.get("description") or ""),
        "url": str(record.get("url") or ""),
        "email": str(record.get("email") or ""),
        "phone": str(phone.get("number") or "") if phone else "",
        "minimum_age": _age_text(record.get("minimum_age")),
        "maximum_age": _age_text(record.get("maximum_age")),
        "cost": cost,
        "cost_description": cost_description,
        "status": service.status or "active",
        "category": next((str(a.get("taxonomy_term_id") or (a.get("taxonomy_term") or {}).get("id") or "")
                          for a in record.get("attributes") or []), ""),
        **_venue(service),
    }


def _venue(service: Service) -> dict[str, str]:
    """The first place the service happens, unless it is confidential (a refuge is never edited here)."""
    for sal in service.at_locations:
        if not sal.location.sensitive:
            address: dict[str, Any] = next(iter(sal.location.record.get("addresses") or []), {})
            return {"address": str(address.get("address_1") or ""), "postcode": str(address.get("postal_code") or "")}
    return {"address": "", "postcode": ""}


def version_of(service: Service) -> str:
    """The version a form carries: the record's last_modified as stored ("" if it never had one)."""
    return str(service.record.get("last_modified") or "")


# --- cleaning input ----------------------------------------------------------------------------------------

def _normal(name: str, raw: Any) -> str:
    """Input as text, tidied the way it will be compared with what is stored."""
    if name in ("minimum_age", "maximum_age") and isinstance(raw, int | float) and not isinstance(raw, bool):
        return _age_text(raw)
    return clean_text(raw, multiline=name == "description")


def _clean_url(text: str) -> str:
    if not text:
        return ""
    if "://" not in text and not text.lower().startswith(("http:", "https:")):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:  # e.g. "https://[x": an unclosed IPv6 bracket
        raise FieldError("Enter a web address in the correct format, like https://www.example.org") from None
    if parts.scheme.lower() not in ("http", "https") or not HOST_RE.match(host) or " " in text or "@" in parts.netloc:
        raise FieldError("Enter a web address in the correct format, like https://www.example.org")
    return text


def _clean_email(text: str) -> str:
    if text and not EMAIL_RE.match(text):
        raise FieldError("Enter an email address in the correct format, like name@example.com")
    return text


def _clean_phone(text: str) -> str:
    if not text:
        return ""
    e164 = clean_uk_phone(text)
    return phonenumbers.format_number(phonenumbers.parse(e164, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)


def _clean_age(text: str, label: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,6}", text):
        raise FieldError(f"{label} must be a whole number of years, like 4")
    age = int(text)
    if age < 0:
        raise FieldError(f"{label} must be 0 or more")
    if age > MAX_AGE:
        raise FieldError(f"{label} must be {MAX_AGE} or less")
    return age


def _clean_field(name: str, text: str) -> Any:
    limit = MAX_LENGTH.get(name)
    if limit is not None and len(text) > limit:
        raise FieldError(f"{LABELS[name]} must be {limit:,} characters or fewer")
    if name == "name" and not text:
        raise FieldError("Enter the name of the service")
    if name == "description" and not text:
        raise FieldError("Enter a description of the service")
    if name == "url":
        return _clean_url(text)
    if name == "email":
        return _clean_email(text)
    if name == "phone":
        return _clean_phone(text)
    if name in ("minimum_age", "maximum_age"):
        return _clean_age(text, LABELS[name])
    if name == "cost" and text not in COSTS:
        raise FieldError("Choose whether the service is free or there is a charge")
    if name == "status" and text not in STATUSES:
        raise FieldError("Choose a status")
    if name == "postcode" and text:
        found = lookup(text)
        if found.status != "found" or found.kind != "full":
            raise FieldError("Enter the full postcode of the place, like RG40 1BN")
        return found.postcode
    return text


def _clean(fields: dict[str, str], current: dict[str, str]) -> dict[str, Any]:
    """Clean the given fields, collecting every problem; the ages are checked together (a missing bound is open)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, text in fields.items():
        try:
            cleaned[name] = _clean_field(name, text)
        except FieldError as exc:
            errors[name] = str(exc)
    if "minimum_age" in fields or "maximum_age" in fields:
        ages = {}
        for key in ("minimum_age", "maximum_age"):
            if key in cleaned:
                ages[key] = cleaned[key]
            elif key not in errors:
                try:
                    ages[key] = _clean_age(current.get(key, ""), LABELS[key])
                except FieldError:
                    ages[key] = None  # a stored value we did not write: leave it be
        low, high = ages.get("minimum_age"), ages.get("maximum_age")
        if low is not None and high is not None and low > high:
            errors["minimum_age"] = "Youngest age must be the same as or less than the oldest age"
    if ("address" in fields or "postcode" in fields) and "postcode" not in errors:
        address = cleaned.get("address", current.get("address", ""))
        postcode = cleaned.get("postcode", current.get("postcode", ""))
        if address and not postcode:
            errors["postcode"] = "Enter the postcode of the place"
        elif postcode and not address:
            errors["address"] = "Enter the first line of the address"
    if errors:
        raise EditError({k: errors[k] for k in (*FIELDS, *errors) if k in errors})
    return cleaned


def _apply_place_and_category(session: Session, record: dict[str, Any], cleaned: dict[str, Any]) -> None:
    """A category links the service to a taxonomy term; an address and postcode make (or move) its place."""
    service_id = record["id"]
    if cleaned.get("category"):
        term = session.get(TaxonomyTerm, cleaned["category"])
        if term is None:
            raise EditError({"category": "Choose what the service helps with from the list"})
        record["attributes"] = [{"id": str(uuid.uuid4()), "link_id": service_id, "taxonomy_term_id": term.id,
                                 "link_type": "service_category", "taxonomy_term": term.record}]
    if cleaned.get("address") or cleaned.get("postcode"):
        places = record.get("service_at_locations") or []
        editable = next((p for p in places if not (session.get(Location, p["location"]["id"]) or Location()).sensitive),
                        None) if places else None
        if places and editable is None:
            raise EditError({"address": "This service's place is confidential and cannot be changed here"})
        if editable is None:
            location_id = str(uuid.uuid4())
            editable = {"id": str(uuid.uuid4()), "service_id": service_id, "location_id": location_id,
                        "location": {"id": location_id, "location_type": "physical", "name": record.get("name", ""),
                                     "addresses": [{"id": str(uuid.uuid4()), "location_id": location_id,
                                                    "address_1": "", "city": "", "state_province": "",
                                                    "postal_code": "", "country": "GB",
                                                    "address_type": "physical"}]}}
            record["service_at_locations"] = [editable, *places]
        location = editable["location"]
        address = (location.get("addresses") or [{}])[0]
        if "address" in cleaned:
            address["address_1"] = cleaned["address"]
        if "postcode" in cleaned:
            address["postal_code"] = cleaned["postcode"]
            found = lookup(cleaned["postcode"])
            location["latitude"], location["longitude"] = found.lat, found.lon
        location["addresses"] = [address, *(location.get("addresses") or [])[1:]]


# --- applying changes to an ORUK record --------------------------------------------------------------------

def _stamp(now: dt.datetime | None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _set_or_drop(record: dict[str, Any], key: str, value: Any) -> None:
    if value in (None, ""):
        record.pop(key, None)
    else:
        record[key] = value


def _apply(record: dict[str, Any], cleaned: dict[str, Any]) -> None:
    """Write cleaned values into an ORUK service record. New sub-objects get uuid4 ids."""
    service_id = record["id"]
    for key in ("name", "description", "status"):
        if key in cleaned:
            record[key] = cleaned[key]
    for key in ("url", "email", "minimum_age", "maximum_age"):
        if key in cleaned:
            _set_or_drop(record, key, cleaned[key])
    if "phone" in cleaned:
        phones = [p for p in record.get("phones") or [] if isinstance(p, dict)]
        if not cleaned["phone"]:
            phones = phones[1:]
        elif phones:
            phones[0] = {**phones[0], "number": cleaned["phone"]}
        else:
            phones = [{"id": str(uuid.uuid4()), "service_id": service_id, "number": cleaned["phone"],
                       "type": "voice"}]
        _set_or_drop(record, "phones", phones or None)
    if "cost" in cleaned or "cost_description" in cleaned:
        kind, description = _cost_of(record)
        kind = cleaned.get("cost", kind)
        description = cleaned.get("cost_description", description)
        record["cost_options"] = _cost_options(record, kind, description)
        if not record["cost_options"]:
            del record["cost_options"]


def _cost_options(record: dict[str, Any], kind: str, description: str) -> list[dict[str, Any]]:
    """One cost option of the chosen kind, keeping the id (and for a charge, the details) of a matching one."""
    if not kind:
        return []
    options = [c for c in record.get("cost_options") or [] if isinstance(c, dict)]
    same = [c for c in options if _is_free(c) == (kind == "free")]
    base = same[0] if same else (options[0] if options else {})
    option: dict[str, Any] = {"id": base.get("id") or str(uuid.uuid4()), "service_id": record["id"]}
    if kind == "free":
        option.update({"option": "Free", "amount": 0, "currency": "GBP"})
    else:
        kept = {k: v for k, v in base.items() if k in ("option", "amount", "currency", "valid_from", "valid_to")}
        option.update(kept if same else {"option": "There is a charge"})
    if description:
        option["amount_description"] = description
    return [option]


def _store(session: Session, record: dict[str, Any]) -> Service:
    problems = schema_errors(record)
    if problems:  # our own edits should always validate; refuse rather than store a broken record
        raise EditError({"service": "The service could not be saved: " + "; ".join(problems)})
    # A refuge's stored location is already redacted (outward code, rounded coordinates); going through the
    # import again would re-derive its coordinates from the outward code alone and move it. An edit of the
    # service never changes its locations, so those keep exactly what they had.
    before = session.get(Service, record["id"])
    kept = {sal.location.id: (sal.location.latitude, sal.location.longitude, sal.location.postcode)
            for sal in (before.at_locations if before is not None else []) if sal.location.sensitive}
    upsert_service(session, record)
    session.flush()
    for location_id, (lat, lon, postcode) in kept.items():
        location = session.get(Location, location_id)
        if location is not None and location.sensitive:
            location.latitude, location.longitude, location.postcode = lat, lon, postcode
    stored = session.get(Service, record["id"])
    assert stored is not None
    return stored


def _actor(actor: StaffUser) -> str:
    return f"staff:{actor.id}"


def _check_version(service: Service, expected: str | None) -> None:
    if expected is not None and expected != version_of(service):
        raise EditConflict()


def _sync_closed_flag(service: Service) -> None:
    """The ORUK status and our flag agree about "temporarily closed"."""
    service.temporarily_closed = service.status == "temporarily closed"


# --- the three (four) edits --------------------------------------------------------------------------------

def _organization(session: Session, organization_id_or_new_name: str) -> dict[str, Any]:
    value = clean_text(organization_id_or_new_name, multiline=False)
    if not value:
        raise EditError({"organization": "Choose the organisation that runs the service, or enter a new one"})
    existing = session.get(Organization, value)
    if existing is None:
        if len(value) > MAX_LENGTH["organization"]:
            raise EditError({"organization": f"Organisation must be {MAX_LENGTH['organization']} characters "
                                             "or fewer"})
        existing = session.scalar(select(Organization).where(func.lower(Organization.name) == value.casefold())
                                  .order_by(Organization.id).limit(1))
    if existing is not None:
        return dict(existing.record)
    return {"id": str(uuid.uuid4()), "name": value, "description": ""}


def create_service(session: Session, *, organization_id_or_new_name: str, name: str, description: str,
                   url: str = "", email: str = "", phone: str = "", minimum_age: str | int | None = None,
                   maximum_age: str | int | None = None, cost: str = "", cost_description: str = "",
                   status: str = "active", category: str = "", address: str = "", postcode: str = "",
                   actor: StaffUser, now: dt.datetime | None = None) -> Service:
    """Add a service (and its organisation, when it is new). Raises EditError listing every problem."""
    given = {"name": name, "description": description, "url": url, "email": email, "phone": phone,
             "minimum_age": minimum_age, "maximum_age": maximum_age, "cost": cost,
             "cost_description": cost_description, "status": status or "active", "category": category,
             "address": address, "postcode": postcode}
    fields = {k: _normal(k, v) for k, v in given.items()}
    errors: dict[str, str] = {}
    organization: dict[str, Any] | None = None
    stamp = _stamp(now)
    try:
        organization = _organization(session, organization_id_or_new_name)
    except EditError as exc:
        errors.update(exc.errors)
    try:
        cleaned = _clean(fields, {})
    except EditError as exc:
        errors.update(exc.errors)
    if errors:
        raise EditError(errors)
    assert organization is not None
    service_id = str(uuid.uuid4())
    record: dict[str, Any] = {"id": service_id, "organization_id": organization["id"], "name": "",
                              "status": "active", "last_modified": stamp}
    _apply(record, cleaned)
    record["organization"] = organization
    record["service_at_locations"] = []
    _apply_place_and_category(session, record, cleaned)
    service = _store(session, record)
    _sync_closed_flag(service)
    audit.record(session, event="directory.service_created", actor=_actor(actor),
                 details={"service_id": service_id, "organization_id": organization["id"],
                          "fields": sorted(k for k, v in cleaned.items() if v not in (None, ""))})
    return service


def update_service(session: Session, service: Service, changes: Mapping[str, Any], actor: StaffUser, *,
                   expected_version: str | None = None, now: dt.datetime | None = None) -> list[str]:
    """Change some of FIELDS. Only fields whose value differs are checked and stored, so a stored value we
    would not accept today (a short number like 111) survives an edit of something else. Returns the names
    of the fields changed (none: nothing is written)."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise EditError({k: f"{k} cannot be edited" for k in sorted(unknown)})
    _check_version(service, expected_version)
    current = current_values(service)
    fields = {k: _normal(k, v) for k, v in changes.items()}
    # A place or category is changed here, never removed (left blank means "as it is").
    fields = {k: v for k, v in fields.items() if v or k not in ("category", "address", "postcode")}
    changed = {k: v for k, v in fields.items() if v != _normal(k, current[k])}
    if not changed:
        return []
    cleaned = _clean(changed, current)
    record = copy.deepcopy(to_oruk(service))
    _apply(record, cleaned)
    _apply_place_and_category(session, record, cleaned)
    record["last_modified"] = _stamp(now)
    stored = _store(session, record)
    if "status" in cleaned:
        _sync_closed_flag(stored)
    names = [k for k in FIELDS if k in cleaned]
    audit.record(session, event="directory.service_updated", actor=_actor(actor),
                 details={"service_id": stored.id, "fields": names})
    return names


def set_flags(session: Session, service: Service, *, temporarily_closed: bool | None = None,
              stale: bool | None = None, actor: StaffUser, expected_version: str | None = None,
              now: dt.datetime | None = None) -> list[str]:
    """Mark a service temporarily closed (or reopen it), or stale (or not). None leaves a flag as it is.

    Temporarily closed is also the ORUK status, so partner systems see it: closing an active service sets
    its status to "temporarily closed", and reopening sets it back to "active". Stale is ours alone."""
    _check_version(service, expected_version)
    changed: dict[str, bool] = {}
    closed_now = service.temporarily_closed or service.status == "temporarily closed"  # imported closed, too
    if temporarily_closed is not None and bool(temporarily_closed) != closed_now:
        changed["temporarily_closed"] = bool(temporarily_closed)
    if stale is not None and bool(stale) != service.stale:
        changed["stale"] = bool(stale)
    if not changed:
        return []
    record = copy.deepcopy(to_oruk(service))
    if "temporarily_closed" in changed:
        if changed["temporarily_closed"] and record.get("status") == "active":
            record["status"] = "temporarily closed"
        elif not changed["temporarily_closed"] and record.get("status") == "temporarily closed":
            record["status"] = "active"
    record["last_modified"] = _stamp(now)
    stored = _store(session, record)
    for key, value in changed.items():
        setattr(stored, key, value)
    audit.record(session, event="directory.service_flagged", actor=_actor(actor),
                 details={"service_id": stored.id, "fields": sorted(changed), **changed})
    return sorted(changed)


DIRECTORY_TEAM_EMAIL = "directory.team@example.org"  # demonstration; a council sets its own team mailbox


def mark_checked(session: Session, service: Service, *, actor: StaffUser, expected_version: str | None = None,
                 today: dt.date | None = None, now: dt.datetime | None = None) -> None:
    """Someone has checked the details are right: assured today (London's date) by this member of staff, and
    no longer stale."""
    _check_version(service, expected_version)
    record = copy.deepcopy(to_oruk(service))
    record["assured_date"] = (today or london_today()).isoformat()
    # Who checked it is in the audit trail; the public record names the directory team, not a person.
    record["assurer_email"] = DIRECTORY_TEAM_EMAIL
    record["last_modified"] = _stamp(now)
    was_stale = service.stale
    stored = _store(session, record)
    stored.stale = False
    fields = ["assured_date", "assurer_email"] + (["stale"] if was_stale else [])
    audit.record(session, event="directory.service_checked", actor=_actor(actor),
                 details={"service_id": stored.id, "fields": fields})
