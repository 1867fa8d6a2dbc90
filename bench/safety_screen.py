"""How long the danger screen takes per message (it runs first on every message of every channel, before the
database), beside the same screen with the data files of an earlier commit, in the same run, and with the second
net (mash/danger_net.py) behind the rules and without it.

Was a timed test (under 1 ms a typical SMS); on two shared cores that flaked once the screen grew, so it is a
benchmark now, recorded in docs/benchmarks.md.

    .venv/bin/python bench/safety_screen.py [--before REV] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.benchlib import markdown  # noqa: E402
from mash import danger_net  # noqa: E402
from mash.safety import DATA_DIR, screen  # noqa: E402

TYPICAL = ["can you help me find a parenting course", "he's been drinking and he's got the baby",
           "my daughter is home alone after school for 20 minutes, is that legal?", "im scard plz help",
           "I am a teacher reporting a concern about a pupil"]


def data_at(rev: str, into: Path) -> Path:
    names = subprocess.run(["git", "ls-tree", "--name-only", rev, "mash/data/safety/"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in names:
        text = subprocess.run(["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout
        (into / Path(name).name).write_text(text)
    return into


def per_message_ms(messages: list[str], directory: Path, repeat: int = 40, net: bool = True) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for text in messages:
            screen(text, directory=directory, net=net)
    return (time.perf_counter() - started) / (repeat * len(messages)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="da5d0f5", help="the commit whose data files are the baseline")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = data_at(args.before, Path(tmp))
        ways = {f"data at {args.before}, rules alone": (before, False), "data now, rules alone": (DATA_DIR, False),
                "data now, rules and the second net": (DATA_DIR, True)}
        danger_net.load()  # trained once at first use: not part of a message's time
        for directory, net in ways.values():
            per_message_ms(TYPICAL, directory, repeat=2, net=net)  # compile and warm
        results: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):  # alternate, so drift on the machine lands on both
            for name, (directory, net) in ways.items():
                results[name].append(per_message_ms(TYPICAL, directory, net=net))
    rows = [("data files", "typical SMS: best ms/message", "median ms/message")]
    for name, values in results.items():
        rows.append((name, f"{min(values):.3f}", f"{statistics.median(values):.3f}"))
    print("## The danger screen, per message\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
