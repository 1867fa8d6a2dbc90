"""Importing and exporting the directory as ORUK 3.0: validated per record, idempotent, refuges redacted."""

import json

import pytest
from sqlalchemy import func, select

from signposting.directory import DEMO_DIRECTORY, export_all, import_path, load_demo_directory, schema_errors
from signposting.models import Location, Service


@pytest.fixture
def demo(db_session):
    report = load_demo_directory(db_session)
    assert report.errors == [] and report.created == 224
    return db_session


def services(session):
    return session.scalar(select(func.count()).select_from(Service))


def test_importing_twice_changes_nothing(demo, tmp_path):
    before = export_all(demo)
    report = load_demo_directory(demo)
    assert (report.created, report.updated, report.errors) == (0, 224, [])
    assert export_all(demo) == before


def test_the_export_validates_and_round_trips(demo, tmp_path):
    exported = export_all(demo)
    assert all(schema_errors(s) == [] for s in exported["services"])
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    report = import_path(demo, path)
    assert report.errors == [] and report.updated == 224


def test_a_bad_record_never_stops_the_good_ones(db_session, tmp_path):
    good = json.loads(DEMO_DIRECTORY.read_text())["services"][:3]
    bad = [{"id": "not-a-uuid", "name": 5}, "a string", {"name": "no id, no status"}]
    (tmp_path / "page.json").write_text(json.dumps({"contents": good[:2] + bad}))
    (tmp_path / "one.json").write_text(json.dumps(good[2]))
    (tmp_path / "truncated.json").write_text(json.dumps(good[0])[:200])
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00junk")
    report = import_path(db_session, tmp_path)
    assert report.created == 3
    assert len(report.errors) == 5
    joined = "\n".join(report.errors)
    assert "truncated.json: not valid JSON" in joined and "binary.json: not valid JSON" in joined
    assert "'status' is a required property" in joined and "not a JSON object" in joined


def test_a_missing_path_is_reported(db_session, tmp_path):
    report = import_path(db_session, tmp_path / "nothing-here")
    assert report.errors and report.created == 0


def test_a_refuge_never_stores_its_address_and_stays_put_on_reimport(demo, tmp_path):
    refuge = demo.scalars(select(Location).where(Location.sensitive.is_(True))).first()
    text = json.dumps(refuge.record)
    assert "Broad Street" not in text and "Kestrel House" not in text
    assert refuge.postcode and " " not in refuge.postcode  # the outward code only
    assert refuge.latitude == round(refuge.latitude, 2)
    where = (refuge.latitude, refuge.longitude)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export_all(demo)))
    import_path(demo, path)
    demo.expire_all()
    again = demo.get(Location, refuge.id)
    assert (again.latitude, again.longitude) == where


def test_the_cli_reports_and_exits_non_zero_when_nothing_imports(app, tmp_path):
    from portal.cli import cli

    (tmp_path / "bad.json").write_text("{")
    result = app.test_cli_runner().invoke(cli, ["services", "import", str(tmp_path / "bad.json")])
    assert result.exit_code == 1 and "not valid JSON" in result.output
    result = app.test_cli_runner().invoke(cli, ["services", "import", str(tmp_path / "missing.json")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_a_refuge_flagged_by_term_id_alone_is_still_redacted(demo, tmp_path):
    refuge = next(s for s in json.loads(DEMO_DIRECTORY.read_text())["services"] if s["name"] == "Kestrel Refuge (demo)")
    location = refuge["service_at_locations"][0]["location"]
    for attribute in location["attributes"]:
        attribute.pop("taxonomy_term", None)  # ORUK needs only the id
    location["id"] = "5d0c7d8e-0000-4000-8000-000000000001"
    refuge["service_at_locations"][0]["location_id"] = location["id"]
    refuge["service_at_locations"][0]["id"] = "5d0c7d8e-0000-4000-8000-000000000002"
    refuge["id"] = "5d0c7d8e-0000-4000-8000-000000000003"
    for n, attribute in enumerate(refuge.get("attributes") or []):
        attribute["id"] = f"5d0c7d8e-0000-4000-8000-1000000000{n:02d}"
    path = tmp_path / "refuge.json"
    path.write_text(json.dumps(refuge))
    assert import_path(demo, path).errors == []
    stored = demo.get(Location, location["id"])
    assert stored.sensitive and "Broad Street" not in json.dumps(stored.record)
