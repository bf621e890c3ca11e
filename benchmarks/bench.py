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
    (``benchmarks/importing.py``): how its cost per row grows with the file.

It prints the tables and writes them into docs/benchmarks.md between two
markers, leaving the prose around them alone. ``--only`` runs some of the
measurements (suite: 1 to 6, gate, inner, changed, cores, shards, import) and only
prints their tables: a partial block must not replace the whole one.

Runs use Python's default bytecode cache (a PYTHONDONTWRITEBYTECODE in the
environment is dropped for them): without it every run recompiles and
re-rewrites the test modules, which is not what a developer's machine does.

Usage: python benchmarks/bench.py [--repeat 3] [--postgres URL] [--isolation-tests 200]
                                  [--only suite gate inner changed cores shards import] [--no-doc]
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import isolation  # benchmarks/isolation.py, next to this file

ROOT = isolation.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

PYTEST = [sys.executable, "-m", "pytest"]
NOT_E2E = ["-m", "not e2e"]
# What `make test` measures, minus the HTML/XML files (artifacts, not measurement)
# and the 100% gate (a gap must not abort the benchmark; `make test` enforces it).
COVERAGE = ["--cov", "--cov-report=term", "--cov-fail-under=0"]
PARALLEL = ["-n", "2"]
# `make test`'s workers: one per core, idle ones stealing work.
EVERY_CORE = ["-n", "auto", "--dist", "worksteal"]
# Coverage measured, no report, no gate: part of the suite covers part of the app.
COVERAGE_NO_GATE = ["--cov", "--cov-report=", "--cov-fail-under=0"]
# The run the gate is compared with: the same tests, serial, no coverage.
PLAIN_SERIAL = [*PYTEST, "-q", *NOT_E2E, "-p", "no:randomly"]
# The inner loop: rerunning one small module after an edit.
ONE_MODULE = [*PYTEST, "-q", "tests/unit/test_text.py"]
# `make test-changed`, as the Makefile runs it (e2e left out by path: testmon ignores -m).
NOT_BROWSER = ["--ignore=tests/functional/test_e2e_browser.py"]
TEST_CHANGED = [*PYTEST, *NOT_BROWSER, "-p", "no:randomly", "--testmon"]
# The edit before the last test-changed run: the same check digits, computed another way.
ISBN_EDIT = ("sample_app/isbn.py", "return str((10 - total % 10) % 10)", "return str((10 - total) % 10)")
# One virtualenv per interpreter, named as the Makefile names them.
VENVS = (".venv", ".venv-3.12", ".venv-3.13")
COVERAGE_CORES = ("ctrace", "sysmon")
# `make test-shard`'s split: SHARDS=2, by the durations `make test-durations` records.
SHARDS = 2
DURATIONS = ".test_durations"

# What --only chooses from; all of them by default.
GROUPS = ("suite", "gate", "inner", "changed", "cores", "shards", "import")
# Rows of the CSV files the import is timed on.
IMPORT_SIZES = (1000, 5000, 20000)

# name -> (target, comparison): "max" means the ratio must not exceed the target.
TARGETS = {
    "suite / floor": (2.5, "max"),
    "coverage / plain": (1.4, "max"),
    "PostgreSQL / SQLite": (1.5, "max"),
    "collection seconds": (1.5, "max"),
    "create_drop / savepoint (SQLite)": (1.5, "min"),
    "create_drop / savepoint (PostgreSQL)": (3.0, "min"),
    "gated / plain serial": (1.2, "max"),
    "one module / single-test floor": (1.25, "max"),
}

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

# The gate and the inner loop, as SUITE_ROWS: (leg, label, ratio name, base leg, target name).
GATE_ROWS = [
    ("plain serial", 'plain serial: `pytest -q -m "not e2e"`, no coverage', None, None, None),
    (
        "gated",
        "gated: `make test` (every core, coverage, HTML, XML and JUnit reports, 100% gate)",
        "gated / plain serial",
        "plain serial",
        "gated / plain serial",
    ),
]
INNER_ROWS = [
    ("single-test floor", "single-test floor: one trivial test, the project's settings", None, None, None),
    (
        "one module",
        "one module: `pytest -q tests/unit/test_text.py`",
        "one module / single-test floor",
        "single-test floor",
        "one module / single-test floor",
    ),
]

