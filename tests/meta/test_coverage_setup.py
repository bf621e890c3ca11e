"""Proof that the coverage settings measure code run outside the test process.

Coverage under-reports without a word when code runs in an xdist worker, a
subprocess or pytest-flask's live server (a forked process): the gate then
fails for no reason, or the report shows gaps that are not there. These tests
run a tiny suite with ``pytester``, under ``-n 2 --cov``, using this
repository's own ``[coverage:run]`` section, and read the report.

Patterns: testing the harness with pytester; coverage of workers, subprocesses
and threads.

In detail: pytester (a pytest session inside a test); coverage under xdist,
subprocesses and the live server; a negative control per setting (remove it and
the report loses exactly the lines it was there for).
"""

import configparser
import re
from pathlib import Path

import pytest

from tests.helpers import inner_pytest_environment

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/code.py": """
import flask


def run_in_worker():
    return "worker"


def run_in_subprocess():
    return "subprocess"


def create_app():
    app = flask.Flask(__name__)

    @app.route("/")
    def index():
        return run_in_live_server()

    return app


def run_in_live_server():
    return "live"
""",
}

TESTS = """
import subprocess
import sys
import urllib.request

import pytest

from pkg.code import create_app, run_in_worker


@pytest.fixture
def app():
    return create_app()


def test_in_worker():
    assert run_in_worker() == "worker"


def test_in_subprocess():
    code = "from pkg.code import run_in_subprocess; print(run_in_subprocess())"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "subprocess"


def test_in_live_server(live_server):
    assert urllib.request.urlopen(live_server.url("/")).read() == b"live"
"""


def write_project(pytester, drop=None):
    """The tiny project, with this repo's [coverage:run] settings (minus ``drop``)."""
    repo = configparser.ConfigParser()
    repo.read(ROOT / "setup.cfg")
    settings = dict(repo["coverage:run"], source="pkg")
    if drop:
        key, value = drop
        kept = [item.strip() for item in settings[key].split(",") if item.strip() != value]
        settings[key] = ", ".join(kept)
    lines = ["[tool:pytest]", "live_server_scope = function", "[coverage:run]"]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    pytester.makefile(".cfg", setup="\n".join(lines))
    for path, source in PACKAGE.items():
        pytester.path.joinpath(path).parent.mkdir(exist_ok=True)
        pytester.path.joinpath(path).write_text(source)
    pytester.makepyfile(test_tiny=TESTS)


def run_with_coverage(pytester, monkeypatch):
    # The tiny suite must use its own coverage settings, not this run's.
    inner_pytest_environment(monkeypatch)
    # no:hypothesispytest: the tiny suite has no property tests, and importing
    # Hypothesis in the controller and both workers cost 0.4 s of each run.
    options = ["-n", "2", "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
    result = pytester.runpytest_subprocess(*options, "--cov", "--cov-report=term-missing")
    result.assert_outcomes(passed=3)
    return result


def test_repository_settings_measure_workers_subprocesses_and_live_server(pytester, monkeypatch):
    """
    GIVEN functions that run only in an xdist worker, a subprocess and the live server
    WHEN the tiny suite runs under -n 2 --cov with this repository's settings
    THEN every line of the package is reported as covered
    """
    write_project(pytester)

    result = run_with_coverage(pytester, monkeypatch)

    result.stdout.fnmatch_lines(["pkg/code.py * 100%"])


@pytest.mark.parametrize(
    ("drop", "missed_line"),
    [
        pytest.param(("patch", "subprocess"), 'return "subprocess"', id="without-patch-subprocess"),
        pytest.param(("concurrency", "multiprocessing"), 'return "live"', id="without-multiprocessing"),
    ],
)
def test_each_setting_is_needed(pytester, monkeypatch, drop, missed_line):
    """
    GIVEN this repository's settings with one of them removed
    WHEN the tiny suite runs under -n 2 --cov
    THEN the report misses the line that setting was there to measure
    """
    write_project(pytester, drop=drop)

    result = run_with_coverage(pytester, monkeypatch)

    source = PACKAGE["pkg/code.py"].splitlines()
    line_number = source.index(f"    {missed_line}") + 1
    report = next(line for line in result.stdout.lines if line.startswith("pkg/code.py"))
    missing = report.split("%", 1)[1]  # the "Missing" column, e.g. " 7, 14-15"
    assert "100%" not in report
    assert re.search(rf"\b{line_number}\b", missing), report
