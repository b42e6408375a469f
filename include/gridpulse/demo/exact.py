"""Draw exactly k members of each group at random: the demo's calibrated counts are exact."""
from __future__ import annotations

import numpy as np
import pandas as pd


def choose_per_group(rng: np.random.Generator, groups: np.ndarray, wanted: dict, eligible: np.ndarray | None = None) -> np.ndarray:
    """A mask that picks wanted[g] eligible members of each group g (all of them if fewer)."""
    mask = np.zeros(len(groups), dtype=bool)
    eligible = np.ones(len(groups), dtype=bool) if eligible is None else eligible
    positions = np.flatnonzero(eligible)
    # each group's eligible positions in ascending order, found in one pass (a province has
    # over a thousand townships and millions of events)
    members = pd.Series(positions).groupby(groups[positions], sort=False).indices
    for group, k in wanted.items():
        pool = positions[members.get(group, np.array([], dtype=int))]
        if k > 0 and len(pool):
            mask[rng.choice(pool, size=min(int(k), len(pool)), replace=False)] = True
    return mask


def choose(rng: np.random.Generator, eligible: np.ndarray, k: int) -> np.ndarray:
    """A mask that picks k of the eligible positions."""
    mask = np.zeros(len(eligible), dtype=bool)
    pool = np.flatnonzero(eligible)
    mask[rng.choice(pool, size=min(int(k), len(pool)), replace=False)] = True
    return mask
