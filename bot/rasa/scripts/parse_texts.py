"""Parse texts with a trained NLU model, in Rasa's own Python, and write what /model/parse would answer.

Usage (from bot/rasa, so Rasa finds frontdoor_nlu.py): python scripts/parse_texts.py MODEL IN.json OUT.json
IN.json is a list of texts; OUT.json maps each text to {"intent": {...}, "entities": [...]}, the shape of
/model/parse. bench/nlu_dev_cv.py uses it to read each held-back fold without starting a server. Prints counts
only, never a text.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

# Rasa's CLI puts its working directory on sys.path, so it finds frontdoor_nlu.py; a script must say so itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def parse_all(model: str, texts: list[str]) -> dict[str, dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    out: dict[str, dict] = {}
    for text in texts:
        body = await agent.parse_message(text)
        out[text] = {"intent": body.get("intent"), "entities": body.get("entities") or []}
    return out


def main() -> int:
    model, source, target = sys.argv[1:4]
    texts = json.loads(Path(source).read_text())
    readings = asyncio.run(parse_all(model, texts))
    Path(target).write_text(json.dumps(readings))
    print(f"parsed {len(readings)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
