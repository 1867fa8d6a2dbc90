"""Walk every route: each staff route has a declared permission, and nobody gets in without signing in."""

import re

from portal.staff import OPEN, PERMISSION_ATTR

OPEN_ENDPOINTS = {"staff.sign_in", "staff.verify", "staff.login"}  # login only redirects to sign_in


def _fill(rule: str) -> str:
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule)


def test_every_staff_route_declares_a_permission(app):
    staff_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]
    assert len(staff_rules) > 10
    for rule in staff_rules:
        needed = getattr(app.view_functions[rule.endpoint], PERMISSION_ATTR, None)
        assert needed is not None, f"{rule.rule} has no permission"
        assert (needed == OPEN) == (rule.endpoint in OPEN_ENDPOINTS), rule.rule


def test_no_staff_route_answers_anyone_not_signed_in(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or rule.endpoint in OPEN_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_fill(rule.rule), method=method)
            assert response.status_code == 302 and "/staff/sign-in" in response.location, (method, rule.rule)


def test_a_route_without_a_permission_is_refused(app, db_session):
    from tests.staff_support import create_staff, sign_in

    # A view registered on the blueprint with no declaration at all: the guard must refuse it.
    app.add_url_rule("/staff/forgotten", "staff.forgotten", lambda: "secret")
    user, secret = create_staff(db_session, role="manager")
    client = app.test_client()
    sign_in(client, user, secret)
    assert client.get("/staff/forgotten").status_code == 403
