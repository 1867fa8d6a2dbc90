"""The web journeys, generated from the referral schema: one blueprint per journey, the same views for both.

Every answer is saved to the server-side draft as soon as its page is valid (post/redirect/get), so the back
button, a validation error or a timed-out session never loses work. The last step goes through
`mash.intake.receive_referral`, the one way into the queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import phonenumbers
from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from forms.drafts import Draft, load_draft, save_answers, start_draft
from forms.referral import CONCERN, HELP, REPORT, TODAY, is_urgent, safe_contact_words, written_parts
from forms.schema import ITEM_KEY, Field, Group, Journey, Page, Problem, Step, item_key
from mash.attachments import attach_to_contact, discard_draft_rows
from mash.clock import describe_due
from mash.intake import DuplicateSubmission, find_by_idempotency_key, receive_referral
from mash.models import Contact
from mash.receipts import queue_receipt
from mash.safety import screen_each
from portal import db
from portal.config import settings, working_calendar
from portal.extensions import limiter
from portal.finder import confirmation_suggestions

CHANGING: dict[str, Any] = {"return": "check"}  # a change from the check page goes back there
# What a page refused, kept in the (encrypted) draft between the POST and the GET that shows it: errors are shown
# by redirect-after-POST, so the browser's Back button never offers to send a form again.
REJECTED = "_rejected"
MAX_REJECTED_TEXT = 10_000

JOURNEYS: dict[str, Journey] = {"report": REPORT, "help": HELP}


def blueprints() -> list[Blueprint]:
    return [_blueprint(journey) for journey in JOURNEYS.values()]


def _page_limit() -> str:
    return settings().page_rate_limit


def _submit_limit() -> str:
    return settings().submit_rate_limit


def _blueprint(journey: Journey) -> Blueprint:
    bp = Blueprint(journey.name, __name__, url_prefix=f"/{journey.name}")
    ctx = _JourneyViews(journey)
    bp.add_url_rule("/", "start", ctx.start, methods=["GET"])
    bp.add_url_rule("/begin", "begin", limiter.limit(_page_limit)(ctx.begin), methods=["POST"])
    bp.add_url_rule("/check", "check", limiter.limit(_submit_limit, methods=["POST"])(ctx.check),
                    methods=["GET", "POST"])
    bp.add_url_rule("/confirmation", "confirmation", ctx.confirmation, methods=["GET"])
    bp.add_url_rule("/stop/<slug>", "stop", ctx.stop, methods=["GET"])
    bp.add_url_rule("/ring-now", "ring_now", ctx.ring_now, methods=["GET"])
    bp.add_app_template_global(safe_contact_words, "safe_contact_words")
    item_view = limiter.limit(_page_limit, methods=["POST"])(ctx.item)
    item_view.recovers_from_csrf = True  # type: ignore[attr-defined]
    bp.add_url_rule("/<slug>/<int:index>", "item", item_view, methods=["GET", "POST"])
    bp.add_url_rule("/<slug>/<int:index>/remove", "remove", ctx.remove, methods=["GET", "POST"])
    page_view = limiter.limit(_page_limit, methods=["POST"])(ctx.page)
    page_view.recovers_from_csrf = True  # type: ignore[attr-defined]
    bp.add_url_rule("/<slug>", "page", page_view, methods=["GET", "POST"])
    return bp


def _draft_ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings().draft_ttl_hours)


def raw_from_form(page: Page, form: MultiDict) -> dict[str, Any]:
    """What the browser sent, in the shape `Field.clean` takes."""
    raw: dict[str, Any] = {}
    for field in page.fields:
        if field.kind == "checkboxes":
            raw[field.name] = form.getlist(field.name)
        elif field.kind == "date":
            raw[field.name] = {part: form.get(f"{field.name}-{part}", "") for part in ("day", "month", "year")}
        else:
            raw[field.name] = form.get(field.name)
    return raw


def display_values(page: Page, stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers as the form shows them (a date back into day, month and year, a phone number as people
    write it)."""
    shown: dict[str, Any] = {}
    for field in page.fields:
        value = stored.get(field.name)
        if field.kind == "date" and isinstance(value, str):
            day = dt.date.fromisoformat(value)
            shown[field.name] = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
        elif field.kind == "phone" and isinstance(value, str) and value:
            try:  # "07700 900456" as people write it, not the stored "+447700900456"
                shown[field.name] = field.label_for(value)
            except phonenumbers.NumberParseException:
                shown[field.name] = value
        else:
            shown[field.name] = value
    return shown


