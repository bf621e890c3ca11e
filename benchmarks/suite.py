"""``make bench``'s measurements 1 to 6 (``--only suite``): the suite against pytest's floor.

The floor and the suite without e2e, serial and under -n 2, on each backend,
plain and under coverage; pytest's start-up; the ten slowest tests. Reported
with them: the isolation strategies (isolation.py), where the serial run spends
its time (breakdown.py) and what the cheapest test patterns cost (patterns.py).
"""

import re
import sys
from pathlib import Path

import breakdown
import isolation
import patterns
from postgres import own_database
from running import COVERAGE, NOT_E2E, PYTEST, ROOT, TRIVIAL_TEST, project_ini, run
from tables import ratio_cells, table, verdict

PARALLEL = ["-n", "2"]

# The suite table: (leg, label, ratio name, leg it is divided by, target name).
SUITE_ROWS = [
    ("floor", "floor: trivial tests, serial", None, None, None),
    ("sqlite", "suite, SQLite, serial", "suite / floor", "floor", "suite / floor"),
    ("sqlite cov", "suite, SQLite, serial, coverage", "coverage / plain", "sqlite", "coverage / plain"),
    ("pg", "suite, PostgreSQL, serial", "PostgreSQL / SQLite", "sqlite", "PostgreSQL / SQLite"),
    ("pg cov", "suite, PostgreSQL, serial, coverage", "coverage / plain", "pg", "coverage / plain"),
    ("floor -n 2", "floor: trivial tests, -n 2", None, None, None),
    ("sqlite -n 2", "suite, SQLite, -n 2", "suite / floor -n 2", "floor -n 2", None),
    ("sqlite -n 2 cov", "suite, SQLite, -n 2, coverage", "coverage / plain", "sqlite -n 2", "coverage / plain"),
    ("pg -n 2", "suite, PostgreSQL, -n 2", "PostgreSQL / SQLite", "sqlite -n 2", "PostgreSQL / SQLite"),
    ("pg -n 2 cov", "suite, PostgreSQL, -n 2, coverage", "coverage / plain", "pg -n 2", "coverage / plain"),
]