# Outcomes in pytest's summary line that mean a test ran.
RAN = ("passed", "failed", "error", "errors", "xfailed", "xpassed")

TRIVIAL_TEST = """
def test_nothing_{n}():
    assert {n} == {n}
"""

# The cheapest things a test of this app does, each run by the root conftest
# (except the first: the floor's empty test, without it).
PATTERNS = {
    "empty test, no conftest (the floor)": TRIVIAL_TEST,
    "empty test, harness fixtures only": TRIVIAL_TEST,
    "`app` (a connection and a transaction)": """
def test_app_{n}(app):
    assert app.testing
""",
    '`client.get("/about")` (a page, no query)': """
def test_about_{n}(client):
    assert "About" in client.get("/about").text
""",
    "`user` (factory: insert, commit, reload)": """
def test_user_{n}(user):
    assert user.id
""",
    '`user_client.get("/")` (user, log-in, a page with queries)': """
def test_home_{n}(user_client):
    assert user_client.get("/").status_code == 200
""",
}
# Each pattern runs at two sizes: the difference is the cost of the extra tests
# alone, without start-up (importing the app, building the schema).
PATTERN_SIZES = (50, 250)

KINDS = {"slow": "tests marked `slow`", "hypothesis": "Hypothesis properties", "other": "all other tests"}

# Loaded (-p) into one extra run of the suite: time per test, and its kind.
PROFILE_PLUGIN = """
import json, os, time
import pytest

_times = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    yield
    if item.get_closest_marker("slow"):
        kind = "slow"
    elif getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        kind = "hypothesis"
    else:
        kind = "other"
    _times[item.nodeid] = (time.perf_counter() - start, kind)


def pytest_sessionfinish(session):
    with open(os.environ["BENCH_PROFILE_OUT"], "w") as out:
        json.dump(_times, out)
"""

# Loaded (-p) into one collection in the test-changed copy: where its modules come from.
ORIGIN_PLUGIN = """
import json, os, sys


def pytest_sessionfinish(session):
    import sample_app
    import tests

    files = {"sample_app": sample_app.__file__, "tests": tests.__file__, "conftest": sys.modules["conftest"].__file__}
    with open(os.environ["BENCH_ORIGIN_OUT"], "w") as out:
        json.dump(files, out)
"""


# --- running -----------------------------------------------------------------


def base_environment(tmp):
    # Coverage data goes to the temporary folder, not over the repository's .coverage.
    env = dict(os.environ, COVERAGE_FILE=str(Path(tmp) / ".coverage"))
    env.pop("TEST_DATABASE_URL", None)
    return env


def python_path(folder, env):
    """PYTHONPATH with ``folder`` first."""
    return os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))


def run(cmd, cwd, env):
    """Run one pytest command; return (seconds, completed process)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def collect_suite(env):
    """The number of tests the suite runs without e2e, and its test module count."""
    _, proc = run([*PYTEST, "--collect-only", "-q", "-p", "no:cacheprovider", *NOT_E2E], ROOT, env)
    match = re.search(r"(\d+)(?:/\d+)? tests? collected", proc.stdout)
    if proc.returncode != 0 or not match:
        sys.exit(f"collecting the suite failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    modules = {line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line}
    return int(match.group(1)), len(modules)


def setup_cfg_section(name, header):
    """A section of setup.cfg, verbatim, under another header."""
    lines = (ROOT / "setup.cfg").read_text().splitlines()
    start = lines.index(f"[{name}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    return "\n".join([f"[{header}]", *lines[start + 1 : end]]) + "\n"


def project_ini():
    """setup.cfg's [tool:pytest] section as a pytest.ini."""
    return setup_cfg_section("tool:pytest", "pytest")


def write_floor(folder, count, modules):
    """``count`` trivial tests spread over as many modules as the suite has."""
    tests = folder / "tests"
    tests.mkdir(parents=True)
    (folder / "pytest.ini").write_text(project_ini())
    for module in range(modules):
        body = "".join(TRIVIAL_TEST.format(n=n) for n in range(module, count, modules))
        (tests / f"test_floor_{module}.py").write_text(body)