class _JourneyViews:
    def __init__(self, journey: Journey) -> None:
        self.journey = journey

    # --- draft plumbing -------------------------------------------------------------------------------------
    @property
    def _session_key(self) -> str:
        return f"draft:{self.journey.name}"

    def _draft(self) -> Draft | None:
        return load_draft(db.session(), session.get(self._session_key), self.journey.name)

    def _draft_or_new(self) -> Draft:
        draft = self._draft()
        if draft is None or draft.submitted_reference:
            draft = start_draft(db.session(), self.journey.name, ttl=_draft_ttl())
            # A browser-session cookie: answers survive time-outs and the back button while the browser is open,
            # but a shared family computer does not offer them to the next person after it is closed.
            session[self._session_key] = draft.id
        return draft

    def _save(self, draft: Draft, answers: dict[str, Any]) -> None:
        save_answers(draft, {k: v for k, v in answers.items() if k != REJECTED}, ttl=_draft_ttl())
        db.session().commit()

    def _here(self) -> str:
        return request.path + (f"?{request.query_string.decode()}" if request.query_string else "")

    def _reject(self, raw: Mapping[str, Any], problems: list[Problem]):
        """Post/redirect/get for a page with errors: what was typed and what was wrong wait in the draft for the
        GETs of the same address, which show them until an answer is saved."""
        draft = self._draft_or_new()
        kept = {"at": self._here(), "raw": _bounded(raw),
                "problems": [[p.field, p.message] for p in problems]}
        save_answers(draft, {**draft.answers, REJECTED: kept}, ttl=_draft_ttl())
        db.session().commit()
        return redirect(self._here(), code=303)

    def _take_rejected(self, draft: Draft | None, page_slug: str) -> tuple[dict[str, Any], list[Problem]] | None:
        """What the last POST to this address refused. It stays until an answer is saved or another POST is refused,
        so a reload, or Back and Forward, shows the same errors and everything typed (the probe found a reload
        wiped the child page, its "born" answer included, so the fields it reveals were hidden again)."""
        if draft is None or REJECTED not in draft.answers:
            return None
        kept = draft.answers[REJECTED]
        if not isinstance(kept, dict) or kept.get("at") != self._here():
            return None
        problems = [Problem(page_slug, str(f), str(m)) for f, m in kept.get("problems") or []]
        return dict(kept.get("raw") or {}), problems

    def _url(self, step: Step | None, answers: Mapping[str, Any], *, changing: bool = False) -> str:
        """The address of a step; `changing` keeps a person who came from the check page going back there."""
        name = self.journey.name
        if step is None:
            return url_for(f"{name}.check")
        args: dict[str, Any] = {"return": "check"} if changing else {}
        if isinstance(step, Group) and not answers.get(step.name):
            return url_for(f"{name}.item", slug=step.slug, index=1, **args)
        return url_for(f"{name}.page", slug=step.slug, **args)

    def _after(self, slug: str, answers: Mapping[str, Any], *, urgent_checked: bool = False) -> str:
        """Where to go once a step is answered: back to the check page when changing, else onwards. An urgent
        answer first shows the numbers to ring now."""
        if slug == TODAY.slug and not urgent_checked and is_urgent(answers):
            args: dict[str, Any] = request.args.to_dict()
            return url_for(f"{self.journey.name}.ring_now", **args)
        if request.args.get("return") == "check":
            return self._url(self.journey.first_unanswered(answers), answers, changing=True)
        if slug == CONCERN.slug and self.journey is REPORT and answers.get("referrer_type") == "professional":
            # A body map or documents belong with what happened: the upload page is the next step, skippable.
            return url_for("attachments.upload")
        if slug == self.journey.steps[0].slug:  # past the danger question, carry on where they left off
            return self._url(self.journey.first_unanswered(answers), answers)
        return self._url(self.journey.next_step(answers, slug), answers)

    def _back(self, slug: str | None, answers: Mapping[str, Any]) -> str:
        """The Back link: the check page when changing an answer from it, else the step before this one (the
        start page before the first question)."""
        if request.args.get("return") == "check":
            return url_for(f"{self.journey.name}.check")
        steps = self.journey.applicable_steps(answers)
        slugs = [s.slug for s in steps]
        if slug is None:  # the check page: the last question
            return self._url(steps[-1], answers) if steps else url_for(f"{self.journey.name}.start")
        if slug not in slugs or slugs.index(slug) == 0:
            return url_for(f"{self.journey.name}.start")
        if slug == TODAY.slug and self.journey is REPORT and answers.get("referrer_type") == "professional":
            return url_for("attachments.upload")  # the upload step comes between the concern and today
        previous = steps[slugs.index(slug) - 1]
        if isinstance(previous, Group):
            return url_for(f"{self.journey.name}.page", slug=previous.slug)
        return self._url(previous, answers)

    # --- views ----------------------------------------------------------------------------------------------
    def start(self):
        draft = self._draft()
        saved = draft is not None and any(not k.startswith("_") for k in draft.answers)
        return render_template(f"{self.journey.name}/start.html", journey=self.journey,
                               resume=bool(saved and draft and not draft.submitted_reference))

    def begin(self):
        if request.form.get("fresh") == "yes":
            old = self._draft()
            if old is not None and not old.submitted_reference:
                db.session().delete(old)  # "start again" really forgets what was typed
            session.pop(self._session_key, None)
        db.session().commit()
        # Always the danger question first, even when carrying on: the answer may have changed since.
        return redirect(self._url(self.journey.steps[0], {}))

    def page(self, slug: str):
        step = self.journey.step(slug)
        if step is None:
            abort(404)
        if isinstance(step, Group):
            return self._group_summary(step)
        draft = self._draft()
        answers = draft.answers if draft else {}
        if not step.applies(answers):
            return redirect(self._after(slug, answers))
        if request.method == "GET":
            rejected = self._take_rejected(draft, step.slug)
            if rejected is not None:
                return self._render_page(step, *rejected)
            # An answer naming someone since removed from a list is said so, not silently dropped.
            return self._render_page(step, display_values(step, answers), step.stale(answers))
        raw = raw_from_form(step, request.form)
        if g.get("csrf_failed"):
            return self._render_page(step, raw, [], timed_out=True), 400
        values, problems = step.clean(raw, answers, run_checks=False)
        if problems:
            return self._reject(raw, problems)
        if step.stops_when and step.stops_when.holds(values):
            if step is self.journey.steps[0]:
                # Nothing is submitted, and an earlier "no" must not let the draft be sent later.
                if draft is not None and step.stops_when.field in draft.answers:
                    self._save(draft, {k: v for k, v in draft.answers.items() if k != step.stops_when.field})
                return redirect(url_for("pages.emergency"))
            draft = self._draft_or_new()
            self._save(draft, _merge(draft.answers, step, values))
            return redirect(url_for(f"{self.journey.name}.stop", slug=slug))
        _, problems = step.clean(raw, answers)
        if problems:
            return self._reject(raw, problems)
        draft = self._draft_or_new()
        merged = _merge(draft.answers, step, values)
        self._save(draft, merged)
        return redirect(self._after(slug, merged))

    def item(self, slug: str, index: int):
        group = self.journey.step(slug)
        if not isinstance(group, Group):
            abort(404)
        draft = self._draft()
        answers = draft.answers if draft else {}
        items = list(answers.get(group.name) or [])
        if index < 1 or index > min(len(items) + 1, group.max_items):
            return redirect(self._url(group, answers))
        page = group.item_page
        current = items[index - 1] if index <= len(items) else {}
        if request.method == "GET":
            rejected = self._take_rejected(draft, page.slug)
            if rejected is not None:
                return self._render_page(page, *rejected, group=group, index=index)
            return self._render_page(page, display_values(page, current), [], group=group, index=index)
        raw = raw_from_form(page, request.form)
        if g.get("csrf_failed"):
            return self._render_page(page, raw, [], group=group, index=index, timed_out=True), 400
        values, problems = page.clean(raw, answers)
        if problems:
            return self._reject(raw, problems)
        draft = self._draft_or_new()
        items, keys = _pinned(group, list(draft.answers.get(group.name) or []), draft.answers)
        if group.keyed:  # an item keeps its key when changed; a new one gets a key never used in this draft
            if index <= len(items):
                values[ITEM_KEY] = item_key(items[index - 1], index - 1)
            else:
                counter = f"_keys:{group.name}"
                issued = max([int(k) for k in (item_key(item, i) for i, item in enumerate(items)) if k.isdigit()]
                             + [int(draft.answers.get(counter) or 0)])
                values[ITEM_KEY] = keys[counter] = str(issued + 1)
        if index <= len(items):
            items[index - 1] = values
        else:
            items.append(values)
        merged = {**draft.answers, **keys, group.name: items}
        self._save(draft, merged)
        if request.args.get("return") == "check":
            return redirect(self._after(slug, merged))
        return redirect(url_for(f"{self.journey.name}.page", slug=slug))

    def remove(self, slug: str, index: int):
        group = self.journey.step(slug)
        if not isinstance(group, Group):
            abort(404)
        draft = self._draft()
        items = list((draft.answers if draft else {}).get(group.name) or [])
        if draft is None or not 1 <= index <= len(items):
            return redirect(url_for(f"{self.journey.name}.page", slug=slug))
        name = group.describe(items[index - 1]) or f"{group.noun} {index}"
        if request.method == "GET":
            key = item_key(items[index - 1], index - 1)
            chosen = [f.label for page in self.journey.pages() for f in page.fields
                      if f.choices_from and f.choices_from.group == group.name and draft.answers.get(f.name) == key
                      and page.applies(draft.answers)]
            return render_template("remove.html", journey=self.journey, group=group, index=index, name=name,
                                   chosen=chosen)
        if request.form.get("confirm") == "yes":
            items, keys = _pinned(group, items, draft.answers)
            del items[index - 1]
            self._save(draft, {**draft.answers, **keys, group.name: items})
        return redirect(url_for(f"{self.journey.name}.page", slug=slug))

    def _group_summary(self, group: Group):
        draft = self._draft()
        answers = draft.answers if draft else {}
        items = answers.get(group.name) or []
        if not items:
            return redirect(url_for(f"{self.journey.name}.item", slug=group.slug, index=1))
        problems: list[Problem] = []
        if request.method == "POST" and g.get("csrf_failed"):
            problems = [Problem(group.slug, "add_another", "This page was open for a long time. Choose again")]
        elif request.method == "POST":
            choice = request.form.get("add_another")
            if choice in ("yes", "no") and draft is not None and REJECTED in draft.answers:
                self._save(draft, dict(draft.answers))  # answered: an earlier refusal is no longer shown
            if choice == "yes" and len(items) < group.max_items:
                return redirect(url_for(f"{self.journey.name}.item", slug=group.slug, index=len(items) + 1))
            if choice == "no" or (choice == "yes" and len(items) >= group.max_items):
                return redirect(self._after(group.slug, answers))
            return self._reject({}, [Problem(group.slug, "add_another",
                                             f"Select yes if you want to add another {group.noun}")])
        else:
            rejected = self._take_rejected(draft, group.slug)
            problems = rejected[1] if rejected is not None else []
        return render_template("group.html", journey=self.journey, group=group, items=items, problems=problems,
                               at_limit=len(items) >= group.max_items,
                               back=self._back(group.slug, answers)), (400 if g.get("csrf_failed") else 200)

    def check(self):
        draft = self._draft()
        if draft is not None and draft.submitted_reference:
            # A double-click: the second request shows the same confirmation as the first.
            session[f"submitted:{self.journey.name}"] = draft.submitted_reference
            return redirect(url_for(f"{self.journey.name}.confirmation"))
        if draft is None or not draft.answers:
            return redirect(url_for(f"{self.journey.name}.start"))
        missing = self.journey.first_unanswered(draft.answers)
        if missing is not None:
            return redirect(self._url(missing, draft.answers, changing=True))  # then back here, not onwards
        referral, problems = self.journey.validate(draft.answers)
        step = self.journey.step(problems[0].page) if problems else None
        if step is not None:  # a rule across pages failed: send them to the page it names
            return redirect(self._url(step, draft.answers, changing=True))
        if referral is None or request.method == "GET":
            shown = [(p.field, p.message, "main-content") for p in problems]
            return render_template("check.html", journey=self.journey, sections=self._summary(draft.answers),
                                   problems=shown, back=self._back(None, draft.answers),
                                   urgent=is_urgent(draft.answers)), (400 if problems else 200)
        return self._submit(draft, referral)

    def _submit(self, draft: Draft, referral):
        dbs = db.session()
        key = draft.idempotency_key
        try:
            # The same deterministic danger screen as every other channel, over everything written in words:
            # danger now says call 999 on the confirmation page; check now only tells staff (red, with its reason).
            answers = referral.answers
            screening = screen_each(written_parts(self.journey, answers), professional_says_no_danger=(
                answers.get("referrer_type") == "professional" and answers.get("immediate_danger") == "no"))
            contact = receive_referral(dbs, referral, channel="web", actor=f"public:web:{self.journey.name}",
                                       idempotency_key=key, calendar=working_calendar(),
                                       danger=screening.categories, check_now=screening.check_categories)
            # Issue 16: the draft's files and the referrer's receipt, in the contact's own transaction.
            if answers.get("referrer_type") == "professional":
                attach_to_contact(dbs, draft.id, contact, actor=f"public:web:{self.journey.name}")
            else:  # added as a professional, then changed: files they can no longer see or remove are not sent
                discard_draft_rows(dbs, draft.id)
            queue_receipt(dbs, contact)
            draft.submitted_reference = contact.reference
            draft.answers = {}  # the contact now holds them; keep no second copy
            dbs.commit()
        except (DuplicateSubmission, IntegrityError):
            dbs.rollback()  # a double-click raced us: the other request stored it
            stored = find_by_idempotency_key(dbs, key)
            if stored is None:
                raise
            contact = stored
        session[f"submitted:{self.journey.name}"] = contact.reference
        session.pop(self._session_key, None)
        return redirect(url_for(f"{self.journey.name}.confirmation"))

    def confirmation(self):
        reference = session.get(f"submitted:{self.journey.name}")
        if not reference:
            return redirect(url_for(f"{self.journey.name}.start"))
        contact = db.session().query(Contact).filter_by(reference=reference).one_or_none()
        if contact is None:
            abort(404)
        calendar = working_calendar()
        feedback_due = calendar.add_working_days(contact.decision_due_at, settings().feedback_working_days)
        suggestions = []
        if may_suggest_services(contact):
            try:  # signposting is a courtesy: it must never break the confirmation page
                suggestions = confirmation_suggestions(db.session(), contact)
            except Exception:
                db.session().rollback()
                suggestions = []
        answers = contact.answers or {}
        return render_template(f"{self.journey.name}/confirmation.html", journey=self.journey, contact=contact,
                               decision_due=describe_due(contact.decision_due_at, calendar),
                               feedback_due=describe_due(feedback_due, calendar), suggestions=suggestions,
                               danger_now=any(f.startswith("danger_now:") for f in contact.safety_flags),
                               urgent=is_urgent(answers), answers=answers,
                               office_open=calendar.is_office_hours(dt.datetime.now(dt.UTC)))

    def stop(self, slug: str):
        step = self.journey.step(slug)
        if not isinstance(step, Page) or step.stops_when is None:
            abort(404)
        if step is self.journey.steps[0]:
            return redirect(url_for("pages.emergency"))
        return render_template(f"{self.journey.name}/stop-{slug}.html", journey=self.journey, step=step)

    def ring_now(self):
        """After an answer that says the child is not safe to go home, or that something must happen today: the
        numbers to ring now. The referral can still be sent, and it will be red."""
        draft = self._draft()
        answers = draft.answers if draft else {}
        if not is_urgent(answers):
            return redirect(self._url(self.journey.first_unanswered(answers), answers))
        calendar = working_calendar()
        return render_template("ring_now.html", journey=self.journey,
                               office_open=calendar.is_office_hours(dt.datetime.now(dt.UTC)),
                               next_url=self._after(TODAY.slug, answers, urgent_checked=True),
                               back=self._url(TODAY, answers, changing=request.args.get("return") == "check"))

    def _context(self) -> dict[str, Any]:
        draft = self._draft()
        return dict(draft.answers) if draft else {}

    # --- rendering ------------------------------------------------------------------------------------------
    def _render_page(self, page: Page, values: Mapping[str, Any], problems: list[Problem], *,
                     group: Group | None = None, index: int | None = None, timed_out: bool = False):
        errors = {p.field: p.message for p in problems}
        if group is not None and index and index > 1 and request.args.get("return") != "check":
            back = url_for(f"{self.journey.name}.page", slug=group.slug)
        else:
            back = self._back(group.slug if group is not None else page.slug, self._context())
        page = page.resolve(self._context())  # choices built from earlier answers (the household's people)
        title = page.title
        if group is not None and index and index > 1:
            title = f"{page.title} ({group.noun} {index})"
        context = self._context()
        return render_template("question.html", journey=self.journey, page=page, values=values, errors=errors,
                               problems=[(p.field, p.message, _anchor(page, p.field)) for p in problems],
                               title=title, back=back, group=group, index=index, timed_out=timed_out,
                               layout=_layout(page, context),
                               required={f.name for f in page.fields if f.is_required(context)})

    def _summary(self, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Check-your-answers sections: each applicable step, its answered fields and a change link."""
        sections = []
        for step in self.journey.applicable_steps(answers):
            if isinstance(step, Group):
                items = []
                for i, item in enumerate(answers.get(step.name) or [], start=1):
                    rows = answer_rows(step.item_page, item, {**answers, **item})
                    items.append({"title": step.describe(item) or f"{step.noun.capitalize()} {i}", "rows": rows,
                                  "change": url_for(f"{self.journey.name}.item", slug=step.slug, index=i,
                                                    **CHANGING),
                                  "remove": url_for(f"{self.journey.name}.remove", slug=step.slug, index=i)})
                sections.append({"title": step.title, "entries": items,
                                 "add": url_for(f"{self.journey.name}.page", slug=step.slug)})
            elif step is not self.journey.steps[0]:
                sections.append({"title": step.title, "rows": answer_rows(step, answers, answers),
                                 "change": url_for(f"{self.journey.name}.page", slug=step.slug, **CHANGING)})
        return sections


def answer_rows(page: Page, stored: Mapping[str, Any], context: Mapping[str, Any]) -> list[dict[str, str]]:
    """One page's answered questions as summary rows (the check page, and the referrer's printable copy)."""
    rows = []
    for field in page.resolve(context).fields:
        if not field.applies(context):
            continue
        value = stored.get(field.name)
        rows.append({"key": field.label.rstrip("?") if field.kind != "radios" else field.label,
                     "value": field.label_for(value) if value not in (None, "", []) else "Not given"})
    return rows


def _merge(answers: Mapping[str, Any], page: Page, values: Mapping[str, Any]) -> dict[str, Any]:
    """The page's new answers replace its old ones entirely, so a hidden follow-up does not linger."""
    merged = {k: v for k, v in answers.items() if k not in {f.name for f in page.fields}}
    merged.update(values)
    return merged


