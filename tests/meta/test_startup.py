"""What a run of plain tests loads: nothing of the app's stack, of Hypothesis or of Faker.

Patterns: a plain-function test run that does not load the app; testing the harness
with pytester.

A developer runs one test many times an hour, and start-up is most of its time.
The root conftest imports the app inside its fixtures, tests/fixtures/hypothesis_profiles.py
unregisters Hypothesis's plugin when no collected test uses Hypothesis (its terminal
summary would import all of it), and setup.cfg turns Faker's plugin off.
"""

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