def write_patterns(folder):
    """A generated suite per pattern and size: {(name, size): folder}."""
    suites = {}
    for index, (name, template) in enumerate(PATTERNS.items()):
        for size in PATTERN_SIZES:
            suite = folder / f"pattern_{index}_{size}"
            suite.mkdir(parents=True)
            (suite / "pytest.ini").write_text(project_ini())
            # The project's coverage settings (branch, source=sample_app, ...).
            (suite / ".coveragerc").write_text(setup_cfg_section("coverage:run", "run"))
            if index:
                (suite / "conftest.py").write_text(isolation.SAVEPOINT_CONFTEST)
            (suite / "test_pattern.py").write_text("".join(template.format(n=n) for n in range(size)))
            suites[name, size] = suite
    return suites


def profile_suite(env, tmp, *options):
    """One extra serial SQLite run with PROFILE_PLUGIN: (wall seconds, {test: (seconds, kind)})."""
    (Path(tmp) / "bench_profile.py").write_text(PROFILE_PLUGIN)
    out = Path(tmp) / "profile.json"
    env = dict(env, PYTHONPATH=python_path(tmp, env), BENCH_PROFILE_OUT=str(out))
    seconds, _ = run([*PYTEST, *NOT_E2E, "-p", "bench_profile", *options], ROOT, env)
    return seconds, json.loads(out.read_text())


def gated_command(tmp):
    """Exactly what `make test` runs, the 100% gate included; its reports go to ``tmp``."""
    reports = [
        f"--cov-report=html:{tmp}/htmlcov",
        f"--cov-report=xml:{tmp}/coverage.xml",
        f"--junitxml={tmp}/junit.xml",
    ]
    return [*PYTEST, *NOT_E2E, *EVERY_CORE, "--cov", "--cov-report=term", *reports]


def inner_legs(folder, env):
    """One small module of the suite, and pytest's floor for one test with the project's settings."""
    (folder / "tests").mkdir(parents=True)  # the settings' testpaths
    (folder / "pytest.ini").write_text(project_ini())
    (folder / "tests" / "test_single.py").write_text(TRIVIAL_TEST.format(n=0))
    return {
        "single-test floor": ([*PYTEST, "-q"], folder, env),
        "one module": (ONE_MODULE, ROOT, env),
    }


def interpreter_version(python):
    """A venv's Python version, as its interpreter reports it ("3.12.1")."""
    proc = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    )
    return proc.stdout.strip()


def core_legs(env):
    """tests/unit on each venv's Python, plain and under each coverage core.

    Returns (legs, {venv: Python version} for the venvs found, [venvs skipped]).
    """
    legs, versions, skipped = {}, {}, []
    for venv in VENVS:
        python = ROOT / venv / "bin" / "python"
        if not python.exists():
            skipped.append(venv)
            continue
        versions[venv] = interpreter_version(python)
        unit = [str(python), "-m", "pytest", "-q", "-p", "no:randomly", "tests/unit"]
        legs[f"cores {venv}: plain"] = (unit, ROOT, env)
        for core in COVERAGE_CORES:
            # The repository's coverage settings (branch = True) apply.
            legs[f"cores {venv}: {core}"] = ([*unit, *COVERAGE_NO_GATE], ROOT, dict(env, COVERAGE_CORE=core))
    return legs, versions, skipped


def shard_legs(env):
    """Each shard of `make test-shard` (SHARDS of them), split by the recorded durations."""
    legs = {}
    for group in range(1, SHARDS + 1):
        split = ["--splits", str(SHARDS), "--group", str(group), "--durations-path", DURATIONS]
        legs[f"shard {group} of {SHARDS}"] = ([*PYTEST, *NOT_E2E, *EVERY_CORE, *split, *COVERAGE_NO_GATE], ROOT, env)
    return legs


