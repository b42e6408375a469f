"""Find worker counts per township that reproduce seed 000's printed share scores.

The printed scorecard fixes, per township, three shares of its grid workers (达标网格员 to 2
decimals, 隐患排查 to 1 decimal, 网格巡查 to 2 decimals; see docs/scoring.md for why those
decimals) and the district fixes their sums: 1372 workers, 1305 meeting the 20-event quota
(67 short), 1112 meeting the patrol quota (260 short). This script searches, by dynamic
programming over (workers, short of the event quota, short of the patrol quota), the allocation
closest to the populations' proportions that meets all of it with at least `min_workers` per
township, then picks hazard-compliant counts so that 通洲办, 城北办 and 姚圩镇 hold 70 % of the
workers short of the hazard quota (二.四) and 城北办 holds the most short of the event quota (二.三).

It prints the counts as YAML for include/config/demo/yushui.yml. It is a development tool, run
once; the generator only reads its output.

    python tools/calibrate_yushui.py
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKERS, SHORT_EVENTS, SHORT_PATROL = 1372, 67, 260
# townships whose timeliness score is below full need enough events (>= ~1200) for the
# 1-decimal score window to contain an integer overdue count
BIG = {"珠珊镇", "城南办", "新钢办", "新溪乡", "姚圩镇", "下村镇", "袁河办", "城北办", "仙来办", "通洲办"}


def half_up(x: Fraction, decimals: int) -> Fraction:
    scale = 10 ** decimals
    return Fraction(int(x * scale + Fraction(1, 2)), scale)


def counts_for(n: int, weight: int, printed: float, decimals: int) -> list[int]:
    target = Fraction(str(printed))
    return [k for k in range(n + 1) if half_up(Fraction(weight * k, n), decimals) == target]


def options(row: dict, n0: int, spread: int, min_workers: int) -> list[tuple[int, int, int, float]]:
    scores = dict(zip(COLUMNS, row["scores"]))
    lo = max(min_workers, n0 - spread, 35 if row["township"] in BIG else 0)
    found = []
    for n in range(lo, n0 + spread + 1):
        for a in counts_for(n, 5, scores["达标网格员"], 2):
            for p in counts_for(n, 10, scores["网格巡查"], 2):
                if counts_for(n, 10, scores["隐患排查"], 1):
                    found.append((n, n - a, n - p, abs(n - n0) / n0))
    return found


def solve(rows: list[dict], targets: list[int], spread: int = 120, min_workers: int = 20) -> list[tuple[int, int, int]]:
    shape = (WORKERS + 1, SHORT_EVENTS + 1, SHORT_PATROL + 1)
    cost = np.full(shape, np.inf, dtype=np.float32)
    cost[0, 0, 0] = 0
    layers, opts = [], []
    for row, n0 in zip(rows, targets):
        choice = options(row, n0, spread, min_workers)
        new = np.full(shape, np.inf, dtype=np.float32)
        for n, a, p, c in choice:
            src = cost[: shape[0] - n, : shape[1] - a, : shape[2] - p] + c
            dst = new[n:, a:, p:]
            np.minimum(dst, src, out=dst)
        layers.append(cost)
        opts.append(choice)
        cost = new
    if not np.isfinite(cost[WORKERS, SHORT_EVENTS, SHORT_PATROL]):
        raise SystemExit("no allocation within the spread; widen it")
    picked, state, before_cost = [], (WORKERS, SHORT_EVENTS, SHORT_PATROL), None
    for before, choice in zip(reversed(layers), reversed(opts)):
        total = cost[state] if not picked else before_cost
        for n, a, p, c in choice:
            prev = (state[0] - n, state[1] - a, state[2] - p)
            if min(prev) >= 0 and np.isclose(before[prev] + c, total, atol=1e-5):
                picked.append((n, a, p))
                state, before_cost = prev, before[prev]
                break
        else:
            raise SystemExit("backtracking failed")
    return list(reversed(picked))


def hazard_counts(rows: list[dict], workers: list[int]) -> list[int]:
    """Workers short of the hazard quota per township: the fewest the printed score allows, then
    raised in 通洲办, 城北办, 姚圩镇 until they hold 70 % of the district's."""
    shorts = []
    for row, n in zip(rows, workers):
        printed = dict(zip(COLUMNS, row["scores"]))["隐患排查"]
        shorts.append(sorted(n - h for h in counts_for(n, 10, printed, 1)))
    chosen = [s[0] for s in shorts]
    named = [i for i, r in enumerate(rows) if r["township"] in ("通洲办", "城北办", "姚圩镇")]
    best = None
    for a in shorts[named[0]]:
        for b in shorts[named[1]]:
            for c in shorts[named[2]]:
                trial = list(chosen)
                trial[named[0]], trial[named[1]], trial[named[2]] = a, b, c
                share = (a + b + c) / sum(trial)
                if best is None or abs(share - 0.70) < abs(best[0] - 0.70):
                    best = (share, trial)
    return best[1]


if __name__ == "__main__":
    printed = yaml.safe_load((ROOT / "tests/fixtures/seed_000_scorecard.yml").read_text(encoding="utf-8"))
    COLUMNS = printed["columns"]
    spec = yaml.safe_load((ROOT / "include/config/demo/yushui.yml").read_text(encoding="utf-8"))
    by_name = {t["name"]: t for t in spec["townships"]}
    rows = printed["rows"]
    population = sum(by_name[r["township"]]["population"] for r in rows)
    targets = [round(WORKERS * by_name[r["township"]]["population"] / population) for r in rows]
    picked = solve(rows, targets)
    short_hazard = hazard_counts(rows, [n for n, _, _ in picked])
    for row, (n, a, p), h in zip(rows, picked, short_hazard):
        print(f"  {row['township']}: {{workers: {n}, short_of_event_quota: {a}, short_of_hazard_quota: {h}, short_of_patrol_quota: {p}}}")
    print("sum workers", sum(n for n, _, _ in picked), "short events", sum(a for _, a, _ in picked),
          "short patrol", sum(p for _, _, p in picked), "short hazard", sum(short_hazard))