def _bounded(raw: Any) -> Any:
    """What was typed, cut to a size the draft can hold (a page refuses anything this long anyway)."""
    if isinstance(raw, str):
        return raw[:MAX_REJECTED_TEXT]
    if isinstance(raw, Mapping):
        return {str(k)[:100]: _bounded(v) for k, v in list(raw.items())[:50]}
    if isinstance(raw, list | tuple):
        return [_bounded(v) for v in list(raw)[:50]]
    return raw if raw is None or isinstance(raw, bool | int | float) else str(raw)[:MAX_REJECTED_TEXT]


def may_suggest_services(contact: Contact) -> bool:
    """Family-facing services only where they cannot tip anyone off: a family's own request for early help, or a
    public report by the family or the young person themselves that is not urgent. Never on a professional's
    referral, nor a neighbour's report about another family (it could warn the person the referral is about)."""
    if any(f.startswith("danger_now:") for f in contact.safety_flags or []):
        return False
    if contact.kind == "early_help":
        return True
    answers = contact.answers or {}
    return (contact.referrer_type == "public" and contact.rag != "red" and not is_urgent(answers)
            and answers.get("referrer_relationship") in ("family", "self"))


def _anchor(page: Page, field_name: str) -> str:
    field = next((f for f in page.fields if f.name == field_name), None)
    if field is not None and field.kind == "date":
        return f"{field_name}-day"
    return field_name


