"""python -m gridpulse.demo --period 2022-11 --out data/landing [--seed N] [--scale F] [--district yushui|baiguan|fenyi|xiannvhu]
python -m gridpulse.demo --period 2022-11 --deployment include/config/deployments/xinyu.yml [--seed N] [--scale F]
python -m gridpulse.demo --period 2022-11 --province 100 --out data/bench/province100 [--seed N] [--scale F]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridpulse.demo.generator import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridpulse.demo", description="Write a demo month of platform export.")
    parser.add_argument("--period", required=True, help="month, e.g. 2022-11")
    parser.add_argument("--out", type=Path, help="the source folder; the month goes to OUT/<period>/ (with --province: the province's folder)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same bytes")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 = the district of seed 000; 10 = a city; 65 = a province (townships repeated, or the first "
                             "kept). With --deployment: each district's. With --province: every township's population")
    parser.add_argument("--district", default="yushui", help="a demo district in include/config/demo/: yushui (seed 000, 2022-11), "
                                                             "baiguan (seed 002, 2021-09), fenyi, xiannvhu")
    parser.add_argument("--plant", action="store_true", help="plant the padding patterns of include/config/demo/padding.yml "
                                                            "(the cases go to OUT/<period>.planted.json)")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--deployment", type=Path, help="a deployment of several districts: every district's month, from the demo "
                                                        "spec its entry names, into its own source folder")
    chosen.add_argument("--province", type=int, metavar="N", help="a generated province of N districts for the benchmark: "
                                                                  "OUT/deployment.yml and every district's month")
    args = parser.parse_args(argv)
    if args.deployment:
        from gridpulse.demo.deployment import generate_deployment

        for district in generate_deployment(args.period, args.deployment, seed=args.seed, scale=args.scale):
            print(district.line())
        return 0
    if args.out is None:
        parser.error("--out is needed (unless --deployment names the folders)")
    if args.province:
        from gridpulse.demo.province import generate_province

        province = generate_province(args.province, args.period, args.out, seed=args.seed, scale=args.scale)
        print(f"{province.deployment_file}: {len(province.districts)} districts, {province.rows:,} rows "
              f"in {province.seconds:.1f} s", file=sys.stderr)
        print(province.deployment_file)
        return 0
    padding = None
    if args.plant:
        from gridpulse.demo.padding import padding_mix

        padding = padding_mix()
    print(generate(args.period, args.out, seed=args.seed, scale=args.scale, district=args.district, padding=padding))
    return 0


if __name__ == "__main__":
    sys.exit(main())