def collect_suite(env):
    """The number of tests the suite runs without e2e, and its test module count."""
    _, proc = run([*PYTEST, "--collect-only", "-q", "-p", "no:cacheprovider", *NOT_E2E], ROOT, env)
    match = re.search(r"(\d+)(?:/\d+)? tests? collected", proc.stdout)
    if proc.returncode != 0 or not match:
        sys.exit(f"collecting the suite failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    modules = {line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line}
    return int(match.group(1)), len(modules)


def write_floor(folder, count, modules):
    """``count`` trivial tests spread over as many modules as the suite has."""
    tests = folder / "tests"
    tests.mkdir(parents=True)
    (folder / "pytest.ini").write_text(project_ini())
    for module in range(modules):
        body = "".join(TRIVIAL_TEST.format(n=n) for n in range(module, count, modules))
        (tests / f"test_floor_{module}.py").write_text(body)


def legs(tmp, env, postgres, pg_skip, count, modules):
    """The floor and the suite, serial and under -n 2, on each backend; collection; the pattern suites."""
    floor_dir = Path(tmp) / "floor"
    write_floor(floor_dir, count, modules)
    pg_env = dict(env, TEST_DATABASE_URL=postgres or "")
    suite_legs = {
        "floor": ([*PYTEST, *NOT_E2E], floor_dir, env),
        "sqlite": ([*PYTEST, *NOT_E2E, "--durations=10", "--durations-min=0"], ROOT, env),
        "sqlite cov": ([*PYTEST, *NOT_E2E, *COVERAGE], ROOT, env),
        "pg": ([*PYTEST, *NOT_E2E], ROOT, pg_env),
        "pg cov": ([*PYTEST, *NOT_E2E, *COVERAGE], ROOT, pg_env),
        "floor -n 2": ([*PYTEST, *NOT_E2E, *PARALLEL], floor_dir, env),
        "sqlite -n 2": ([*PYTEST, *NOT_E2E, *PARALLEL], ROOT, env),
        "sqlite -n 2 cov": ([*PYTEST, *NOT_E2E, *PARALLEL, *COVERAGE], ROOT, env),
        "pg -n 2": ([*PYTEST, *NOT_E2E, *PARALLEL], ROOT, pg_env),
        "pg -n 2 cov": ([*PYTEST, *NOT_E2E, *PARALLEL, *COVERAGE], ROOT, pg_env),
        "collect": ([*PYTEST, "--collect-only", "-q"], ROOT, env),
    }
    if pg_skip:
        suite_legs = {name: leg for name, leg in suite_legs.items() if not name.startswith("pg")}
    return suite_legs | patterns.legs(Path(tmp) / "patterns", env)


def profiles(env, tmp):
    """The two timed runs breakdown.table reads: plain, and under the suite legs' coverage."""
    return breakdown.profile_suite(env, tmp), breakdown.profile_suite(env, tmp, *COVERAGE)


def measure_isolation(tests, repeat, postgres, pg_skip):
    """benchmarks/isolation.py's figures: {backend: {strategy: median seconds}}."""
    by_backend = {"SQLite": isolation.measure(tests, repeat, None)}
    if not pg_skip:
        by_backend["PostgreSQL"] = isolation.measure(tests, repeat, own_database(postgres, "isolation"))
    return by_backend


def suite_table(results, count):
    rows = []
    for leg, label, *ratio in SUITE_ROWS:
        if leg not in results:
            continue
        result = results[leg]
        cells = [label, f"{result['median']:.2f}", f"{result['median'] / count * 1000:.2f}"]
        cells += ratio_cells(results, leg, *ratio)
        if result["failed"]:
            cells[0] += f" (FAILED, {result['failed']})"
        rows.append(cells)
    collect = results["collect"]["median"]
    bound, met = verdict("collection seconds", collect)
    rows.append(["start-up: `--collect-only` of the whole tree", f"{collect:.2f}", "", "", f"{bound} s", met])
    return table(["leg", "median s", "ms / test", "ratio", "target", ""], rows)


def parse_durations(output):
    """The ``--durations`` lines: [(seconds, phase, test id)]."""
    pattern = re.compile(r"^([\d.]+)s (setup|call|teardown)\s+(\S.*)$", re.MULTILINE)
    return [(float(s), phase, test) for s, phase, test in pattern.findall(output)]


def durations_table(durations):
    # Name and module in separate cells: a stale ``path::name`` in docs/ would
    # fail tests/meta/test_catalog.py, and these names change as the suite does.
    rows = []
    for seconds, phase, test in durations[:10]:
        module, _, name = test.partition("::")
        rows.append([f"{seconds:.2f}", phase, f"`{name}`", f"`{module}`"])
    return table(["seconds", "phase", "test", "module"], rows)


def report(measured, count, profiled, by_backend, pg_skip, isolation_tests):
    """The tables of measurements 1 to 6, as lines of the generated block."""
    suite = {name: result for name, result in measured.items() if not name.startswith(patterns.PREFIX)}
    pattern_results = {
        name.removeprefix(patterns.PREFIX): result for name, result in measured.items() if name not in suite
    }
    parts = [
        "",
        suite_table(suite, count),
        "",
        f"Isolation strategies, {isolation_tests} generated tests each (commit a user, count users); "
        "cost per test is the time above a floor of as many empty tests:",
    ]
    for backend, results in by_backend.items():
        parts += ["", isolation.markdown_table(backend, results, isolation_tests)]
    if pg_skip:
        parts += ["", f"PostgreSQL legs skipped: {pg_skip}."]
    parts += [
        "",
        "Where the serial SQLite run spends its time (one extra run with a timing plugin, plain and under "
        "coverage), against the budget the suite / floor target allows:",
        "",
        breakdown.table(*profiled, suite["floor"]["median"], count),
        "",
        patterns.caption(),
        "",
        patterns.table(pattern_results),
        "",
        "Ten slowest test phases (serial SQLite run, `--durations=10`):",
        "",
        durations_table(parse_durations(suite["sqlite"]["output"])),
    ]
    return parts
