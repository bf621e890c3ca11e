"""What a run of plain tests loads (nothing of the app's stack, of Hypothesis or of Faker),
and what the collector scans after collection (none of what collection made).

Patterns: a plain-function test run that does not load the app; the objects collection
made frozen out of the garbage collector; testing the harness with pytester.

A developer runs one test many times an hour, and start-up is most of its time.
The root conftest imports the app inside its fixtures, tests/fixtures/hypothesis_profiles.py
unregisters Hypothesis's plugin when no collected test uses Hypothesis (its terminal
summary would import all of it), and setup.cfg turns Faker's plugin off. The root
conftest also collects garbage rarely while collecting, then freezes what survived
(``gc.freeze``): the app's and its frameworks' objects are not scanned again.
"""

import subprocess
import sys

import pytest

from tests.helpers import ROOT, inner_pytest_environment, repository_settings

pytestmark = pytest.mark.slow

HEAVY = ("flask", "sqlalchemy", "hypothesis", "faker")

# Loaded last (-p) and run after the terminal summary: what the run imported by then.
PROBE = f"""
import sys


def pytest_unconfigure(config):
    print("imported:", sorted(name for name in {HEAVY!r} if name in sys.modules))
"""


def test_run_of_a_plain_test_imports_no_app_hypothesis_or_faker(pytester, monkeypatch):
    # GIVEN this repository's settings and root conftest (tests/fixtures/ loaded), and one plain test
    pytester.makefile(".cfg", setup=repository_settings())
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(probe=PROBE, test_plain="def test_plain():\n    assert 1 + 1 == 2\n")
    inner_pytest_environment(monkeypatch, PYTHONPATH=f"{pytester.path}:{ROOT}")

    # WHEN it runs in a new pytest process, serially
    result = pytester.runpytest_subprocess("-p", "probe", "-p", "no:cacheprovider", "test_plain.py")

    # THEN it passed, and none of those packages was imported
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["imported: []"])


# Made while collection imports the module: an object the collector tracks (a list).
FROZEN_PROBE = """
import gc

MADE_AT_COLLECTION = []
THRESHOLD_AT_COLLECTION = gc.get_threshold()


def test_collector_state():
    print("at collection:", THRESHOLD_AT_COLLECTION[0])
    print("in the test:", gc.get_threshold())
    print("tracked:", any(o is MADE_AT_COLLECTION for o in gc.get_objects()))
"""


def test_objects_made_at_collection_are_frozen_out_of_the_collector(pytester, monkeypatch):
    # GIVEN the root conftest, and a test module that makes a list at import
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_probe=FROZEN_PROBE)
    inner_pytest_environment(monkeypatch, PYTHONPATH=f"{pytester.path}:{ROOT}")

    # WHEN it runs in a new pytest process
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "-p", "no:randomly")

    # THEN collection ran with a high threshold, the test with Python's own, and the
    # list is in no generation the collector scans
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*at collection: 100000", f"in the test: {python_default_threshold()}", "tracked: False"]
    )


def python_default_threshold():
    command = [sys.executable, "-c", "import gc; print(gc.get_threshold())"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
