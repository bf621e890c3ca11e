"""Run the CI test commands many times and report every run that failed.

What is hunted is what CI runs: the coverage-gated make targets, with the
backends and the shell .ci/run gives them. A run fails when a test fails or
when the coverage gate does (a line that ran but was not measured, say), so
both kinds of flakiness show. ``--load`` keeps one CPU-bound process per core
busy beside the suite for the whole hunt, as on a shared CI runner. The legs
take turns, round by round, so a slow spell of the machine hits them all.

Each failed test is printed with the leg and the run, and for ``test-random``
with the seed that replays its order (``make test-random
PYTEST_ARGS=-p\\ randomly\\ --randomly-seed=N``). Output of failed runs is kept
in the folder printed at the end.

Usage: python scripts/flake_hunt.py [--runs 10] [--load] [--legs test,test-postgres]
       [--postgres URL]
Exit status: 0 when every run of every leg passed, 1 otherwise.
"""

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/sample_app_test"
# The shell .ci/run gives test-random: settings a developer might export for another project.
HOSTILE_SHELL = {
    "SECRET_KEY": "short",
    "MAX_CONTENT_LENGTH": "10",
    "LOG_LEVEL": "DEBUG",
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "mail.invalid",
    "DATABASE_URL": "sqlite:////nonexistent/developer.sqlite",
    "FLASK_DEBUG": "1",
}
SEED = re.compile(r"--randomly-seed=(\d+)")


def legs(postgres_url):
    """leg name -> (make target, environment variables), as .ci/run runs them."""
    return {
        "test": ("test", {}),
        "test-postgres": ("test-postgres", {"TEST_PG_URL": postgres_url}),
        "test-random": ("test-random", HOSTILE_SHELL),
        "test-random-postgres": ("test-random", {"TEST_DATABASE_URL": postgres_url}),
    }


def failed_tests(junit_path):
    """Ids of the tests that failed or errored in a JUnit XML file."""
    failed = []
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname')}::{case.get('name')}")
    return failed


def run_leg(target, variables, junit, env):
    command = ["make", "--no-print-directory", target, f"PYTEST_ARGS=--junitxml={junit}"]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env={**env, **variables}, capture_output=True, text=True)
    output = completed.stdout + completed.stderr
    return completed.returncode, output, time.perf_counter() - start


def burn():
    while True:
        pass


def start_load():
    """One busy process per core, stopped at exit (daemonic)."""
    workers = [multiprocessing.Process(target=burn, daemon=True) for _ in range(os.cpu_count() or 1)]
    for worker in workers:
        worker.start()
    return workers


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs of each leg")
    parser.add_argument("--load", action="store_true", help="one CPU-bound process per core beside the suite")
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_POSTGRES, help="the PostgreSQL legs' database")
    parser.add_argument("--legs", help="comma-separated, from: " + ", ".join(legs(DEFAULT_POSTGRES)))
    args = parser.parse_args()

    all_legs = legs(args.postgres)
    chosen = args.legs.split(",") if args.legs else list(all_legs)
    unknown = [name for name in chosen if name not in all_legs]
    if unknown:
        parser.error(f"unknown leg(s): {', '.join(unknown)}")
    env = {key: value for key, value in os.environ.items() if key not in ("TEST_DATABASE_URL", *HOSTILE_SHELL)}
    env["HYPOTHESIS_PROFILE"] = "thorough"  # as .ci/run and the workflow run the properties
    kept = Path(tempfile.mkdtemp(prefix="flake-hunt-"))
    load = start_load() if args.load else []
    load_average = []
    failures = defaultdict(list)  # leg -> [(run, [test ids], seed)]
    durations = defaultdict(list)
    condition = "under load" if load else "on an idle machine"
    print(f"{args.runs} runs of {', '.join(chosen)}, {condition}, {os.cpu_count()} cores", flush=True)
    try:
        for run in range(1, args.runs + 1):
            for name in chosen:
                target, variables = all_legs[name]
                junit = kept / f"{name}-{run}.xml"
                returncode, output, seconds = run_leg(target, variables, junit, env)
                durations[name].append(seconds)
                load_average.append(os.getloadavg()[0])
                tests = failed_tests(junit) if junit.exists() else []
                seed = SEED.search(output)
                status = "passed"
                if returncode != 0:
                    (kept / f"{name}-{run}.log").write_text(output)
                    failures[name].append((run, tests, seed[1] if seed else None))
                    status = f"FAILED (exit {returncode}; {len(tests)} test(s); output in {kept / f'{name}-{run}.log'})"
                print(f"run {run:>3} {name:<21} {seconds:6.1f} s  {status}", flush=True)
    finally:
        for worker in load:
            worker.terminate()

    print(f"\nload average (1 min) during the runs: {min(load_average):.2f} to {max(load_average):.2f}")
    text, status = summary(args.runs, durations, failures)
    print(text)
    return status


def summary(runs, durations, failures):
    """The hunt's verdict: a table of the legs, every failed run, and the tests
    that failed, with the exit status (1 when any run failed).

    ``durations``: leg -> seconds of each run; ``failures``: leg -> [(run,
    [failed test ids], seed or None)], legs without failures may be absent.
    """
    lines = [f"{'leg':<21} {'runs':>5} {'failed':>7} {'median s':>9}"]
    for name, seconds in durations.items():
        median = sorted(seconds)[len(seconds) // 2]
        lines.append(f"{name:<21} {runs:>5} {len(failures.get(name, [])):>7} {median:>9.1f}")
    flaky = Counter()
    for name, failed_runs in failures.items():
        for run, tests, seed in failed_runs:
            replay = f" (seed {seed})" if seed else ""
            what = ", ".join(tests) or "no test failed: the gate or the session did"
            lines.append(f"FAILED {name} run {run}{replay}: {what}")
            flaky.update(f"{name}: {test}" for test in tests)
    lines.extend(f"FLAKY {test}: failed in {count} of {runs} runs" for test, count in flaky.most_common())
    failed = any(failures.values())
    if not failed:
        lines.append("No failure: every run of every leg passed.")
    return "\n".join(lines), 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
