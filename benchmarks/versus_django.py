"""This harness against pytest-django, side by side (issue 26): ``make bench-django``.

Whoever chooses between Flask with this harness and Django with pytest-django asks
what a database test costs in each. benchmarks/versus_suites.py writes the same kinds
of test for three sides: this repository's harness (the root conftest.py and its
plugins), the core harness copied into the transplant app ``inventory`` (no plugin),
and pytest-django on benchmarks/django_project/ (no other plugin).

The rows: a plain function; one COUNT on an isolated database (``app`` + ``db``
against ``@pytest.mark.django_db``); the isolation's own cost, the second minus the
first (target: harness / pytest-django at most 1.0); the start-up of the second's
run (at most 1.2: pytest-django's includes creating its test database and
migrating it); one row written and the list page fetched. Each suite is generated
at 100 and 600 tests and run as a whole process, serially, ``-o addopts=``,
``--repeat`` times in interleaved rounds (medians): the cost per test is (600's
time - 100's) / 500, so start-up cancels, and the start-up is the 100-test run
extrapolated to no test. On SQLite, and on PostgreSQL beside it (``--postgres``:
one database per side, pytest-django's ``test_<name>``).

It prints the tables and draws docs/images/bench-versus-django.png from the same
figures; ``make bench`` runs it too (``--only django``) and writes the tables into
docs/benchmarks.md's block.

Usage: python benchmarks/versus_django.py [--repeat 5] [--postgres URL] [--no-plot]
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import plots
from postgres import add_postgres_option, postgres_problem
from running import base_environment, measure_legs
from tables import table
from versus_suites import ANY, KINDS, SIDES, SIZES, install_pytest_django, legs, warm_up, write_suites

# The rows: (key, label, unit, target of side / pytest-django or None).
ROWS = [
    ("plain", "1. plain function, no fixture", "ms", None),
    ("count", "2. `app` + `db`, one COUNT / `django_db`, `Book.objects.count()`", "ms", None),
    ("isolation", "3. the isolation's own cost (2 − 1)", "ms", 1.0),
    ("start-up", "4. start-up of 100 row-2 tests, extrapolated to 0 tests", "s", 1.2),
    ("list", "5. one row written, then GET the list page", "ms", None),
]


def measure(repeat, postgres):
    """{(backend, side, kind, size): [seconds of each round]} (postgres None: SQLite only)."""
    install_pytest_django()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="bench-django-") as tmp:
        env = base_environment(tmp)
        env.pop("PYTEST_ADDOPTS", None)
        found = legs(write_suites(Path(tmp)), env, postgres)
        print(f"versus pytest-django: {len(found)} suites, warming up", file=sys.stderr)
        warm_up(found)
        names = {" | ".join(map(str, key)): key for key in found}
        measured = measure_legs({name: found[key] for name, key in names.items()}, repeat)
    failed = [name for name, result in measured.items() if result["failed"]]
    if failed:
        sys.exit(f"runs failed while timed: {', '.join(failed)}")
    return {key: measured[name]["times"] for name, key in names.items()}


def slopes(times, backend, side, kind):
    """Each round's (ms per test, start-up s), from that round's two runs of one suite: the two are
    timed seconds apart, so a busy minute of the machine weighs on both alike."""
    small, big = SIZES
    runs = zip(*(times[ANY if kind == "plain" else backend, side, kind, size] for size in SIZES), strict=True)
    per_test = [(t_big - t_small) / (big - small) for t_small, t_big in runs]
    t_small = times[ANY if kind == "plain" else backend, side, kind, small]
    return [p * 1000 for p in per_test], [t - small * p for t, p in zip(t_small, per_test, strict=True)]


def figures(times):
    """{(backend, side): {row key: value}}: ms per test for the kinds and the isolation, s for start-up;
    each the median of its per-round values."""
    out = {}
    for backend in dict.fromkeys(key[0] for key in times if key[0] != ANY):
        for side in SIDES:
            (plain, _), (count, startup), (listed, _) = (slopes(times, backend, side, k) for k in KINDS)
            isolation = [c - p for c, p in zip(count, plain, strict=True)]
            values = {"plain": plain, "count": count, "isolation": isolation, "start-up": startup, "list": listed}
            out[backend, side] = {key: statistics.median(v) for key, v in values.items()}
    return out


def ratio(value, base):
    """value / base, or None when either is not above 0 (a noisy round set can make a slope negative)."""
    return value / base if value > 0 and base > 0 else None


def verdict(value, target):
    """Judged as printed: a 1.20× beside "≤ 1.2" is met; no ratio, no verdict."""
    if value is None:
        return ""
    return "met" if round(value, 2) <= target else "**NOT met**"


def comparison_table(backend, found):
    """One backend's rows: each side's figure, and the harnesses' ratios to pytest-django's."""
    rows = []
    for key, label, unit, target in ROWS:
        values = {side: found[backend, side][key] for side in SIDES}
        cells = [label, *(f"{values[side]:.2f} {unit}" for side in SIDES)]
        ratios = [ratio(values[side], values["django"]) for side in ("repository", "inventory")]
        cells += ["n/a (a cost ≤ 0: noise)" if r is None else f"{r:.2f}×" for r in ratios]
        verdicts = [verdict(r, target) for r in ratios] if target else []
        cells += [f"≤ {target}" if target else "", " / ".join(verdicts)]
        rows.append(cells)
    header = ["kind of test", *SIDES.values(), "repository / pytest-django", "inventory / pytest-django"]
    return table([f"{backend}: {header[0]}", *header[1:], "target", "met (repository / inventory)"], rows)


def medians_table(times):
    """The medians each figure comes from, and the spread of the per-round costs per test."""
    rows = []
    for backend, side, kind, size in times:
        if size == min(SIZES):
            t_small, t_big = (statistics.median(times[backend, side, kind, n]) for n in SIZES)
            per_test, _ = slopes(times, backend, side, kind)
            spread = f"{min(per_test):.2f} to {max(per_test):.2f}"
            rows.append([backend, SIDES[side], kind, f"{t_small:.2f}", f"{t_big:.2f}", spread])
    small, big = SIZES
    header = ["backend", "side", "kind", f"{small} tests: median s", f"{big} tests: median s", "ms / test by round"]
    return table(header, rows)


def report(times, repeat, pg_skip=None):
    """The tables, as lines of make bench's block (and of this script's output)."""
    found = figures(times)
    small, big = SIZES
    runs = f"{repeat} time{'s' * (repeat != 1)}"
    parts = [
        "",
        f"This harness against pytest-django (benchmarks/versus_django.py): each kind of test generated as a "
        f"suite of {small} and of {big}, each run {runs}, serially with `-o addopts=`, in interleaved rounds; "
        f"in each round ms per test = ({big} tests' time − {small} tests') / {big - small} and start-up = "
        f"the {small}-test run extrapolated to 0 tests, and each figure is the median of its rounds' (so row 3 "
        "need not be row 2 − row 1 exactly). The repository harness is the root conftest with its plugins; the "
        "core harness is the same core copied into the transplant app `inventory`, with no plugin; pytest-django "
        "runs alone, on one app with one migration (its SQLite test database in memory, its default; the "
        "harnesses' a file):",
    ]
    for backend in dict.fromkeys(backend for backend, _ in found):
        parts += ["", comparison_table(backend, found)]
    if pg_skip:
        parts += ["", f"PostgreSQL skipped: {pg_skip}."]
    parts += ["", "The runs those figures come from:", "", medians_table(times)]
    return parts


def plot(times, run_note):
    """docs/images/bench-versus-django.png from the same figures as the tables."""
    return plots.versus_django(figures(times), SIDES, run_note)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per suite (the median is quoted)")
    parser.add_argument("--no-plot", action="store_true", help=f"print only; leave {plots.VERSUS_DJANGO.name} alone")
    add_postgres_option(parser)
    args = parser.parse_args()
    if not args.no_plot:
        plots.check()  # before the minutes of measuring, not after
    pg_skip = postgres_problem(args.postgres) if args.postgres else None
    if pg_skip:
        print(f"PostgreSQL legs skipped: {pg_skip}", file=sys.stderr)
    load_before = os.getloadavg()
    times = measure(args.repeat, None if pg_skip else args.postgres)
    print("\n".join(report(times, args.repeat, pg_skip)))
    if not args.no_plot:
        note = plots.note("make bench-django", load_before, os.getloadavg(), args.repeat)
        print(f"\nplot written to {plot(times, note)}", file=sys.stderr)


if __name__ == "__main__":
    main()
