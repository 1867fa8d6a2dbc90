"""The public service finder: search the directory by postcode and need, read a service, keep a shortlist.

Every page works without JavaScript. The search form uses GET, so results can be bookmarked and shared;
bad input is refused with a GOV.UK error summary and a 400, never a 500. The shortlist lives in the Flask
session as service ids only (at most 20), never anything about the person. Sensitive venues such as refuges
show their outward code and nothing more. Nothing here logs: search terms, postcodes and coordinates must
never reach a log (issue 4, item 10); the request log's query strings are redacted by portal.logs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from forms.schema import clean_text
from portal import db
from portal.config import settings
from portal.extensions import limiter
from signposting.models import Location, Service, ServiceAtLocation, TaxonomyTerm
from signposting.postcodes import ATTRIBUTION, lookup, outward_code
from signposting.search import DAYS, RADII, Hit, Query, Results, SearchError, search
from signposting.suggest import Suggestion, suggest

bp = Blueprint("finder", __name__, url_prefix="/services")

PER_PAGE = 20
MAX_PAGE = 10_000
MAX_CHILD_AGE = 25  # young people with SEND are served to 25
MAX_TEXT = 200
DEFAULT_RADIUS = 5
SHORTLIST_KEY = "shortlist"
SHORTLIST_MAX = 20
SEARCH_KEYS = ("postcode", "distance", "category", "age", "free", "day", "delivery", "language", "accessibility",
               "text")
DELIVERY = {"either": "Either", "in_person": "In person", "remote": "By phone or online"}
OPTIONS_TTL = 60.0  # seconds: the filter choices (categories, languages, accessibility) change rarely


# --- Filter choices -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    categories: list[tuple[str, str]]  # (term id, "Family support: Parenting support")
    languages: list[tuple[str, str]]  # (stored value, label)
    accessibility: list[tuple[str, str]]
    # The same terms as the form shows them: under each top-level heading, "All ..." and then its terms' own names,
    # so that 55 options do not each begin "Family support: ...".
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def category_label(self, term_id: str) -> str | None:
        return dict(self.categories).get(term_id)


_options_cache: dict[str, tuple[float, Options]] = {}


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def filter_options(dbs: Session) -> Options:
    """The choices the form offers: the two-level taxonomy, and the languages and accessibility features
    that listed services have. Cached briefly, so a large directory is not re-read on every search."""
    key = settings().database_url
    cached = _options_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < OPTIONS_TTL:
        return cached[1]
    terms = dbs.scalars(select(TaxonomyTerm)).all()
    children: dict[str, list[TaxonomyTerm]] = {}
    for term in terms:
        if term.parent_id:
            children.setdefault(term.parent_id, []).append(term)
    categories: list[tuple[str, str]] = []
    groups: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for top in sorted((t for t in terms if t.parent_id is None and t.id in children), key=lambda t: t.name):
        subs = sorted(children[top.id], key=lambda t: t.name)
        categories.append((top.id, f"{top.name}: all"))
        categories += [(sub.id, f"{top.name}: {sub.name}") for sub in subs]
        groups.append((top.name, ((top.id, f"All {top.name.lower()}"), *((sub.id, sub.name) for sub in subs))))
    languages: set[str] = set()
    features: set[str] = set()
    rows = dbs.execute(select(Service.languages, Service.accessibility)
                       .where(Service.status == "active", Service.temporarily_closed.is_(False)))
    for langs, access in rows:
        languages.update(v.casefold() for v in langs or [] if isinstance(v, str) and v.strip())
        features.update(v.casefold() for v in access or [] if isinstance(v, str) and v.strip())
    options = Options(categories=categories, groups=tuple(groups),
                      languages=[(v, v.title()) for v in sorted(languages)],
                      accessibility=[(v, _sentence_case(v)) for v in sorted(features)])
    _options_cache[key] = (time.monotonic(), options)
    return options


# --- Reading the form ---------------------------------------------------------------------------------------

def _clean(value: str | None, limit: int = 500) -> str:
    """One line of text as typed, without control characters (PostgreSQL refuses NUL), trimmed."""
    return clean_text(value[:limit * 2] if value else "", multiline=False)[:limit]


@dataclass
class SearchForm:
    values: dict[str, str]  # what to show back in the form
    problems: list[tuple[str | None, str]]  # (field, message)
    query: Query | None
    page: int
    searched: bool

    def error(self, name: str) -> dict[str, str] | None:
        message = next((m for f, m in self.problems if f == name), None)
        return {"text": message} if message else None

    @property
    def url_args(self) -> dict[str, str]:
        """The search as address parameters, for pagination and the links to each service."""
        implied = {"delivery": "either"}  # the defaults need not be in the address
        if not self.values["postcode"]:
            implied["distance"] = str(DEFAULT_RADIUS)
        return {k: v for k, v in self.values.items() if v and implied.get(k) != v}


def _postcode_problem(dbs: Session, postcode: str) -> str | None:
    """search() words the two ways a postcode fails ("That is not a postcode", "We could not find that
    postcode"); for a postcode that fails, it raises before touching the database."""
    if lookup(postcode).found:
        return None
    try:
        search(dbs, Query(postcode=postcode, per_page=1))
    except SearchError as exc:
        return str(exc)
    return None


def read_form(dbs: Session, args: Mapping[str, str], options: Options) -> SearchForm:
    values = {key: _clean(args.get(key)) for key in SEARCH_KEYS}
    values["postcode"] = values["postcode"][:40]
    searched = any(key in args for key in (*SEARCH_KEYS, "page"))
    problems: list[tuple[str | None, str]] = []

    radius: int = DEFAULT_RADIUS
    if values["distance"]:
        try:
            radius = int(values["distance"])
        except ValueError:
            radius = -1
        if radius not in RADII:
            problems.append(("distance", "Choose a distance of 1, 2, 5, 10 or 20 miles"))
        else:
            values["distance"] = str(radius)
    else:
        values["distance"] = str(DEFAULT_RADIUS)

    category = values["category"]
    if category and options.category_label(category) is None:
        problems.append(("category", "Choose what you need help with from the list"))

    age: int | None = None
    if values["age"]:
        if not re.fullmatch(r"[-+]?[0-9]{1,400}", values["age"]):
            problems.append(("age", "Enter the child's age in whole years, like 4"))
        else:
            age = int(values["age"])
            if not 0 <= age <= MAX_CHILD_AGE:
                problems.append(("age", f"Enter an age between 0 and {MAX_CHILD_AGE}"))

    day = values["day"].upper() or None
    if day is not None and day not in DAYS:
        problems.append(("day", "Choose a day of the week from the list"))

    delivery = values["delivery"] or "either"
    if delivery not in DELIVERY:
        problems.append(("delivery", "Choose in person, by phone or online, or either"))
    values["delivery"] = delivery

    values["language"], values["accessibility"] = values["language"].casefold(), values["accessibility"].casefold()
    language = values["language"] or None
    if language is not None and language not in dict(options.languages):
        problems.append(("language", "Choose a language from the list"))
    access = values["accessibility"] or None
    if access is not None and access not in dict(options.accessibility):
        problems.append(("accessibility", "Choose an accessibility need from the list"))

    if len(values["text"]) > MAX_TEXT:
        problems.append(("text", f"Enter {MAX_TEXT} characters or fewer"))

    free = values["free"] == "yes"
    values["free"] = "yes" if free else ""

    page = 1
    raw_page = _clean(args.get("page"), 20)
    if raw_page:
        page = int(raw_page) if re.fullmatch(r"[0-9]{1,5}", raw_page) else 0
        if not 1 <= page <= MAX_PAGE:
            problems.append((None, "That page of results does not exist. Select Search to see the first page"))
            page = 1

    if values["postcode"]:
        message = _postcode_problem(dbs, values["postcode"])
        if message:
            problems.insert(0, ("postcode", message))

    query = None
    if not problems:
        query = Query(text=values["text"], postcode=values["postcode"], radius=radius,
                      categories=(category,) if category else (), age=age, free_only=free, day=day,
                      delivery=None if delivery == "either" else delivery, language=language,
                      accessibility=access, page=page, per_page=PER_PAGE)
    return SearchForm(values=values, problems=problems, query=query, page=page, searched=searched)


# --- Describing a service in plain English -----------------------------------------------------------------

def miles_text(distance: float | None) -> str | None:
    if distance is None:
        return None
    if distance < 0.1:
        return "Less than 0.1 miles"
    return "1 mile" if distance == 1 else f"{distance:g} miles"


def _money(amount: float, currency: str | None) -> str:
    value = float(amount)
    if not math.isfinite(value):
        return "Ask the service"
    shown = f"{value:.0f}" if value == int(value) else f"{value:.2f}"
    return f"£{shown}" if (currency or "GBP") == "GBP" else f"{shown} {currency}"


def cost_text(service: Service) -> str:
    options = [o for o in service.record.get("cost_options") or [] if isinstance(o, dict)]
    if not options:
        return "Free" if service.is_free else "Ask the service about any cost"
    parts = []
    for option in options:
        amount = option.get("amount")
        label = str(option.get("option") or "").strip()
        note = str(option.get("amount_description") or "").strip()
        if amount in (None, "") or (isinstance(amount, (int, float)) and amount == 0):
            text = "Free" if amount == 0 or "free" in label.casefold() else (label or "Ask the service")
        elif not isinstance(amount, (int, float)):
            text = label or "Ask the service"
        elif label.casefold().startswith("per "):
            text = f"{_money(amount, option.get('currency'))} {label[0].lower()}{label[1:]}"
        elif label:
            text = f"{label}: {_money(amount, option.get('currency'))}"
        else:
            text = _money(amount, option.get("currency"))
        if text == "Free" and note.casefold().startswith("free"):
            text = note  # "Free to call"
        elif note and note.casefold() not in (label.casefold(), text.casefold()):
            text += f" ({note})"
        parts.append(text)
    unique = list(dict.fromkeys(parts))
    return "; ".join(unique)


def ages_text(service: Service) -> str:
    low, high = service.minimum_age, service.maximum_age
    if low in (None, 0) and high is None:
        return "All ages"
    if high is None:
        return f"{low} years and over"
    unit = "year" if high == 1 else "years"
    if low is None:
        return f"Up to {high} {unit}"
    return f"{low} to {high} {unit}"


def _clock(value: str | None) -> str | None:
    match = re.match(r"([0-9]{1,2}):([0-9]{2})", str(value or "").strip())  # "09:30", "09:30:00Z"
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 24 or minute > 59:
        return None
    if (hour, minute) == (12, 0):
        return "midday"
    if (hour, minute) in ((0, 0), (23, 59), (24, 0)):
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour}{suffix}" if minute == 0 else f"{hour}:{minute:02d}{suffix}"


