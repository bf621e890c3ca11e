"""Run the suite many times in random order and report flaky tests.

Each round runs the suite (without e2e) once serially and once under
``-n 2``, in random order with its own seed (pytest-randomly). A test that
failed in some runs and passed in others is flaky: it is printed with the
seed and mode that failed, so the failure can be replayed with
``pytest -p randomly --randomly-seed=SEED [-n 2]``.

Usage: python scripts/flake_hunt.py [--runs 20] [--postgres URL] [--first-seed 1]
Exit status: 0 when no test is flaky or failing, 1 otherwise.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = {"serial": [], "xdist": ["-n", "2"]}


def outcomes(junit_path):
    """``{test id: "passed" | "failed" | "skipped"}`` from a JUnit XML file."""
    results = {}
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            results[test_id] = "failed"
        elif case.find("skipped") is not None:
            results[test_id] = "skipped"
        else:
            results[test_id] = "passed"
    return results


def run_once(seed, mode, env, folder):
    junit = folder / f"seed{seed}-{mode}.xml"
    command = [sys.executable, "-m", "pytest", "-m", "not e2e", "-q", "-p", "no:cacheprovider"]
    command += ["-p", "randomly", f"--randomly-seed={seed}", f"--junitxml={junit}", *MODES[mode]]
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if not junit.exists():
        sys.exit(f"pytest did not run (seed {seed}, {mode}):\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    return outcomes(junit)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="rounds (each: one serial and one -n 2 run)")
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (TEST_DATABASE_URL)")
    parser.add_argument("--first-seed", type=int, default=1)
    args = parser.parse_args()

    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    if args.postgres:
        env["TEST_DATABASE_URL"] = args.postgres
    backend = "PostgreSQL" if args.postgres else "SQLite"

    history = defaultdict(list)  # test id -> [(seed, mode, outcome)]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.first_seed, args.first_seed + args.runs):
            for mode in MODES:
                results = run_once(seed, mode, env, Path(tmp))
                failed = sum(outcome == "failed" for outcome in results.values())
                print(f"{backend} seed {seed:>4} {mode:<6} {len(results)} tests, {failed} failed", flush=True)
                for test_id, outcome in results.items():
                    history[test_id].append((seed, mode, outcome))

    flaky, broken = {}, {}
    for test_id, runs in history.items():
        seen = {outcome for _, _, outcome in runs}
        if "failed" in seen and "passed" in seen:
            flaky[test_id] = [(seed, mode) for seed, mode, outcome in runs if outcome == "failed"]
        elif seen == {"failed"}:
            broken[test_id] = runs
    runs_done = args.runs * len(MODES)
    print(f"\n{runs_done} runs on {backend} in {time.perf_counter() - start:.0f} s, {len(history)} tests")
    for test_id, failures in sorted(flaky.items()):
        replays = ", ".join(f"--randomly-seed={seed}{' -n 2' if mode == 'xdist' else ''}" for seed, mode in failures)
        print(f"FLAKY {test_id}: failed in {len(failures)} of {runs_done} runs; replay with {replays}")
    for test_id in sorted(broken):
        print(f"ALWAYS FAILS {test_id}")
    if not flaky and not broken:
        print("No flaky test: every test passed (or was skipped) in every run.")
    return 1 if flaky or broken else 0


if __name__ == "__main__":
    sys.exit(main())