def copy_project(target):
    """The working tree's files that git tracks, or would (new, not ignored), copied into ``target``.

    New files count: a test module someone has not added yet is part of the suite
    (and the docs that link to it would fail without it).
    """
    listing = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    names = subprocess.run(listing, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():  # tracked but deleted in the working tree: not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def check_imports_from(copy, env, tmp):
    """Stop unless pytest in ``copy`` imports sample_app, tests and the root conftest from it.

    The venv's editable install points at the repository, which must not be what
    the copy's runs test. This collection also fills the copy's bytecode caches.
    """
    (Path(tmp) / "bench_origin.py").write_text(ORIGIN_PLUGIN)
    out = Path(tmp) / "origin.json"
    env = dict(env, PYTHONPATH=python_path(tmp, env), BENCH_ORIGIN_OUT=str(out))
    _, proc = run([*PYTEST, *NOT_BROWSER, "--collect-only", "-q", "-p", "bench_origin"], copy, env)
    if not out.exists():
        sys.exit(f"collecting in the copy failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    files = json.loads(out.read_text())
    elsewhere = {name: path for name, path in files.items() if not Path(path).resolve().is_relative_to(copy.resolve())}
    if elsewhere:
        sys.exit(f"pytest in the copy {copy} imports from elsewhere: {elsewhere}")
    print(f"  the copy's runs import {', '.join(files)} from the copy", file=sys.stderr)


def edit_isbn(copy):
    """The one-line change: ``isbn13_check_digit`` computes the same digit another way."""
    path, old, new = ISBN_EDIT
    source = (copy / path).read_text()
    if source.count(old) != 1:
        sys.exit(f"{path}: expected one line {old!r} to change; update ISBN_EDIT")
    (copy / path).write_text(source.replace(old, new))


def measure_test_changed(tmp, env):
    """`make test-changed` in a copy of the repository, once per situation: label -> (seconds, process)."""
    copy = Path(tmp) / "repository"
    copy_project(copy)
    check_imports_from(copy, env, tmp)
    runs = {"first run: records, runs every test": run(TEST_CHANGED, copy, env)}
    runs["no change"] = run(TEST_CHANGED, copy, env)
    edit_isbn(copy)
    runs[f"one-line change in `{ISBN_EDIT[0]}` (`isbn13_check_digit`)"] = run(TEST_CHANGED, copy, env)
    for label, (seconds, _) in runs.items():
        print(f"  {seconds:6.2f} s  test-changed, {label}", file=sys.stderr, flush=True)
    return runs


def postgres_problem(url):
    """None when the server answers, else why the PostgreSQL legs are skipped."""
    if not url:
        return "no --postgres URL given"
    try:
        # The harness drops and recreates the database (and <name>_gw0..., <name>_isolation):
        # it refuses a name without "test", and so does this script, before creating any.
        isolation.throwaway_database_url(url)
        import sqlalchemy as sa

        engine = sa.create_engine(sa.make_url(url).set(database="postgres"), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except argparse.ArgumentTypeError as exc:
        return str(exc)
    except Exception as exc:  # any failure (driver missing, refused, auth) means: skip
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def own_database(url, purpose):
    """A database of its own for one measurement: ``<name>_<purpose>``."""
    import sqlalchemy as sa

    url = sa.make_url(url)
    return url.set(database=f"{url.database}_{purpose}").render_as_string(hide_password=False)


def parse_durations(output):
    """The ``--durations`` lines: [(seconds, phase, test id)]."""
    pattern = re.compile(r"^([\d.]+)s (setup|call|teardown)\s+(\S.*)$", re.MULTILINE)
    return [(float(s), phase, test) for s, phase, test in pattern.findall(output)]


def summary_line(output):
    lines = [line for line in output.splitlines() if line.startswith("=") and (" in " in line)]
    if lines:
        return lines[-1].strip("= ")
    return output.strip().splitlines()[-1] if output.strip() else "no output"


def failure(proc):
    """Why a run failed: the coverage gate's verdict when that failed (every test may pass), else pytest's summary."""
    gate = re.search(r"^FAIL Required test coverage.*$", proc.stdout, re.MULTILINE)
    return f"exit {proc.returncode}: {gate.group(0) if gate else summary_line(proc.stdout)}"


def tests_run(summary):
    """How many tests ran, from pytest's summary line ("381 passed, 292 deselected in 3.10s")."""
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}
    return sum(counts.get(word, 0) for word in RAN)


def sysmon_refusal(result):
    """Why coverage.py would not use COVERAGE_CORE=sysmon (its no-sysmon warning), or None."""
    # The warning's own line, not the source line a traceback quotes.
    pattern = r"CoverageWarning: Can't use core=sysmon: (.+?), using default core"
    match = re.search(pattern, result["output"] + result["errors"])
    return match.group(1) if match else None


def measure_legs(legs, repeat):
    """Run every leg ``repeat`` times, interleaved. Returns name -> dict."""
    results = {name: {"times": [], "failed": None, "output": "", "errors": ""} for name in legs}
    for round_no in range(1, repeat + 1):
        for name, (cmd, cwd, env) in legs.items():
            seconds, proc = run(cmd, cwd, env)
            result = results[name]
            result["times"].append(seconds)
            result["output"] = proc.stdout
            result["errors"] = proc.stderr
            if proc.returncode != 0:
                result["failed"] = failure(proc)
            print(f"  round {round_no}/{repeat}  {seconds:6.2f} s  {name}", file=sys.stderr, flush=True)
    for result in results.values():
        result["median"] = statistics.median(result["times"])
    return results


# --- reporting -----------------------------------------------------------------


def verdict(name, value):
    target, kind = TARGETS[name]
    met = value <= target if kind == "max" else value >= target
    bound = f"≤ {target}" if kind == "max" else f"≥ {target}"
    return bound, "met" if met else "**NOT met**"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(out)


def suite_table(results, count):
    rows = []
    for leg, label, ratio_name, base, target_name in SUITE_ROWS:
        if leg not in results:
            continue
        result = results[leg]
        cells = [label, f"{result['median']:.2f}", f"{result['median'] / count * 1000:.2f}", "", "", ""]
        if ratio_name:
            ratio = result["median"] / results[base]["median"]
            bound, met = verdict(target_name, ratio) if target_name else ("", "")
            cells[3:] = [f"{ratio_name} = {ratio:.2f}×", bound, met]
        if result["failed"]:
            cells[0] += f" (FAILED, {result['failed']})"
        rows.append(cells)
    collect = results["collect"]["median"]
    bound, met = verdict("collection seconds", collect)
    rows.append(["start-up: `--collect-only` of the whole tree", f"{collect:.2f}", "", "", f"{bound} s", met])
    return table(["leg", "median s", "ms / test", "ratio", "target", ""], rows)


def seconds_cell(result):
    """A leg's median, and why it failed if a run did."""
    cell = f"{result['median']:.2f}"
    return f"{cell} (FAILED, {result['failed']})" if result["failed"] else cell


def ratio_table(results, rows):
    """Legs against a base leg, rows as in SUITE_ROWS, with the tests each ran."""
    out = []
    for leg, label, ratio_name, base, target_name in rows:
        result = results[leg]
        cells = [label, tests_run(summary_line(result["output"])), seconds_cell(result), "", "", ""]
        if ratio_name:
            ratio = result["median"] / results[base]["median"]
            bound, met = verdict(target_name, ratio)
            cells[3:] = [f"{ratio_name} = {ratio:.2f}×", bound, met]
        out.append(cells)
    return table(["leg", "tests", "median s", "ratio", "target", ""], out)


def changed_table(runs, plain_serial):
    """The test-changed runs: (seconds, process) each, against the plain serial run's median."""
    rows = []
    for label, (seconds, proc) in runs.items():
        summary = summary_line(proc.stdout)
        # Exit 5: no test selected, which is what a run after no change should report.
        if proc.returncode not in (0, 5):
            label += f" (FAILED, exit {proc.returncode})"
        rows.append([label, tests_run(summary), summary, f"{seconds:.2f}", f"{seconds / plain_serial:.2f}×"])
    return table(["`make test-changed`", "tests run", "pytest's summary", "seconds", "/ plain serial"], rows)


def cores_table(results, versions):
    """Per venv: tests/unit plain, under ctrace, and under sysmon or why coverage.py refused it."""
    rows = []
    for venv, version in versions.items():
        plain, ctrace, sysmon = (results[f"cores {venv}: {name}"] for name in ("plain", *COVERAGE_CORES))
        row = [f"{version} (`{venv}`)", seconds_cell(plain), seconds_cell(ctrace)]
        row.append(f"{ctrace['median'] / plain['median']:.2f}×")
        refusal = sysmon_refusal(sysmon)
        if refusal:
            row += [f"refused: {refusal} (warning `no-sysmon`)", ""]
        else:
            row += [seconds_cell(sysmon), f"{sysmon['median'] / plain['median']:.2f}×"]
        rows.append(row)
    header = ["Python", "plain s", "ctrace s", "ctrace / plain", "sysmon s", "sysmon / plain"]
    return table(header, rows)


def shard_table(results):
    """Each shard's tests and median, and how far the slowest is above the mean."""
    shards = [f"shard {group} of {SHARDS}" for group in range(1, SHARDS + 1)]
    rows = [[name, tests_run(summary_line(results[name]["output"])), seconds_cell(results[name])] for name in shards]
    medians = [results[name]["median"] for name in shards]
    balance = max(medians) / statistics.mean(medians)
    rows.append(["slowest shard / mean of shards", "", f"{balance:.2f}×"])
    return table(["shard", "tests", "median s"], rows)


def isolation_table(title, results, count, backend):
    floor, savepoint = results["floor"], results["savepoint"]
    rows = []
    for name, seconds in results.items():
        per_test = (seconds - floor) / count * 1000
        cells = [name, f"{seconds:.2f}", "" if name == "floor" else f"{per_test:.2f}"]
        if name in ("floor", "savepoint"):
            cells += ["", "", ""]
        else:
            ratio = (seconds - floor) / (savepoint - floor)
            target_name = f"create_drop / savepoint ({backend})"
            bound, met = verdict(target_name, ratio) if name == "create_drop" else ("", "")
            cells += [f"{ratio:.1f}×", bound, met]
        rows.append(cells)
    header = ["strategy", "median s", "ms / test over floor", f"{title}: cost vs savepoint", "target", ""]
    return table(header, rows)


def patterns_table(results):
    small, big = PATTERN_SIZES

    def slope(name, suffix=""):
        """(ms per test, fixed seconds) from the two sizes."""
        t_small = results[f"{name} @ {small}{suffix}"]["median"]
        t_big = results[f"{name} @ {big}{suffix}"]["median"]
        per_test = (t_big - t_small) / (big - small)
        return per_test * 1000, t_small - per_test * small

    rows = []
    for name in PATTERNS:
        (plain, fixed), (covered, covered_fixed) = slope(name), slope(name, " cov")
        rows.append(
            [name, f"{plain:.2f}", f"{fixed:.2f}", f"{covered:.2f}", f"{covered_fixed:.2f}", f"{covered / plain:.2f}×"]
        )
    header = [
        "pattern (SQLite)",
        "ms / test",
        "fixed s",
        "ms / test, coverage",
        "fixed s, coverage",
        "coverage / plain",
    ]
    return table(header, rows)


def breakdown_table(plain, covered, floor, count):
    """Where the serial SQLite run goes, with and without coverage, against the 2.5x budget.

    ``plain`` and ``covered`` are (wall seconds, {test: (seconds, kind)}) from profile_suite.
    """

    def parts(wall, times):
        in_tests = sum(seconds for seconds, _ in times.values())
        by_kind = {"start-up": (None, wall - in_tests)}
        for kind in KINDS:
            kind_times = [seconds for seconds, test_kind in times.values() if test_kind == kind]
            by_kind[kind] = (len(kind_times), sum(kind_times))
        by_kind["whole"] = (len(times), wall)
        return by_kind

    plain_parts, covered_parts = parts(*plain), parts(*covered)
    labels = {"start-up": "start-up, collection, session fixtures, exit", **KINDS, "whole": "whole run"}
    rows = []
    for key, label in labels.items():
        tests, seconds = plain_parts[key]
        per_test = f"{seconds / tests * 1000:.2f}" if tests else ""
        with_coverage = covered_parts[key][1]
        rows.append(
            [label, tests or "", f"{seconds:.2f}", per_test, f"{with_coverage:.2f}", f"{with_coverage / seconds:.2f}×"]
        )
    budget = 2.5 * floor
    rows.append(["the floor (median)", count, f"{floor:.2f}", f"{floor / count * 1000:.2f}", "", ""])
    rows.append(["2.5 × the floor: the whole budget", count, f"{budget:.2f}", f"{budget / count * 1000:.2f}", "", ""])
    header = ["part of the serial SQLite run", "tests", "seconds", "ms / test", "seconds, coverage", "coverage / plain"]
    return table(header, rows)


def durations_table(durations):
    # Name and module in separate cells: a stale ``path::name`` in docs/ would
    # fail tests/meta/test_catalog.py, and these names change as the suite does.
    rows = []
    for seconds, phase, test in durations[:10]:
        module, _, name = test.partition("::")
        rows.append([f"{seconds:.2f}", phase, f"`{name}`", f"`{module}`"])
    return table(["seconds", "phase", "test", "module"], rows)


def write_doc(block):
    text = DOC.read_text() if DOC.exists() else f"# Suite speed\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{block}\n{END}{tail}")


# --- main ----------------------------------------------------------------------------


def suite_legs(tmp, env, postgres, pg_skip, count, modules):
    """The floor and the suite, serial and under -n 2, on each backend; collection; the pattern suites."""
    floor_dir = Path(tmp) / "floor"
    write_floor(floor_dir, count, modules)
    pg_env = dict(env, TEST_DATABASE_URL=postgres or "")
    legs = {
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
        legs = {name: leg for name, leg in legs.items() if not name.startswith("pg")}
    # The generated pattern suites load the root conftest, which imports tests.factories.
    pattern_env = dict(env, PYTHONPATH=python_path(ROOT, env))
    for (name, size), folder in write_patterns(Path(tmp) / "patterns").items():
        legs[f"pattern: {name} @ {size}"] = ([*PYTEST, "test_pattern.py"], folder, pattern_env)
        cov = ["--cov", "--cov-report=", "--cov-config=.coveragerc"]
        legs[f"pattern: {name} @ {size} cov"] = ([*PYTEST, "test_pattern.py", *cov], folder, pattern_env)
    return legs


def suite_report(measured, count, profiles, iso_sqlite, iso_pg, pg_skip, isolation_tests):
    """The tables of measurements 1 to 6, as lines of the generated block."""
    suite = {name: result for name, result in measured.items() if not name.startswith("pattern: ")}
    patterns = {name.removeprefix("pattern: "): result for name, result in measured.items() if name not in suite}
    durations = parse_durations(suite["sqlite"]["output"])
    parts = [
        "",
        suite_table(suite, count),
        "",
        f"Isolation strategies, {isolation_tests} generated tests each (commit a user, count users); "
        "cost per test is the time above a floor of as many empty tests:",
        "",
        isolation_table("SQLite", iso_sqlite, isolation_tests, "SQLite"),
    ]
    if iso_pg:
        parts += ["", isolation_table("PostgreSQL", iso_pg, isolation_tests, "PostgreSQL")]
    if pg_skip:
        parts += ["", f"PostgreSQL legs skipped: {pg_skip}."]
    parts += [
        "",
        "Where the serial SQLite run spends its time (one extra run with a timing plugin, plain and under "
        "coverage), against the budget the suite / floor target allows:",
        "",
        breakdown_table(*profiles, suite["floor"]["median"], count),
        "",
        f"What this harness's cheapest test patterns cost: a generated suite of each at {PATTERN_SIZES[0]} and "
        f"{PATTERN_SIZES[1]} tests, plain and under branch coverage; the cost per test is the slope between "
        "the two sizes, the fixed cost (start-up) what is left:",
        "",
        patterns_table(patterns),
        "",
        "Ten slowest test phases (serial SQLite run, `--durations=10`):",
        "",
        durations_table(durations),
    ]
    return parts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per leg (the median is quoted)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL URL for the PostgreSQL legs")
    parser.add_argument("--isolation-tests", type=int, default=200, help="generated tests per isolation strategy")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument(
        "--only", nargs="+", choices=GROUPS, help="run only these measurements; print only (implies --no-doc)"
    )
    args = parser.parse_args()
    groups = args.only or GROUPS

    # For this process's children, including benchmarks/isolation.py's runs.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    load_before = os.getloadavg()
    pg_skip = postgres_problem(args.postgres) if {"suite", "import"} & set(groups) else None
    if pg_skip:
        print(f"PostgreSQL legs skipped: {pg_skip}", file=sys.stderr)
    shards_skip = "shards" in groups and not (ROOT / DURATIONS).exists()
    if shards_skip:
        print(f"shard legs skipped: no {DURATIONS} (run `make test-durations`)", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        env = base_environment(tmp)
        legs = {}
        if "suite" in groups:
            count, modules = collect_suite(env)
            print(f"suite: {count} tests in {modules} modules (without e2e)", file=sys.stderr)
            legs |= suite_legs(tmp, env, args.postgres, pg_skip, count, modules)
        if "gate" in groups or "changed" in groups:
            # The test-changed runs are quoted against it too.
            legs["plain serial"] = (PLAIN_SERIAL, ROOT, env)
        if "gate" in groups:
            legs["gated"] = (gated_command(tmp), ROOT, env)
        if "inner" in groups:
            legs |= inner_legs(Path(tmp) / "single", env)
        cores, versions, skipped_venvs = core_legs(env) if "cores" in groups else ({}, {}, [])
        legs |= cores
        if "shards" in groups and not shards_skip:
            legs |= shard_legs(env)
        if "changed" in groups:
            print("`make test-changed` in a copy of the repository, one run each", file=sys.stderr)
            changed = measure_test_changed(tmp, env)
        # One unmeasured run of each command fills the bytecode caches.
        print("warming up", file=sys.stderr)
        for cmd, cwd, leg_env in legs.values():
            run(cmd, cwd, leg_env)
        if "suite" in groups:
            print("profiling one serial SQLite run, plain and under coverage", file=sys.stderr)
            profiles = (profile_suite(env, tmp), profile_suite(env, tmp, *COVERAGE))
        measured = measure_legs(legs, args.repeat)

        if "suite" in groups:
            print("isolation strategies (benchmarks/isolation.py)", file=sys.stderr)
            iso_sqlite = isolation.measure(args.isolation_tests, args.repeat, None)
            iso_pg = None
            if not pg_skip:
                iso_pg = isolation.measure(args.isolation_tests, args.repeat, own_database(args.postgres, "isolation"))
        if "import" in groups:
            import importing  # benchmarks/importing.py; it imports the app, so only when asked

            print("the CSV import (benchmarks/importing.py)", file=sys.stderr)
            import_pg = None if pg_skip else own_database(args.postgres, "import")
            imports = importing.measure(IMPORT_SIZES, args.repeat, import_pg)
    load_after = os.getloadavg()

    # A refused sysmon core is reported in its table, not as a failure.
    failed = [name for name, result in measured.items() if result["failed"] and not sysmon_refusal(result)]
    header = (
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.system()} {platform.machine()}, Python {platform.python_version()}); "
        f"load average {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end. "
        f"Median of {args.repeat} interleaved runs per leg"
    )
    parts = [f"{header}; the suite has {count} tests without e2e." if "suite" in groups else f"{header}."]
    if "suite" in groups:
        parts += suite_report(measured, count, profiles, iso_sqlite, iso_pg, pg_skip, args.isolation_tests)
    if "gate" in groups:
        parts += [
            "",
            "The gate against a plain serial run of the same tests (both in the interleaved rounds; the gated "
            "run's reports go to a temporary folder):",
            "",
            ratio_table(measured, GATE_ROWS),
        ]
    if "inner" in groups:
        parts += [
            "",
            "The inner loop: one small module of the suite against pytest with the project's settings "
            "running a single trivial test:",
            "",
            ratio_table(measured, INNER_ROWS),
        ]
    if "changed" in groups:
        parts += [
            "",
            "`make test-changed` (pytest-testmon) in a temporary copy of the repository: one run each, "
            "not interleaved, in this order; the last after a one-line change to "
            f"`{ISBN_EDIT[0]}` that keeps every result:",
            "",
            changed_table(changed, measured["plain serial"]["median"]),
        ]
    if "cores" in groups:
        parts += [
            "",
            "Coverage cores: `tests/unit`, serial, plain and under branch coverage with each "
            "`COVERAGE_CORE` (the repository's coverage settings), on each Python's virtualenv:",
            "",
            cores_table(measured, versions) if versions else "No virtualenv found.",
        ]
        if skipped_venvs:
            parts += ["", f"Skipped (no `bin/python`): {', '.join(f'`{venv}`' for venv in skipped_venvs)}."]
    if "shards" in groups:
        caption = (
            f"The suite in {SHARDS} shards split by `{DURATIONS}`, as `make test-shard` runs them (every core, "
            "coverage without reports or gate):"
        )
        skipped = f"Shards skipped: no `{DURATIONS}` in the repository; run `make test-durations`."
        parts += ["", skipped] if shards_skip else ["", caption, "", shard_table(measured)]
    if "import" in groups:
        parts += [
            "",
            "The CSV import: `import_books` on a new database, on files of "
            f"{', '.join(f'{rows:,}' for rows in IMPORT_SIZES)} books, median of {args.repeat}; the last column "
            "is the cost of a row in the largest file over its cost in the smallest, about 1 when the import "
            "grows linearly:",
            "",
            importing.table(imports, IMPORT_SIZES),
        ]
        if pg_skip:
            parts += ["", f"PostgreSQL skipped: {pg_skip}."]
    if failed:
        parts += ["", f"Legs with failing runs (figures still shown): {', '.join(failed)}."]
    block = "\n".join(parts)
    print(block)
    if not (args.no_doc or args.only):
        write_doc(block)
        print(f"\nwritten to {DOC.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