def _days_text(byday: str) -> str | None:
    order = list(DAYS)
    days = [d for d in order if d in {p.strip().upper()[-2:] for p in byday.split(",") if p.strip()}]
    if not days:
        return None
    if len(days) == 7:
        return "Every day"
    indexes = [order.index(d) for d in days]
    if len(days) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAYS[days[0]]} to {DAYS[days[-1]]}"
    names = [f"{DAYS[d]}s" for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_TIME_WORDS = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?|every day|24 hours|a day|midday|midnight|to|and|"
    r"[0-9]{1,2}(?::[0-9]{2})?\s?(?:am|pm))\b|[^\w\s-]")


def _adds_to_times(description: str) -> bool:
    """Whether a schedule's own description says more than the days and times already shown."""
    return len(_TIME_WORDS.sub(" ", description.casefold()).split()) >= 4


def schedule_lines(service: Service) -> list[dict[str, str]]:
    """Each schedule as {"how": "In person", "when": "Wednesdays, 9:30am to 11:30am", "notes": ...}."""
    lines = []
    for schedule in service.record.get("schedules") or []:
        if not isinstance(schedule, dict):
            continue
        description = str(schedule.get("description") or "").strip()
        weekly = str(schedule.get("freq") or "WEEKLY").upper() == "WEEKLY"
        days = _days_text(str(schedule.get("byday") or "")) if weekly else None
        opens, closes = _clock(schedule.get("opens_at")), _clock(schedule.get("closes_at"))
        when = None
        if days:
            if opens == "midnight" and closes == "midnight":
                when = f"{days}, 24 hours"
            elif opens and closes:
                when = f"{days}, {opens} to {closes}"
            else:
                when = days
            interval = schedule.get("interval")
            if isinstance(interval, int) and interval > 1:
                when += f", every {interval} weeks"
        notes = [str(schedule.get("notes") or "").strip()]
        if when is None:
            when, notes = description or "Contact the service to find out when it is open", notes
        elif description and _adds_to_times(description):
            notes.insert(0, description)
        lines.append({"how": _sentence_case(str(schedule.get("attending_type") or "").strip()) or "",
                      "when": when, "notes": " ".join(n for n in notes if n)})
    return lines


