"""The suite's speed against pytest's own floor (issue 8): ``make bench``.

One run measures every leg several times (``--repeat``, default 3), in
interleaved rounds so a noisy moment hits every leg alike, and quotes the
median wall time:

1. the floor: pytest with this project's ``[tool:pytest]`` settings and
   installed plugins, running as many trivial passing tests as the suite has;
2. the suite without e2e, serial on SQLite, plain and under branch coverage;
3. the same on PostgreSQL (skipped, with a message, when no server answers);
4. the same under ``-n 2``;
5. the three isolation strategies on the same generated database tests, on
   both backends (``benchmarks/isolation.py``);
6. per-test cost: the ten slowest tests (``--durations``), pytest's
   start-up time (``--collect-only`` of the whole tree), where the serial
   SQLite run spends its time (start-up, ``slow`` tests, Hypothesis, the
   rest; two extra runs with a timing plugin, plain and under coverage), and
   what the cheapest test patterns of this harness cost per test, plain and
   under coverage (generated suites at two sizes: the slope is the cost);
7. the gate: what ``make test`` runs (every core, coverage, its reports and
   the 100% gate) against a plain serial run without coverage;
8. the inner loop: one small test module against a single-test floor;
9. ``make test-changed`` (pytest-testmon) in a temporary copy of the
   repository: the recording run, a run with no change, a run after a
   one-line change (one run each, not interleaved);
10. coverage cores: ``tests/unit`` on each Python's virtualenv (.venv,
    .venv-3.12, .venv-3.13; missing ones skipped), plain and under
    ``COVERAGE_CORE=ctrace`` and ``sysmon``, or why sysmon was refused;
11. shard balance: the suite split in two by ``.test_durations``, as
    ``make test-shard`` splits it (skipped when the file is missing);
12. the CSV import at 1,000, 5,000 and 20,000 rows on both backends
    (``benchmarks/importing.py``): how its cost per row grows with the file;
13. this harness against pytest-django (``benchmarks/versus_django.py``): the
    same kinds of test on a minimal Django project, per-test cost, start-up
    and ratios, for this repository and for the core copied into a transplant
    app, on both backends.

It prints the tables and writes them into docs/benchmarks.md between two
markers, leaving the prose around them alone. ``--only`` runs some of the
measurements (suite: 1 to 6, gate, inner, changed, cores, shards, import, django) and
only prints their tables: a partial block must not replace the whole one. The
isolation strategies (5), the import (12) and the comparison with pytest-django (13)
are also drawn into docs/images/bench-isolation.png, bench-import.png and
bench-versus-django.png from the same figures,
under ``--only`` too (each plot is whole by itself); ``--no-doc`` leaves both alone.

Runs use Python's default bytecode cache (a PYTHONDONTWRITEBYTECODE in the
environment is dropped for them): without it every run recompiles and
re-rewrites the test modules, which is not what a developer's machine does.

Each measurement is a module of its own next to this file (suite.py with
patterns.py and breakdown.py, gate.py, inner_loop.py, changed.py, cores.py,
shards.py, importing.py, versus_django.py); running.py runs the legs, tables.py writes the tables.

Usage: python benchmarks/bench.py [--repeat 3] [--postgres URL] [--isolation-tests 200]
                                  [--only suite gate inner changed cores shards import django] [--no-doc]
"""

import argparse
import datetime
import os
import platform
import sys
import tempfile
from pathlib import Path

import changed
import cores
import gate
import inner_loop
import isolation
import plots
import shards
import suite
import versus_django
from postgres import own_database, postgres_problem
from running import ROOT, base_environment, measure_legs, run

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# What --only chooses from; all of them by default.
GROUPS = ("suite", "gate", "inner", "changed", "cores", "shards", "import", "django")
# The measurements that draw a plot: the same ones have PostgreSQL legs.
PLOTTED = {"suite", "import", "django"}
# Rows of the CSV files the import is timed on.
IMPORT_SIZES = (1000, 5000, 20000)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per leg (the median is quoted)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL URL for the PostgreSQL legs")
    parser.add_argument("--isolation-tests", type=int, default=200, help="generated tests per isolation strategy")
    parser.add_argument(
        "--no-doc", action="store_true", help="print only; leave docs/benchmarks.md and its plots alone"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=GROUPS,
        help="run only these measurements; print only (docs/benchmarks.md untouched), but redraw their plots",
    )
    return parser.parse_args()


def write_doc(block):
    text = DOC.read_text() if DOC.exists() else f"# Suite speed\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{block}\n{END}{tail}")


def header(repeat, load_before, load_after):
    return (
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.system()} {platform.machine()}, Python {platform.python_version()}); "
        f"load average {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end. "
        f"Median of {repeat} interleaved runs per leg"
    )


