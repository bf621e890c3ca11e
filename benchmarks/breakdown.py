"""Where the serial SQLite run spends its time (part of ``make bench``'s measurement 6).

One extra run of the suite with a small timing plugin, plain and under
coverage: start-up, ``slow`` tests, Hypothesis properties and the rest, against
the budget the suite / floor target allows.
"""

import json

from running import NOT_E2E, PYTEST, ROOT, run, with_plugin
from tables import table as markdown_table

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


def profile_suite(env, tmp, *options):
    """One extra serial SQLite run with PROFILE_PLUGIN: (wall seconds, {test: (seconds, kind)})."""
    env, out = with_plugin(tmp, "bench_profile", PROFILE_PLUGIN, env, "BENCH_PROFILE_OUT")
    seconds, _ = run([*PYTEST, *NOT_E2E, "-p", "bench_profile", *options], ROOT, env)
    return seconds, json.loads(out.read_text())


def table(plain, covered, floor, count):
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
    return markdown_table(header, rows)