def _phone_href(number: str) -> str | None:
    digits = re.sub(r"[^0-9+]", "", number)
    return f"tel:{digits}" if digits else None


def _web_href(url: Any) -> str | None:
    text = str(url or "").strip()
    return text if re.match(r"https?://[^\s\"'<>]+$", text) else None


def _email_href(email: Any) -> str | None:
    text = str(email or "").strip()
    return f"mailto:{text}" if re.fullmatch(r"[^\s@<>\"']+@[^\s@<>\"']+", text) else None


def contact_details(service: Service) -> dict[str, Any]:
    phones = []
    for phone in service.record.get("phones") or []:
        if isinstance(phone, dict) and phone.get("number"):
            number = str(phone["number"])
            phones.append({"number": number, "href": _phone_href(number),
                           "description": str(phone.get("description") or "")})
    email = str(service.record.get("email") or "")
    return {"phones": phones,
            "email": email if _email_href(email) else None, "email_href": _email_href(email),
            "website": _web_href(service.record.get("url"))}


def place(location: Location) -> dict[str, Any]:
    """Where a service is. A sensitive venue (a refuge) shows its outward code and nothing else."""
    if location.sensitive:
        return {"confidential": True, "outward": outward_code(location.postcode) or "", "lines": [],
                "accessibility": []}
    record = location.record or {}
    lines: list[str] = []
    name = str(record.get("name") or location.name or "").strip()
    addresses = [a for a in record.get("addresses") or [] if isinstance(a, dict)]
    address = next((a for a in addresses if a.get("address_type", "physical") == "physical"), None) or \
        (addresses[0] if addresses else None)
    if address:
        for key in ("address_1", "address_2", "city"):
            part = str(address.get(key) or "").strip()
            if part and part not in lines:
                lines.append(part)
        if address.get("postal_code"):
            lines.append(str(address["postal_code"]))
    if name and not any(line.startswith(name) for line in lines):
        lines.insert(0, name)
    access = [{"description": _sentence_case(str(a.get("description") or "")), "details": str(a.get("details") or "")}
              for a in record.get("accessibility") or [] if isinstance(a, dict) and a.get("description")]
    return {"confidential": False, "outward": None, "lines": lines, "accessibility": access}


