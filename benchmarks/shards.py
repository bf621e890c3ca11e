"""``make bench --only shards``: the suite split in two by ``.test_durations``, as ``make test-shard`` splits it."""

import statistics

from running import COVERAGE_NO_GATE, EVERY_CORE, NOT_E2E, PYTEST, ROOT, summary_line, tests_run
from tables import seconds_cell, table

# `make test-shard`'s split: SHARDS=2, by the durations `make test-durations` records.
SHARDS = 2
DURATIONS = ".test_durations"
NAMES = [f"shard {group} of {SHARDS}" for group in range(1, SHARDS + 1)]


def missing():
    """True when there are no recorded durations to split by (the shards are then skipped)."""
    return not (ROOT / DURATIONS).exists()


def legs(env):
    """Each shard of `make test-shard` (SHARDS of them), split by the recorded durations."""
    shard_legs = {}
    for group, name in enumerate(NAMES, start=1):
        split = ["--splits", str(SHARDS), "--group", str(group), "--durations-path", DURATIONS]
        shard_legs[name] = ([*PYTEST, *NOT_E2E, *EVERY_CORE, *split, *COVERAGE_NO_GATE], ROOT, env)
    return shard_legs


def shard_table(results):
    """Each shard's tests and median, and how far the slowest is above the mean."""
    rows = [[name, tests_run(summary_line(results[name]["output"])), seconds_cell(results[name])] for name in NAMES]
    medians = [results[name]["median"] for name in NAMES]
    balance = max(medians) / statistics.mean(medians)
    rows.append(["slowest shard / mean of shards", "", f"{balance:.2f}×"])
    return table(["shard", "tests", "median s"], rows)


def report(measured, skipped):
    if skipped:
        return ["", f"Shards skipped: no `{DURATIONS}` in the repository; run `make test-durations`."]
    caption = (
        f"The suite in {SHARDS} shards split by `{DURATIONS}`, as `make test-shard` runs them (every core, "
        "coverage without reports or gate):"
    )
    return ["", caption, "", shard_table(measured)]
