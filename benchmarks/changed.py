"""``make bench --only changed``: ``make test-changed`` (pytest-testmon) in a copy of the repository.

Three runs, once each and not interleaved: the recording run, a run with no
change, and a run after a one-line change that keeps every result.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from running import PYTEST, ROOT, run, summary_line, tests_run, with_plugin
from tables import table

# `make test-changed`, as the Makefile runs it (e2e left out by path: testmon ignores -m).
NOT_BROWSER = ["--ignore=tests/functional/test_e2e_browser.py"]
TEST_CHANGED = [*PYTEST, *NOT_BROWSER, "-p", "no:randomly", "--testmon"]
# The edit before the last test-changed run: the same check digits, computed another way.
ISBN_EDIT = ("sample_app/isbn.py", "return str((10 - total % 10) % 10)", "return str((10 - total) % 10)")

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
    env, out = with_plugin(tmp, "bench_origin", ORIGIN_PLUGIN, env, "BENCH_ORIGIN_OUT")
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


def measure(tmp, env):
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


def report(runs, plain_serial):
    caption = (
        "`make test-changed` (pytest-testmon) in a temporary copy of the repository: one run each, "
        "not interleaved, in this order; the last after a one-line change to "
        f"`{ISBN_EDIT[0]}` that keeps every result:"
    )
    return ["", caption, "", changed_table(runs, plain_serial)]
