"""Import, export and serialisation of the directory as Open Referral UK 3.0 JSON.

Import takes one service, a page (`contents`), a list, our demo file (`services`), a taxonomy file, or a
folder of any of these. Each record is validated against the official compiled schema on its own and
upserted by its id, so importing twice changes nothing and a bad record never stops the good ones.
Confidential locations (refuges) are redacted on the way in: their street address is never stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from signposting.models import Attribute, Location, Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from signposting.postcodes import lookup, outward_code

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "oruk-3.0"
DEMO_DIRECTORY = Path(__file__).resolve().parent / "data" / "demo_directory.json"
DEMO_TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy.json"
CONFIDENTIAL_TERMS = {"confidential-location", "confidential location"}
REMOTE_ATTENDANCE = {"phone", "online", "text message", "remote", "telephone", "video"}


@lru_cache(maxsize=8)
def validator(name: str) -> Draft202012Validator:
    """A validator for one of the official compiled schemas (service, service_list, ...)."""
    return Draft202012Validator(json.loads((SCHEMAS / "compiled" / f"{name}.json").read_text()))


def schema_errors(doc: Any, schema: str = "service", limit: int = 3) -> list[str]:
    errors = sorted(validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))[:limit]
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(record)'}: {e.message[:200]}" for e in errors]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    terms: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.created} services added, {self.updated} updated, {self.terms} taxonomy terms, "
                f"{len(self.errors)} records refused")


# --- reading files ------------------------------------------------------------------------------------------

def _records(doc: Any, where: str) -> Iterator[tuple[str, str, Any]]:
    """(kind, where, record) for everything in a parsed file: 'service' or 'taxonomy'."""
    if isinstance(doc, dict) and "taxonomy_terms" in doc:
        yield "taxonomy", where, doc  # a taxonomy file, or our own export, which carries services too
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            yield "service", f"{where}[{i}]", item
    elif isinstance(doc, dict) and "taxonomy_terms" in doc and "services" not in doc:
        return
    elif isinstance(doc, dict) and isinstance(doc.get("services"), list):
        for i, item in enumerate(doc["services"]):
            yield "service", f"{where} services[{i}]", item
    elif isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        for i, item in enumerate(doc["contents"]):
            record = item.get("service") if isinstance(item, dict) and "service" in item else item
            yield "service", f"{where} contents[{i}]", record
    else:
        yield "service", where, doc


def read_path(path: Path) -> tuple[list[tuple[str, str, Any]], list[str]]:
    files = sorted(p for p in path.rglob("*.json")) if path.is_dir() else [path]
    records: list[tuple[str, str, Any]] = []
    errors: list[str] = []
    if not files:
        errors.append(f"{path}: no JSON files found")
    for file in files:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            errors.append(f"{file}: no such file")
            continue
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(f"{file.name}: not valid JSON ({exc.__class__.__name__}: {str(exc)[:120]})")
            continue
        records.extend(_records(doc, file.name))
    return records, errors


def import_path(session: Session, path: Path) -> ImportReport:
    records, errors = read_path(path)
    report = ImportReport(errors=errors)
    # Taxonomies first, so services can link to their terms.
    for kind, where, record in sorted(records, key=lambda r: r[0] != "taxonomy"):
        if kind == "taxonomy":
            report.terms += import_taxonomy(session, record)
            session.commit()
            continue
        problems = schema_errors(record) if isinstance(record, dict) else ["(record): not a JSON object"]
        if problems:
            label = record.get("id", "") if isinstance(record, dict) else ""
            report.errors.append(f"{where} {label}".strip() + ": " + "; ".join(problems))
            continue
        try:
            created = upsert_service(session, record)
            session.commit()
        except Exception as exc:  # one record's database failure must not stop the rest
            session.rollback()
            report.errors.append(f"{where} {record.get('id')}: could not be stored ({type(exc).__name__})")
            continue
        report.created += created
        report.updated += not created
    return report


# --- storing ------------------------------------------------------------------------------------------------

def import_taxonomy(session: Session, doc: dict[str, Any]) -> int:
    """A taxonomy with its terms. (Supplementary ones, like our location flags, are not service categories.)"""
    count = 0
    for part in [doc]:
        taxonomy = part.get("taxonomy")
        if isinstance(taxonomy, dict) and taxonomy.get("id"):
            session.merge(Taxonomy(id=taxonomy["id"], name=taxonomy.get("name", ""), record=taxonomy))
            session.flush()
        for term in part.get("taxonomy_terms") or []:
            if isinstance(term, dict) and term.get("id") and term.get("name"):
                _merge_term(session, term)
                count += 1
    return count


def _merge_term(session: Session, term: dict[str, Any]) -> None:
    session.merge(TaxonomyTerm(id=term["id"], taxonomy_id=_known_taxonomy(session, term.get("taxonomy_id")),
                               parent_id=term.get("parent_id"), name=term["name"], record=term))


def _known_taxonomy(session: Session, taxonomy_id: str | None) -> str | None:
    return taxonomy_id if taxonomy_id and session.get(Taxonomy, taxonomy_id) is not None else None


@lru_cache(maxsize=1)
def confidential_term_ids() -> frozenset[str]:
    """The ids of our 'confidential location' flag (signposting/data/taxonomy.json), for records that give
    the term by id alone."""
    doc = json.loads(DEMO_TAXONOMY.read_text())
    return frozenset(t["id"] for s in doc.get("supplementary_taxonomies") or [] for t in s.get("taxonomy_terms") or []
                     if str(t.get("term", t.get("name", ""))).casefold() in CONFIDENTIAL_TERMS)


def _is_confidential(session: Session, location: dict[str, Any]) -> bool:
    """Flagged by an attribute whose term is 'confidential location', given in full or by its id alone."""
    for attribute in location.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        if not term and attribute.get("taxonomy_term_id") in confidential_term_ids():
            return True
        if str(term.get("term", "")).casefold() in CONFIDENTIAL_TERMS or \
                str(term.get("name", "")).casefold() in CONFIDENTIAL_TERMS:
            return True
    return False


def redact_location(location: dict[str, Any]) -> dict[str, Any]:
    """A refuge keeps only its outward code and coordinates rounded to about a kilometre."""
    redacted = {k: v for k, v in location.items() if k not in ("addresses", "name", "description", "latitude",
                                                                 "longitude", "external_identifier")}
    redacted["name"] = "Confidential location"
    postcode = next((a.get("postal_code") for a in location.get("addresses") or [] if a.get("postal_code")), None)
    outward = outward_code(postcode) if postcode else None
    if outward:
        redacted["addresses"] = [{"id": a["id"], "address_1": "Confidential address", "city": "",
                                  "state_province": a.get("state_province", ""), "postal_code": outward,
                                  "country": a.get("country", "GB"), "address_type": a.get("address_type", "physical")}
                                 for a in (location.get("addresses") or [])[:1] if a.get("id")]
    if location.get("latitude") is not None and location.get("longitude") is not None:
        redacted["latitude"] = round(float(location["latitude"]), 2)
        redacted["longitude"] = round(float(location["longitude"]), 2)
    return redacted


def _coordinates(location: dict[str, Any]) -> tuple[float | None, float | None, str | None]:
    """Coordinates from the address's postcode where we can find it, else as given."""
    postcode = next((a.get("postal_code") for a in location.get("addresses") or [] if a.get("postal_code")), None)
    if postcode:
        found = lookup(postcode)
        if found.status == "found":
            return found.lat, found.lon, found.postcode
    lat, lon = location.get("latitude"), location.get("longitude")
    return (float(lat) if lat is not None else None, float(lon) if lon is not None else None, postcode)


