"""The flake hunt's verdict: scripts/flake_hunt.py's summary of many runs.

Patterns: flake hunt; expected values written in the test.

The hunt itself runs CI's legs for half an hour, far too long for a test; its
verdict is a plain function, so the part that says "flaky" or "no failure", and
the exit status a CI job or a person trusts, is tested on made-up runs.
"""

from scripts.flake_hunt import summary

DURATIONS = {"test": [40.0, 44.0, 50.0], "test-postgres": [55.0, 58.0, 61.0]}


def test_hunt_without_failures_says_so_and_exits_0():
    # GIVEN three runs of two legs, none failed (no leg has a failure entry)
    failures = {}

    # WHEN the hunt's summary is made
    text, status = summary(3, DURATIONS, failures)

    # THEN it gives each leg's median, says no run failed, and exits 0
    assert text.splitlines() == [
        "leg                    runs  failed  median s",
        "test                      3       0      44.0",
        "test-postgres             3       0      58.0",
        "No failure: every run of every leg passed.",
    ]
    assert status == 0


def test_legs_listed_with_no_failed_run_still_count_as_passed():
    # GIVEN failures recorded in a defaultdict that holds an empty list for each leg
    failures = {"test": [], "test-postgres": []}

    # WHEN the hunt's summary is made
    text, status = summary(3, DURATIONS, failures)

    # THEN no run counts as failed, and it exits 0
    assert text.endswith("No failure: every run of every leg passed.")
    assert status == 0


def test_failed_runs_are_listed_with_their_seed_and_the_flaky_test_counted():
    # GIVEN one leg that failed twice on the same test, once with a seed
    failures = {"test": [(1, ["tests/unit/test_a.py::test_x"], "42"), (3, ["tests/unit/test_a.py::test_x"], None)]}

    # WHEN the hunt's summary is made
    text, status = summary(3, DURATIONS, failures)

    # THEN each failed run is listed, the test is counted flaky 2 of 3, and it exits 1
    assert text.splitlines()[1:] == [
        "test                      3       2      44.0",
        "test-postgres             3       0      58.0",
        "FAILED test run 1 (seed 42): tests/unit/test_a.py::test_x",
        "FAILED test run 3: tests/unit/test_a.py::test_x",
        "FLAKY test: tests/unit/test_a.py::test_x: failed in 2 of 3 runs",
    ]
    assert status == 1


def test_run_that_failed_without_a_failed_test_blames_the_gate():
    # GIVEN a run that exited non-zero with every test passed (the coverage gate failed)
    failures = {"test-postgres": [(2, [], None)]}

    # WHEN the hunt's summary is made
    text, status = summary(3, DURATIONS, failures)

    # THEN the run is listed as failed by the gate or the session, and it exits 1
    assert "FAILED test-postgres run 2: no test failed: the gate or the session did" in text
    assert status == 1
