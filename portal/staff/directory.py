"""Staff pages for the service directory: find a service, add one, edit it, mark it temporarily closed or stale,
and record that its details have been checked. Views are thin: the rules live in signposting/editing.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import db
from portal.staff import bp, me, permission
from signposting.editing import (
    COSTS,
    FIELDS,
    LABELS,
    STATUSES,
    EditConflict,
    EditError,
    create_service,
    current_values,
    mark_checked,
    set_flags,
    update_service,
    version_of,
)
from signposting.models import Organization, Service, TaxonomyTerm

LONDON = ZoneInfo("Europe/London")
PER_PAGE = 50
SHOWING = {"all": "All services", "closed": "Temporarily closed", "stale": "Stale", "inactive": "Not active"}
FORM_ORDER = ("organization", *FIELDS)


def _service_or_404(service_id: str) -> Service:
    service = db.session().get(Service, service_id) if len(service_id) <= 36 else None
    if service is None:
        abort(404)
    return service


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _when(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    local = value.astimezone(LONDON)
    return f"{local.day} {local.strftime('%B %Y')} at {local.strftime('%H:%M')}"


def _day(value: dt.date | None) -> str | None:
    return f"{value.day} {value.strftime('%B %Y')}" if value is not None else None


def _version() -> str | None:
    """The version the form was drawn from; a client that sends none is not checked."""
    return request.form.get("version")


def _problems(errors: dict[str, str]) -> list[dict[str, str]]:
    ordered = [k for k in FORM_ORDER if k in errors] + [k for k in errors if k not in FORM_ORDER]
    return [{"text": errors[k], "href": f"#{k}" if k in FORM_ORDER else "#main-content"} for k in ordered]


@bp.get("/services")
@permission("edit_directory")
def service_list():
    text = " ".join(request.args.get("q", "").split())[:200]
    showing = request.args.get("show", "all")
    if showing not in SHOWING:
        showing = "all"
    page_arg = request.args.get("page", "1")
    page = min(int(page_arg), 10_000) if re.fullmatch(r"[0-9]{1,5}", page_arg) and int(page_arg) >= 1 else 1
    conditions = [func.lower(Service.name).like(_like(word), escape="\\") for word in text.split()[:8]]
    if showing == "closed":
        conditions.append(Service.temporarily_closed.is_(True))
    elif showing == "stale":
        conditions.append(Service.stale.is_(True))
    elif showing == "inactive":
        conditions.append(Service.status != "active")
    dbs = db.session()
    total = dbs.scalar(select(func.count()).select_from(Service).where(*conditions)) or 0
    services = dbs.scalars(select(Service).where(*conditions).options(selectinload(Service.organization))
                           .order_by(Service.name, Service.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return render_template("staff/services.html", title="Services", services=services, text=text, showing=showing,
                           showings=SHOWING, total=total, page=page,
                           has_next=page * PER_PAGE < total, checked=_day)


def _categories() -> list[tuple[str, str]]:
    """(term id, "Top level: subcategory") for the form's select, subcategories only."""
    terms = list(db.session().scalars(select(TaxonomyTerm)))
    names = {t.id: t.name for t in terms}
    return sorted(((t.id, f"{names.get(t.parent_id, '')}: {t.name}") for t in terms if t.parent_id),
                  key=lambda pair: pair[1])


def _organizations() -> list[Organization]:
    return list(db.session().scalars(select(Organization).order_by(Organization.name, Organization.id)))


def _render_form(*, service: Service | None, values: dict[str, str], errors: dict[str, str], version: str = "",
                 status: int = 200) -> Any:
    title = f"Edit {service.name}" if service is not None else "Add a service"
    return render_template(
        "staff/services_form.html", title=title, service=service, values=values, errors=errors,
        problems=_problems(errors), version=version, labels=LABELS, statuses=STATUSES, costs=COSTS,
        organizations=_organizations() if service is None else [], categories=_categories(),
        last_modified=_when(service.last_modified) if service is not None else None,
        assured=_day(service.assured_date) if service is not None else None), status


@bp.route("/services/new", methods=["GET", "POST"])
@permission("edit_directory")
def service_new():
    if request.method == "GET":
        return _render_form(service=None, values={"status": "active", "organization": "", "new_organization": ""},
                            errors={})
    values = {k: request.form.get(k, "") for k in (*FIELDS, "organization", "new_organization")}
    organization = values["new_organization"].strip() or values["organization"]
    dbs = db.session()
    try:
        service = create_service(dbs, organization_id_or_new_name=organization,
                                 **{k: values[k] for k in FIELDS}, actor=me())
        dbs.commit()
    except EditError as exc:
        dbs.rollback()
        return _render_form(service=None, values=values, errors=exc.errors, status=400)
    flash(f"{service.name} has been added to the directory.", "success")
    return redirect(url_for("staff.service_edit", service_id=service.id))


@bp.route("/services/<service_id>/edit", methods=["GET", "POST"])
@permission("edit_directory")
def service_edit(service_id: str):
    service = _service_or_404(service_id)
    if request.method == "GET":
        return _render_form(service=service, values=current_values(service), errors={}, version=version_of(service))
    values = {k: request.form.get(k, "") for k in FIELDS}
    dbs = db.session()
    try:
        changed = update_service(dbs, service, values, me(), expected_version=_version())
        dbs.commit()
    except EditConflict as exc:
        dbs.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.service_edit", service_id=service_id))
    except EditError as exc:
        dbs.rollback()
        return _render_form(service=_service_or_404(service_id), values=values, errors=exc.errors,
                            version=request.form.get("version", ""), status=400)
    if changed:
        flash("Saved. Changed: " + ", ".join(LABELS[k].lower() for k in changed) + ".", "success")
    else:
        flash("Nothing was changed.", "info")
    return redirect(url_for("staff.service_edit", service_id=service_id))


def _act(service_id: str, action: Callable[[Service], Any], success: str) -> Any:
    """Run one flag action in one transaction; a refusal becomes a message on the edit page, never a 500."""
    service = _service_or_404(service_id)
    dbs = db.session()
    try:
        changed = action(service)
        dbs.commit()
    except EditError as exc:
        dbs.rollback()
        flash(str(exc), "error")
    else:
        if changed == []:
            flash("Nothing was changed.", "info")
        else:
            flash(success, "success")
    return redirect(url_for("staff.service_edit", service_id=service_id) + "#flags")


def _yes_no(name: str) -> bool | None:
    return {"yes": True, "no": False}.get(request.form.get(name, ""))


@bp.post("/services/<service_id>/closed")
@permission("edit_directory")
def service_closed(service_id: str):
    closed = _yes_no("closed")
    if closed is None:
        abort(400)
    return _act(service_id, lambda s: set_flags(db.session(), s, temporarily_closed=closed, actor=me(),
                                                expected_version=_version()),
                "Marked as temporarily closed. It no longer appears in searches." if closed else
                "Reopened. It appears in searches again.")


@bp.post("/services/<service_id>/stale")
@permission("edit_directory")
def service_stale(service_id: str):
    stale = _yes_no("stale")
    if stale is None:
        abort(400)
    return _act(service_id, lambda s: set_flags(db.session(), s, stale=stale, actor=me(),
                                                expected_version=_version()),
                "Marked as stale: its details need checking." if stale else "No longer marked as stale.")


@bp.post("/services/<service_id>/checked")
@permission("edit_directory")
def service_checked(service_id: str):
    return _act(service_id, lambda s: mark_checked(db.session(), s, actor=me(), expected_version=_version()),
                "Marked as checked today.")