def _layout(page: Page, context: Mapping[str, Any]) -> list[tuple[Field, list[tuple[str, list[Field]]]]]:
    """Which fields render at the top level, and which are revealed under a radio choice on the same page.

    A field that depends on an earlier page's answer is shown only when that answer holds."""
    names = {f.name for f in page.fields}
    reveal: dict[str, dict[str, list[Field]]] = {}
    nested: set[str] = set()
    for f in page.fields:
        cond = f.show_if
        if cond is not None and cond.field in names and len(cond.values) == 1:
            parent = page.field(cond.field)
            if parent.kind == "radios":
                reveal.setdefault(cond.field, {}).setdefault(cond.values[0], []).append(f)
                nested.add(f.name)
    layout = []
    for f in page.fields:
        if f.name in nested:
            continue
        if f.show_if is not None and f.show_if.field not in names and not f.applies(context):
            continue
        layout.append((f, list(reveal.get(f.name, {}).items())))
    return layout


def _pinned(group: Group, items: list[Any], answers: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """A keyed group's items, each with its key written in, and the draft's key counter past every key: before any
    change or removal. An item saved before the group had keys is known by its position, which a removal would hand
    to the next person, so a choice made of it (who may harm the child) would silently point at someone else."""
    if not group.keyed:
        return items, {}
    pinned = [item if item.get(ITEM_KEY) == item_key(item, i) else {**item, ITEM_KEY: item_key(item, i)}
              for i, item in enumerate(items)]
    counter = f"_keys:{group.name}"
    issued = max([int(item[ITEM_KEY]) for item in pinned if str(item[ITEM_KEY]).isdigit()]
                 + [int(answers.get(counter) or 0)])
    return pinned, {counter: str(issued)}
