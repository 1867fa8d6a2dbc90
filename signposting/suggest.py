"""The one signposting function: from what a family or referrer is worried about, a child's age and a
postcode, the best few services. Used by the journeys' confirmation pages and by the bot, where each
suggestion must fit in one SMS segment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from signposting.models import Attribute, Service, TaxonomyTerm
from signposting.search import Hit, Query, SearchError, expand_categories, search

SMS_SEGMENT = 160
# Which directory categories answer each worry the referral schema names (forms.referral).
CATEGORY_TERMS: dict[str, tuple[str, ...]] = {
    "domestic_abuse": ("Domestic abuse",),
    "relationships": ("Reducing parental conflict", "Separating and separated parent support"),
    "parenting": ("Parenting support",),
    "family_stress": ("Money, benefits and housing", "Debt and welfare advice"),
    "parent_mental_health": ("Mental health, social and emotional support",
                             "Perinatal mental health support (pregnancy to one year post birth)"),
    "self_harm": ("Mental health, social and emotional support",),
    "substance_misuse": ("Substance misuse (including alcohol and drug)",),
    "disability": ("Learning difficulties and disabilities", "Groups for parents and carers of children with SEND",
                   "Breaks and respite"),
    "school_attendance": ("Parenting support", "Targeted youth support"),
    "criminal_exploitation": ("Targeted youth support", "Youth justice services"),
    "missing": ("Targeted youth support",),
    "neglect": ("Parenting support", "Intensive targeted family support"),
}
FALLBACK_TERMS = ("Parenting support",)


@dataclass(frozen=True)
class Suggestion:
    service_id: str
    name: str
    contact: str  # a phone number, or a web address
    distance: float | None

    @property
    def sms(self) -> str:
        """One line that fits one SMS segment: name, how to reach it, and how far."""
        where = f" ({self.distance:g} mi)" if self.distance is not None else ""
        tail = f": {self.contact}{where}"
        name = self.name.replace(" (demo)", "")
        room = SMS_SEGMENT - len(tail)
        if len(name) > room:
            name = name[: max(room - 3, 0)].rstrip() + "..."  # GSM-7: "…" would make it a 70-character SMS
        return f"{name}{tail}"


def _terms_for(session: Session, categories: list[str]) -> tuple[str, ...]:
    names = {n for c in categories for n in CATEGORY_TERMS.get(c, ())} or set(FALLBACK_TERMS)
    return tuple(session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.name.in_(names))).all())


def _contact(service: Service) -> str:
    phones = service.record.get("phones") or []
    if phones and phones[0].get("number"):
        return str(phones[0]["number"])
    return str(service.record.get("url") or service.record.get("email") or "")


def suggest(session: Session, *, categories: list[str], age: int | None, postcode: str | None,
            limit: int = 3) -> list[Suggestion]:
    """Nearby services first (within 5 miles, then 10), then phone and online ones. Never raises on a bad
    postcode: signposting is a courtesy, and must not break the page it is on."""
    terms = _terms_for(session, categories)
    if not terms:
        return []
    age = age if age is not None and 0 <= age <= 120 else None
    # A refuge or a domestic abuse service only for a worry about domestic abuse (issue 12): a service can sit in
    # several categories (a refuge's housing help), and suggesting one to a family who never mentioned abuse is
    # wrong for them, and on a shared phone could be read by the person it is about. Left out before counting, so
    # the search still widens to 10 miles when they filled the nearest results.
    abuse = set() if "domestic_abuse" in categories else \
        expand_categories(session, _terms_for(session, ["domestic_abuse"]))
    abuse_services = set(session.scalars(select(Attribute.service_id).where(
        Attribute.taxonomy_term_id.in_(abuse)))) if abuse else set()

    def fitting(found: list[Hit]) -> list[Hit]:
        return [h for h in found if h.service.id not in abuse_services and _contact(h.service)]

    hits: list[Hit] = []
    remote_only = Query(categories=terms, age=age, delivery="remote", per_page=20)
    if not postcode:  # without a place, never offer a group in another town: phone and online only
        hits = fitting(search(session, remote_only).nearby)
    else:
        for radius in (5, 10):
            try:
                results = search(session, Query(postcode=postcode, radius=radius, categories=terms, age=age,
                                                per_page=20))
            except SearchError:
                hits = fitting(search(session, remote_only).nearby)
                break
            nearby = fitting(results.nearby)
            hits = nearby + fitting(results.remote)
            if len(nearby) >= limit:
                break
    reachable = hits
    return [Suggestion(h.service.id, h.service.name, _contact(h.service), h.distance) for h in reachable[:limit]]