def _summary(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:")
    return f"{cut}…"


def _closed(service: Service) -> bool:
    return service.temporarily_closed or service.status == "temporarily closed"


def card(hit: Hit, args: Mapping[str, str]) -> dict[str, Any]:
    service = hit.service
    contact = contact_details(service)
    return {"id": service.id, "href": url_for("finder.service", service_id=service.id, **dict[str, Any](args)),
            "name": service.name, "organisation": service.organization.name if service.organization else None,
            "summary": _summary(str(service.record.get("description") or "")), "cost": cost_text(service),
            "ages": ages_text(service), "phone": contact["phones"][0] if contact["phones"] else None,
            "distance": miles_text(hit.distance), "remote_only": service.remote and not service.in_person,
            "stale": service.stale}


def _date_text(value: dt.date | dt.datetime | None) -> str | None:
    return f"{value.day} {value:%B %Y}" if value else None


def describe(service: Service) -> dict[str, Any]:
    """Everything the service page and the shortlist show, as plain text."""
    languages = [str(lang.get("name") or lang.get("code")) for lang in service.record.get("languages") or []
                 if isinstance(lang, dict) and (lang.get("name") or lang.get("code"))]
    description = str(service.record.get("description") or "")
    return {
        "id": service.id, "name": service.name,
        "organisation": service.organization.name if service.organization else None,
        "paragraphs": [p.strip() for p in re.split(r"\n\s*\n", description) if p.strip()],
        "ages": ages_text(service), "cost": cost_text(service), "schedules": schedule_lines(service),
        "contact": contact_details(service), "languages": languages,
        "places": [place(sal.location) for sal in service.at_locations if sal.location is not None],
        "remote": service.remote, "in_person": service.in_person,
        "last_updated": _date_text(service.last_modified), "checked": _date_text(service.assured_date),
        "closed": _closed(service), "stale": service.stale,
    }


def _load(dbs: Session, ids: list[str]) -> dict[str, Service]:
    if not ids:
        return {}
    services = dbs.scalars(select(Service).where(Service.id.in_(ids), Service.status != "inactive",
                                                 Service.status != "defunct")
                           .options(selectinload(Service.organization),
                                    selectinload(Service.at_locations).selectinload(ServiceAtLocation.location)))
    return {s.id: s for s in services}


# --- Pages --------------------------------------------------------------------------------------------------

def _pagination(page: int, pages: int, args: Mapping[str, str]) -> dict[str, Any] | None:
    if pages <= 1:
        return None

    def href(n: int) -> str:
        return url_for("finder.search", **dict[str, Any](args), page=n) + "#results"

    items: list[dict[str, Any]] = []
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    for i, n in enumerate(shown):
        if i and n - shown[i - 1] > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page})
    return {"items": items, "previous": {"href": href(page - 1)} if page > 1 else None,
            "next": {"href": href(page + 1)} if page < pages else None, "landmarkLabel": "Pages of results"}