def main():
    args = parse_args()
    groups = args.only or GROUPS
    # Only the isolation strategies (in suite), the import and the comparison with pytest-django have plots.
    draw = not args.no_doc and bool(PLOTTED & set(groups))
    if draw:
        plots.check()  # before the minutes of measuring, not after

    # For this process's children, including benchmarks/isolation.py's runs.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    load_before = os.getloadavg()
    pg_skip = postgres_problem(args.postgres) if PLOTTED & set(groups) else None
    if pg_skip:
        print(f"PostgreSQL legs skipped: {pg_skip}", file=sys.stderr)
    shards_skip = "shards" in groups and shards.missing()
    if shards_skip:
        print(f"shard legs skipped: no {shards.DURATIONS} (run `make test-durations`)", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        env = base_environment(tmp)
        legs = {}
        if "suite" in groups:
            count, modules = suite.collect_suite(env)
            print(f"suite: {count} tests in {modules} modules (without e2e)", file=sys.stderr)
            legs |= suite.legs(tmp, env, args.postgres, pg_skip, count, modules)
        if "gate" in groups or "changed" in groups:
            # The test-changed runs are quoted against it too.
            legs |= gate.plain_serial_leg(env)
        if "gate" in groups:
            legs |= gate.gated_leg(tmp, env)
        if "inner" in groups:
            legs |= inner_loop.legs(Path(tmp) / "single", env)
        core_legs, versions, skipped_venvs = cores.legs(env) if "cores" in groups else ({}, {}, [])
        legs |= core_legs
        if "shards" in groups and not shards_skip:
            legs |= shards.legs(env)
        if "changed" in groups:
            print("`make test-changed` in a copy of the repository, one run each", file=sys.stderr)
            changed_runs = changed.measure(tmp, env)
        # One unmeasured run of each command fills the bytecode caches.
        print("warming up", file=sys.stderr)
        for cmd, cwd, leg_env in legs.values():
            run(cmd, cwd, leg_env)
        if "suite" in groups:
            print("profiling one serial SQLite run, plain and under coverage", file=sys.stderr)
            profiled = suite.profiles(env, tmp)
        measured = measure_legs(legs, args.repeat)

        if "suite" in groups:
            print("isolation strategies (benchmarks/isolation.py)", file=sys.stderr)
            isolated = suite.measure_isolation(args.isolation_tests, args.repeat, args.postgres, pg_skip)
        if "import" in groups:
            import importing  # benchmarks/importing.py; it imports the app, so only when asked

            print("the CSV import (benchmarks/importing.py)", file=sys.stderr)
            import_pg = None if pg_skip else own_database(args.postgres, "import")
            imports = importing.measure(IMPORT_SIZES, args.repeat, import_pg)
        if "django" in groups:
            print("this harness against pytest-django (benchmarks/versus_django.py)", file=sys.stderr)
            versus = versus_django.measure(args.repeat, None if pg_skip else args.postgres)
    load_after = os.getloadavg()

    # A refused sysmon core is reported in its table, not as a failure.
    failed = [name for name, result in measured.items() if result["failed"] and not cores.sysmon_refusal(result)]
    head = header(args.repeat, load_before, load_after)
    parts = [f"{head}; the suite has {count} tests without e2e." if "suite" in groups else f"{head}."]
    if "suite" in groups:
        parts += suite.report(measured, count, profiled, isolated, pg_skip, args.isolation_tests)
    if "gate" in groups:
        parts += gate.report(measured)
    if "inner" in groups:
        parts += inner_loop.report(measured)
    if "changed" in groups:
        parts += changed.report(changed_runs, measured["plain serial"]["median"])
    if "cores" in groups:
        parts += cores.report(measured, versions, skipped_venvs)
    if "shards" in groups:
        parts += shards.report(measured, shards_skip)
    if "import" in groups:
        parts += importing.report(imports, IMPORT_SIZES, args.repeat)
        if pg_skip:
            parts += ["", f"PostgreSQL skipped: {pg_skip}."]
    if "django" in groups:
        parts += versus_django.report(versus, args.repeat, pg_skip)
    if failed:
        parts += ["", f"Legs with failing runs (figures still shown): {', '.join(failed)}."]
    block = "\n".join(parts)
    print(block)
    if not (args.no_doc or args.only):
        write_doc(block)
        print(f"\nwritten to {DOC.relative_to(ROOT)}", file=sys.stderr)
    if draw:
        # The plots from the very figures the tables above were written from.
        command = "bench.py" + (f" --only {' '.join(args.only)}" if args.only else "")
        note = plots.note(command, load_before, load_after, args.repeat)
        if "suite" in groups:
            print(f"plot written to {isolation.plot(isolated, args.isolation_tests, note)}", file=sys.stderr)
        if "import" in groups:
            print(f"plot written to {plots.importing(imports, IMPORT_SIZES, note)}", file=sys.stderr)
        if "django" in groups:
            print(f"plot written to {versus_django.plot(versus, note)}", file=sys.stderr)


if __name__ == "__main__":
    main()
