"""Run `rasa test nlu --cross-validation` with the folds drawn from a fixed seed, so a run repeats.

Usage: python scripts/nlu_cv.py SEED [rasa test nlu arguments...]
Rasa 3.6 shuffles the folds with NumPy's global generator and no seed of its own (StratifiedKFold(shuffle=True)),
so seeding that generator first fixes the folds. Try another seed to see how much the figures move.
"""

from __future__ import annotations

import random
import sys

import numpy as np


def main() -> None:
    seed = int(sys.argv[1])
    random.seed(seed)
    np.random.seed(seed)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "test", "nlu", *sys.argv[2:]]
    rasa_main()


if __name__ == "__main__":
    main()