@bp.get("", endpoint="search")
@limiter.limit(lambda: settings().page_rate_limit)  # each request is a database search
def search_page():
    dbs = db.session()
    options = filter_options(dbs)
    form = read_form(dbs, request.args, options)
    context: dict[str, Any] = {"form": form, "options": options, "results": None, "days": DAYS, "radii": RADII,
                               "delivery": DELIVERY, "attribution": ATTRIBUTION,
                               "shortlist_count": len(_shortlist())}
    if form.query is not None and form.searched:
        try:
            results: Results = search(dbs, form.query)
        except SearchError as exc:
            field = "postcode" if form.query.postcode and "postcode" in str(exc).casefold() else None
            form.problems.append((field, str(exc)))
        else:
            pages = max(1, math.ceil(results.total / PER_PAGE))
            if form.page > pages:
                only = "There is only 1 page" if pages == 1 else f"There are only {pages} pages"
                form.problems.append((None, f"{only} of results. Select Search to see the first page"))
            else:
                args = form.url_args
                here = {**args, "page": str(form.page)} if form.page > 1 else args  # so "Back" returns here
                context["results"] = {
                    "total": results.total, "nearby": [card(h, here) for h in results.nearby],
                    "remote": [card(h, args) for h in results.remote] if form.page == 1 else [],
                    "origin": results.origin.postcode if results.origin else None,
                    "radius": form.query.radius, "page": form.page, "pages": pages,
                    "first": (form.page - 1) * PER_PAGE + 1,
                    "category": options.category_label(form.values["category"]),
                    "pagination": _pagination(form.page, pages, args)}
    status = 400 if form.problems else 200
    return render_template("services/search.html", **context), status


def _visible(dbs: Session, service_id: str) -> Service:
    if len(service_id) > 64:
        abort(404)
    service = _load(dbs, [service_id]).get(service_id)
    if service is None:
        abort(404)
    return service


