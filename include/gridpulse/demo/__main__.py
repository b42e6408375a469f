"""python -m gridpulse.demo --period 2022-11 --out data/landing [--seed N] [--scale F] [--district yushui|baiguan]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridpulse.demo.generator import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridpulse.demo", description="Write a demo month of platform export.")
    parser.add_argument("--period", required=True, help="month, e.g. 2022-11")
    parser.add_argument("--out", required=True, type=Path, help="the source folder; the month goes to OUT/<period>/")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same bytes")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the district of seed 000; 10 = a city; 65 = a province")
    parser.add_argument("--district", default="yushui", help="a demo district in include/config/demo/: yushui (seed 000, 2022-11) or baiguan (seed 002, 2021-09)")
    args = parser.parse_args(argv)
    print(generate(args.period, args.out, seed=args.seed, scale=args.scale, district=args.district))
    return 0


if __name__ == "__main__":
    sys.exit(main())
