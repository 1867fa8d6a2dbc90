"""The borough's towns and villages (and its neighbours' towns that families name), as a lookup: a place name
stands for its outward postcode when signposting, so "any baby groups in Woodley" finds groups near Woodley
without asking for a postcode first (issue 12). Outward codes are what Code-Point Open can place
(signposting.postcodes); a town that spans two takes the one its centre lies in."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Names as people text them (lower case, no punctuation), longest first where one contains another.
PLACES: dict[str, str] = {
    "lower earley": "RG6", "earley": "RG6", "woodley": "RG5", "wokingham": "RG40", "winnersh": "RG41",
    "sindlesham": "RG41", "emmbrook": "RG41", "barkham": "RG41", "arborfield": "RG2", "shinfield": "RG2",
    "spencers wood": "RG7", "three mile cross": "RG7", "swallowfield": "RG7", "riseley": "RG7", "farley hill": "RG7",
    "finchampstead": "RG40", "crowthorne": "RG45", "twyford": "RG10", "wargrave": "RG10", "charvil": "RG10",
    "ruscombe": "RG10", "sonning": "RG4", "remenham": "RG9", "bracknell": "RG12", "sandhurst": "GU47",
}
# Names that are also ordinary words: a place only after "in", "near", "around", "at" or "from".
AMBIGUOUS: dict[str, str] = {"reading": "RG1", "hurst": "RG10"}

_PLAIN = re.compile(r"\b(" + "|".join(sorted(PLACES, key=len, reverse=True)) + r")\b")
_AFTER_A_PREPOSITION = re.compile(r"\b(?:in|near|around|at|from|by) (" + "|".join(AMBIGUOUS) + r")\b")


@dataclass(frozen=True)
class Place:
    name: str  # as the lookup spells it, for saying back ("near Woodley")
    outward: str

    @property
    def title(self) -> str:
        return " ".join(word.capitalize() for word in self.name.split())


def place_in(said: str) -> Place | None:
    """The first of the borough's places a message names ("any groups in woodley"), read from plain words."""
    found = [(m.start(), m.group(1), PLACES[m.group(1)]) for m in _PLAIN.finditer(said)]
    found += [(m.start(1), m.group(1), AMBIGUOUS[m.group(1)]) for m in _AFTER_A_PREPOSITION.finditer(said)]
    if not found:
        return None
    _, name, outward = min(found)
    return Place(name, outward)
