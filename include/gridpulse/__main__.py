"""Command line: `python -m gridpulse <step> --period YYYY-MM`, the same steps the DAG runs."""
from __future__ import annotations

import argparse
import sys

from gridpulse import pipeline
from gridpulse.period import Period

# steps that write the deployment's shared folders: one run at a time holds them (month_lock)
WRITING_STEPS = {"run", "archive", "validate", "load", "build", "publish"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gridpulse", description="Grid Pulse monthly assessment")
    parser.add_argument("--deployment", help="a deployment of several districts (include/config/deployments/<name>.yml; "
                                             "env GRIDPULSE_DEPLOYMENT)")
    parser.add_argument("--district", help="run the step as this district of the deployment (env GRIDPULSE_DISTRICT)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, helptext in [("run", "every step for a month: archive, validate, load, build, publish"),
                           ("archive", "archive the month's export as received"),
                           ("validate", "archive and validate the month's export"),
                           ("load", "archive, validate and load the month into raw"),
                           ("build", "dbt build on the building copy of the warehouse"),
                           ("publish", "write output/<period>/ from the built marts and publish the warehouse"),
                           ("deliver", "send the published month by email and to the group robots (delivery.yml)"),
                           ("followup", "the townships' follow-up lists (names: restricted folder) of a published month")]:
        step = commands.add_parser(name, help=helptext)
        step.add_argument("--period", required=name != "build", type=Period.parse, help="assessed month, e.g. 2022-11")
        if name in WRITING_STEPS:
            step.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                              help="if another run holds this deployment, wait this long for it (default: refuse at once)")
    commands.choices["deliver"].add_argument(
        "--resend-uncertain", action="store_true",
        help="also send to recipients whose earlier send died with its outcome unknown (see the delivery log)")
    whatif = commands.add_parser("whatif", help="re-score a published month under a draft scheme file, apart; "
                                                "print how each unit's score and rank would change")
    whatif.add_argument("--period", required=True, type=Period.parse, help="a published month, e.g. 2022-11")
    whatif.add_argument("--scheme", required=True, help="the draft scheme file (its name is its scheme_id)")
    whatif.add_argument("--against", help="published scheme to compare with (default: same id, or the one of its level)")
    for name, helptext in [("districts", "every district of the deployment, each on its own, then the rollup"),
                           ("rollup", "the deployment's rollup from what its districts have published")]:
        many = commands.add_parser(name, help=helptext)
        many.add_argument("--period", required=True, type=Period.parse, help="assessed month, e.g. 2022-11")
    commands.choices["districts"].add_argument("--jobs", type=int, default=1,
                                               help="districts run at once, each in its own process (default 1)")
    commands.choices["rollup"].add_argument("--deliver", action="store_true",
                                            help="then send it to the deployment's recipients (its `delivery` file)")
    check = commands.add_parser("config", help="check a district's profile (or --deployment's districts) and print "
                                               "what each district gets: words, letterhead, schemes, folders")
    check.add_argument("action", choices=["check"])
    check.add_argument("--settings", help="a profile file (default: GRIDPULSE_CONFIG or include/config/gridpulse.yml)")
    district = commands.add_parser("district", help="`district new`: write a commented profile for a new district")
    district.add_argument("action", choices=["new"])
    district.add_argument("--code", required=True, help='the administrative code, e.g. "330102"')
    district.add_argument("--name", required=True, help="e.g. 某某区")
    district.add_argument("--level", required=True, help="区, 县, 县级市, 街道, 镇, 乡 ... (include/config/levels.yml)")
    district.add_argument("--platform", required=True, help="a mapping in include/config/platforms/")
    district.add_argument("--scheme", action="append", help="a scheme id (repeat; default: the shipped schemes of its level)")
    district.add_argument("--out", help="where to write it (default include/config/districts/<code>.yml)")
    district.add_argument("--add-to", metavar="DEPLOYMENT", help="also list it in this deployment file")
    commands.add_parser("connections", help="which Airflow connection each delivery, alert and export channel "
                                            "uses, and where it was found (secrets backend, environment, Airflow database)")
    commands.add_parser("suites", help="write the GX suites derived from the export contract into expectations/")
    sql = commands.add_parser("sql", help="read-only SQL shell on the published warehouse (make sql)")
    sql.add_argument("--warehouse", help="another DuckDB file (default: the published warehouse)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _choose_district(args)
    from gridpulse.month_lock import MonthBusy
    from gridpulse.problems import ExportRejected
    from gridpulse.profile import ProfileError
    from gridpulse.schemes import SchemeError
    from gridpulse.warehouse.owner import WarehouseOfAnotherDistrict

    try:
        return _holding_deployment(args) if args.command in WRITING_STEPS else _dispatch(args)
    except MonthBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    except ExportRejected as exc:
        print(exc, file=sys.stderr)
        return 2
    except SchemeError as exc:
        print(f"scheme: {exc}", file=sys.stderr)
        return 2
    except ProfileError as exc:
        print(f"profile: {exc}", file=sys.stderr)
        return 2
    except WarehouseOfAnotherDistrict as exc:
        print(exc, file=sys.stderr)
        return 2


def _choose_district(args) -> None:
    """--deployment and --district set what every step reads (gridpulse.config.settings and paths)."""
    import os

    from gridpulse import config

    if args.deployment:
        os.environ["GRIDPULSE_DEPLOYMENT"] = str(config.project_path(args.deployment))
    if args.district:
        os.environ.update(config.district_env(args.district))
        config.deployment().district(args.district)  # an unknown district stops here, saying which exist


def _holding_deployment(args) -> int:
    from gridpulse import month_lock

    def tell(busy: month_lock.MonthBusy) -> None:
        print(f"{busy}\n(waiting up to {args.wait:.0f} s)", file=sys.stderr, flush=True)

    command = f"python -m gridpulse {args.command} --period {args.period or 'all'}"
    with month_lock.holding(str(args.period or "all"), command, args.wait, on_wait=tell):
        return _dispatch(args)


def _dispatch(args) -> int:
    if args.command == "config":
        from gridpulse.profile_check import main as check

        return check(args.settings)
    if args.command == "district":
        from gridpulse.scaffold import new_district

        path = new_district(args.code, args.name, args.level, args.platform, args.scheme, args.out, args.add_to)
        print(f"wrote {path}\ncheck it: python -m gridpulse config check --settings {path}")
        return 0
    if args.command == "sql":
        from pathlib import Path

        from gridpulse.sql_shell import main as shell

        return shell(Path(args.warehouse) if args.warehouse else None)
    if args.command == "connections":
        from gridpulse.delivery.channels import summary

        print(f"Channels and their Airflow connections (a connection turns a channel on):\n{summary()}")
        return 0
    if args.command == "suites":
        from gridpulse.config import EXPECTATIONS_DIR
        from gridpulse.validate.suites import write_suites

        for path in write_suites(EXPECTATIONS_DIR):
            print(path)
    elif args.command == "whatif":
        from gridpulse.whatif import report, rescore

        print(report(rescore(args.period, args.scheme, args.against)))
    elif args.command == "districts":
        states = pipeline.run_districts(args.period, jobs=args.jobs)
        for code, state in states.items():
            print(f"{code}: {state}")
        _print_rollup(args.period)
        return 1 if "failed" in states.values() else 0
    elif args.command == "rollup":
        for name, path in pipeline.rollup(args.period).items():
            print(f"{name}: {path}")
        if args.deliver:
            for key, value in pipeline.deliver_rollup(args.period).items():
                print(f"{key}: {value}")
    elif args.command == "run":
        from gridpulse.run_log import run

        for name, path in run(args.period).items():
            print(f"{name}: {path}")
    elif args.command == "deliver":
        from gridpulse.delivery.deliver import DeliveryFailed
        from gridpulse.delivery.month import MonthNotPublished
        from gridpulse.delivery.settings import DeliverySettingsError

        try:
            result = pipeline.deliver(args.period, resend_uncertain=args.resend_uncertain)
        except (DeliveryFailed, MonthNotPublished, DeliverySettingsError) as exc:
            print(exc, file=sys.stderr)
            return 1
        for key in ("bulletin_id", "sent", "already_sent", "uncertain"):
            print(f"{key}: {result[key]}")
    elif args.command == "build":
        pipeline.transform(args.period)
    elif args.command == "followup":
        for township, path in pipeline.followup(args.period).items():
            print(f"{township}: {path}")
    elif args.command == "publish":
        for name, path in pipeline.publish(args.period).items():
            print(f"{name}: {path}")
    else:
        archived = pipeline.archive(args.period)
        print(f"archived: {archived}")
        if args.command in ("validate", "load"):
            print(f"validated: {pipeline.validate(args.period, archived)}")
        if args.command == "load":
            print(f"loaded rows: {pipeline.load(args.period, archived)}")
    return 0


def _print_rollup(period) -> None:
    from gridpulse import config

    folder = config.deployment().rollup_output / str(period)
    for path in sorted(folder.iterdir()):
        print(f"rollup: {path}")


if __name__ == "__main__":
    sys.exit(main())