def _derive(record: dict[str, Any], physical: bool) -> dict[str, Any]:
    schedules = record.get("schedules") or []
    attending = {str(s.get("attending_type", "")).casefold() for s in schedules}
    costs = record.get("cost_options") or []
    free = any((c.get("amount") == 0) or "free" in str(c.get("option", "")).casefold() for c in costs)
    days = sorted({d.strip().upper() for s in schedules for d in str(s.get("byday") or "").split(",") if d.strip()})
    text = f"{record.get('name', '')} {record.get('description', '')}".casefold()
    return {
        "search_text": text,
        "is_free": free,
        "in_person": physical or "in person" in attending,
        "remote": bool(attending & REMOTE_ATTENDANCE) or not physical,
        "open_days": days,
        "languages": sorted({str(lang.get("name") or lang.get("code") or "").casefold()
                             for lang in record.get("languages") or [] if lang.get("name") or lang.get("code")}),
    }


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _datetime(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def upsert_service(session: Session, record: dict[str, Any]) -> bool:
    """Store one validated ORUK service. Returns True when it was new."""
    organization = record.get("organization")
    if isinstance(organization, dict) and organization.get("id"):
        session.merge(Organization(id=organization["id"], name=organization.get("name", ""), record=organization))
    org_id = (organization or {}).get("id") or record.get("organization_id")
    if org_id and session.get(Organization, org_id) is None:
        org_id = None
    service = session.get(Service, record["id"])
    created = service is None
    if service is None:
        service = Service(id=record["id"], name=record.get("name", ""), search_text="", record={})
        session.add(service)
    # Old links go first (flushed), so re-importing the same ids replaces rather than collides.
    service.at_locations.clear()
    service.attributes.clear()
    session.flush()

    accessibility: set[str] = set()
    physical = False
    for sal in record.get("service_at_locations") or []:
        location = sal.get("location") or {}
        if not location.get("id"):
            continue
        confidential = _is_confidential(session, location)
        lat: float | None
        lon: float | None
        if confidential and location.get("latitude") is not None and location.get("longitude") is not None:
            # Never re-derive a refuge's place from its (already redacted) outward code: it would move.
            lat, lon = float(location["latitude"]), float(location["longitude"])
            postcode = next((a.get("postal_code") for a in location.get("addresses") or []
                             if a.get("postal_code")), None)
        else:
            lat, lon, postcode = _coordinates(location)
        stored = redact_location(location) if confidential else location
        if confidential:
            lat = round(lat, 2) if lat is not None else None
            lon = round(lon, 2) if lon is not None else None
            postcode = outward_code(postcode) if postcode else None
        session.merge(Location(id=location["id"], name=stored.get("name"), latitude=lat, longitude=lon,
                               postcode=postcode, sensitive=confidential, record=stored))
        physical = physical or location.get("location_type", "physical") == "physical"
        accessibility |= {str(a.get("description", "")).casefold() for a in location.get("accessibility") or []
                          if a.get("description")}
        sal_record = {k: v for k, v in sal.items() if k != "location"}
        service.at_locations.append(ServiceAtLocation(id=sal["id"], location_id=location["id"], record=sal_record))
    for attribute in record.get("attributes") or []:
        term = attribute.get("taxonomy_term")
        term_id = attribute.get("taxonomy_term_id") or (term or {}).get("id")
        if not term_id:
            continue
        if isinstance(term, dict) and term.get("name") and session.get(TaxonomyTerm, term_id) is None:
            _merge_term(session, term)
        if session.get(TaxonomyTerm, term_id) is not None:
            service.attributes.append(Attribute(id=attribute["id"], taxonomy_term_id=term_id, record=attribute))

    kept = {k: v for k, v in record.items() if k not in ("service_at_locations", "organization")}
    derived = _derive(record, physical)
    service.organization_id = org_id
    service.name = record.get("name", "")
    service.status = record.get("status", "active")
    service.minimum_age = record.get("minimum_age")
    service.maximum_age = record.get("maximum_age")
    service.last_modified = _datetime(record.get("last_modified"))
    service.assured_date = _date(record.get("assured_date"))
    service.accessibility = sorted(accessibility)
    service.record = kept
    for key, value in derived.items():
        setattr(service, key, value)
    return created


# --- writing ------------------------------------------------------------------------------------------------

def service_query():
    return select(Service).options(
        selectinload(Service.organization),
        selectinload(Service.at_locations).selectinload(ServiceAtLocation.location))


def to_oruk(service: Service) -> dict[str, Any]:
    """The fully nested ORUK 3.0 service, as the official compiled schema expects."""
    doc = dict(service.record)
    doc["name"], doc["status"] = service.name, service.status
    if service.organization is not None:
        doc["organization"] = service.organization.record
    doc["service_at_locations"] = [{**sal.record, "location": sal.location.record} for sal in service.at_locations]
    return doc


def export_all(session: Session) -> dict[str, Any]:
    services = session.scalars(service_query().order_by(Service.name, Service.id)).all()
    taxonomy = session.scalars(select(Taxonomy)).first()
    terms = session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.name)).all()
    return {"licence": "Open Referral UK 3.0 format (CC BY-SA 4.0, Open Referral UK).",
            "taxonomy": taxonomy.record if taxonomy else None,
            "taxonomy_terms": [t.record for t in terms],
            "services": [to_oruk(s) for s in services]}


def load_demo_directory(session: Session) -> ImportReport:
    report = import_path(session, DEMO_TAXONOMY)
    services = import_path(session, DEMO_DIRECTORY)
    services.terms += report.terms
    services.errors = report.errors + services.errors
    return services
