"""The harness's guard against contexts left pushed, seen failing a test that leaks one.

Patterns: context-leak guard; testing the harness with pytester.

The root conftest's ``_no_context_leak`` fails a test that ends with an app or
request context still pushed, and pops it: a context left over would carry ``g``
and the session into the next test. The test below copies the root conftest into
a fresh pytest project and runs a suite of two tests there, in this process: had
the guard not popped the context, this test's own guard would report the leak.
"""

from tests.helpers import ROOT, inner_pytest_environment

LEAKING_SUITE = """
import flask

def test_forgets_to_pop():
    flask.Flask("leaky").app_context().push()

def test_runs_after_the_leak():
    assert not flask.has_app_context()
"""


def test_guard_fails_a_test_that_leaves_an_app_context_pushed(pytester, monkeypatch):
    # GIVEN the root conftest in a fresh project, and a test there that pushes an app context and never pops it
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_leak=LEAKING_SUITE)
    inner_pytest_environment(monkeypatch)

    # WHEN the suite runs, in this process (about 0.1 s; a subprocess re-imports everything: 0.7 s)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    # THEN the guard fails that test at teardown and pops the context: the next test runs clean
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_forgets_to_pop*", "*test left contexts pushed*"])
