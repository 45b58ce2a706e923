"""``python -m benchmarks run``: the whole benchmark in one command (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import sys

from benchmarks.run import ORDER, SMOKE, run


def parser() -> argparse.ArgumentParser:
    parsing = argparse.ArgumentParser(prog="python -m benchmarks")
    commands = parsing.add_subparsers(dest="command", required=True)
    running = commands.add_parser("run", help="start a deployment, measure, stop it, report")
    running.add_argument("--web-workers", type=int, default=2, help="gunicorn --workers")
    running.add_argument("--worker-concurrency", type=int, default=2, help="Celery pool size")
    running.add_argument(
        "--workers", type=int, default=1, help="taskhub worker processes, each of that pool size"
    )
    running.add_argument("--creates", type=int, default=1500, help="requests per load")
    running.add_argument("--clients", type=int, default=16, help="closed-loop clients")
    running.add_argument(
        "--latency-creates",
        type=int,
        default=50,
        help="creates, one at a time, of the latency scenario",
    )
    running.add_argument("--rounds", type=int, default=3)
    running.add_argument(
        "--scale-sizes", default="10000,100000,1000000", help="rows the scale scenario grows to"
    )
    running.add_argument(
        "--soak-seconds", type=float, default=300.0, help="how long the soak's mixed load lasts"
    )
    running.add_argument(
        "--soak-rate",
        type=float,
        default=0.0,
        help="requests/s the soak's clients send in all (0: as fast as they go)",
    )
    running.add_argument("--scenarios", default=",".join(ORDER))
    running.add_argument(
        "--time-limit", type=float, default=120.0, help="seconds any one load may last"
    )
    running.add_argument("--json", help="write every round's figures here")
    running.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    running.add_argument(
        "--smoke", action="store_true", help=f"tiny sizes, one round ({SMOKE}): it runs, that's all"
    )
    return parsing


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    if options.smoke:
        for name, value in SMOKE.items():
            setattr(options, name, value)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