def _back_args(query_string: str) -> dict[str, str]:
    """The search that led here, to go back to it: known keys only."""
    pairs = parse_qsl(query_string[:2000], keep_blank_values=False)
    return {k: _clean(v, 200) for k, v in pairs if k in (*SEARCH_KEYS, "page")}


@bp.get("/<service_id>")
def service(service_id: str):
    found = _visible(db.session(), service_id)
    back = _back_args(request.query_string.decode("utf-8", "replace"))
    return render_template("services/service.html", service=describe(found),
                           in_shortlist=found.id in _shortlist(), shortlist_count=len(_shortlist()),
                           back_href=url_for("finder.search", **dict[str, Any](back)) + ("#results" if back else ""),
                           back_query=urlencode(back), full=len(_shortlist()) >= SHORTLIST_MAX)


def _shortlist() -> list[str]:
    ids = session.get(SHORTLIST_KEY)
    if not isinstance(ids, list):
        return []
    return [i for i in ids if isinstance(i, str) and len(i) <= 64][:SHORTLIST_MAX]


@bp.get("/shortlist")
def shortlist():
    dbs = db.session()
    ids = _shortlist()
    found = _load(dbs, ids)
    if len(found) != len(ids):  # a service that has since left the directory drops off quietly
        session[SHORTLIST_KEY] = [i for i in ids if i in found]
    services = [describe(found[i]) for i in ids if i in found]
    return render_template("services/shortlist.html", services=services, shortlist_count=len(services))


@bp.post("/shortlist")
def change_shortlist():
    action = request.form.get("action")
    service_id = str(request.form.get("service_id") or "")[:64]
    ids = _shortlist()
    if action == "remove":
        session[SHORTLIST_KEY] = [i for i in ids if i != service_id]
        flash("Removed from your shortlist.", "success")
        return redirect(url_for("finder.shortlist"))
    if action != "add" or not service_id:
        abort(400)
    found = _visible(db.session(), service_id)
    back = _back_args(str(request.form.get("back") or ""))
    if found.id not in ids:
        if len(ids) >= SHORTLIST_MAX:
            flash(f"Your shortlist is full. You can keep up to {SHORTLIST_MAX} services: remove one to add "
                  "another.", "error")
            return redirect(url_for("finder.service", service_id=found.id, **back))
        session[SHORTLIST_KEY] = [*ids, found.id]
    flash("Added to your shortlist.", "success")
    return redirect(url_for("finder.service", service_id=found.id, **back))


# --- The journeys' confirmation pages ----------------------------------------------------------------------

def _age_on(date_of_birth: Any, today: dt.date) -> int | None:
    try:
        born = dt.date.fromisoformat(str(date_of_birth))
    except ValueError:
        return None
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return years if years >= 0 else None


def _contact_link(text: str) -> str | None:
    if "@" in text:
        return _email_href(text)
    if text.startswith(("http://", "https://")):
        return _web_href(text)
    return _phone_href(text)


def _suggestion(item: Suggestion) -> dict[str, Any]:
    return {"name": item.name, "href": url_for("finder.service", service_id=item.service_id),
            "contact": item.contact, "contact_href": _contact_link(item.contact),
            "distance": miles_text(item.distance)}


def confirmation_suggestions(dbs: Session, contact: Any) -> list[dict[str, Any]]:
    """Up to three services for a sent referral or help request: from its worries, the first child's age
    (none for an unborn baby) and a postcode (the family's on the help journey, else the first child's)."""
    answers = contact.answers or {}
    children = [c for c in answers.get("children") or [] if isinstance(c, dict)]
    first = children[0] if children else {}
    today = (contact.received_at or dt.datetime.now(dt.UTC)).date()
    age = _age_on(first.get("date_of_birth"), today) if first.get("born", "yes") != "no" else None
    postcode = answers.get("postcode") or next((c.get("postcode") for c in children if c.get("postcode")), None)
    categories = [c for c in answers.get("concern_categories") or contact.concern_categories or []
                  if isinstance(c, str)]
    found = suggest(dbs, categories=categories, age=age, postcode=postcode if isinstance(postcode, str) else None)
    return [_suggestion(s) for s in found[:3]]
