"""Search across contacts, children, police notifications, missing episodes and conversations (issue 15)."""

from __future__ import annotations

from flask import render_template, request, url_for

from portal import db
from portal.staff import bp, me, permission
from portal.staff.lookup import KIND_WORDS, Hit, read_query, search


def _link(hit: Hit) -> str:
    if hit.kind == "contact":
        return url_for("staff.contact", contact_id=hit.id)
    if hit.kind == "police":
        return url_for("staff.police_notification", notification_id=hit.id)
    if hit.kind == "missing":
        return url_for("staff.missing_episode", episode_id=hit.id)
    return url_for("staff.conversation_page", public_id=hit.id)


@bp.get("/search")
@permission("view_contacts")
def search_page():
    text = (request.args.get("q") or "").strip()
    query = read_query(text) if text else None
    hits: list[Hit] = []
    if query is not None and query.kinds:
        dbs = db.session()
        hits = search(dbs, me(), query)
        dbs.commit()  # the audit event: who searched, for what kinds of thing, how many found
    return render_template("staff/search.html", title="Search", text=text, query=query, hits=hits,
                           rows=[(hit, _link(hit)) for hit in hits],
                           searched=[KIND_WORDS[k] for k in query.kinds] if query else [])
