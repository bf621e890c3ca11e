"""Running pytest for ``make bench``: its commands, timed runs, and what its output says.

Every measurement of benchmarks/bench.py is a set of legs, name -> (command,
working folder, environment), run here in interleaved rounds.
"""

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest"]
NOT_E2E = ["-m", "not e2e and not celery"]  # as make test selects (the browser and worker legs apart)
# What `make test` measures, minus the HTML/XML files (artifacts, not measurement)
# and the 100% gate (a gap must not abort the benchmark; `make test` enforces it).
COVERAGE = ["--cov", "--cov-report=term", "--cov-fail-under=0"]
# Coverage measured, no report, no gate: part of the suite covers part of the app.
COVERAGE_NO_GATE = ["--cov", "--cov-report=", "--cov-fail-under=0"]
# `make test`'s workers: one per core, idle ones stealing work.
EVERY_CORE = ["-n", "auto", "--dist", "worksteal"]

# Outcomes in pytest's summary line that mean a test ran.
RAN = ("passed", "failed", "error", "errors", "xfailed", "xpassed")

TRIVIAL_TEST = """
def test_nothing_{n}():
    assert {n} == {n}
"""


def base_environment(tmp):
    # Coverage data goes to the temporary folder, not over the repository's .coverage.
    env = dict(os.environ, COVERAGE_FILE=str(Path(tmp) / ".coverage"))
    env.pop("TEST_DATABASE_URL", None)
    return env


def python_path(folder, env):
    """PYTHONPATH with ``folder`` first."""
    return os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))


def with_plugin(tmp, name, source, env, out_variable):
    """``env`` that lets pytest load ``source`` as ``-p name``; the file it writes to is in ``out_variable``."""
    (Path(tmp) / f"{name}.py").write_text(source)
    out = Path(tmp) / f"{name}.json"
    return dict(env, PYTHONPATH=python_path(tmp, env), **{out_variable: str(out)}), out


def run(cmd, cwd, env):
    """Run one pytest command; return (seconds, completed process)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def setup_cfg_section(name, header):
    """A section of setup.cfg, verbatim, under another header."""
    lines = (ROOT / "setup.cfg").read_text().splitlines()
    start = lines.index(f"[{name}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    return "\n".join([f"[{header}]", *lines[start + 1 : end]]) + "\n"


def project_ini():
    """setup.cfg's [tool:pytest] section as a pytest.ini."""
    return setup_cfg_section("tool:pytest", "pytest")


def summary_line(output):
    lines = [line for line in output.splitlines() if line.startswith("=") and (" in " in line)]
    if lines:
        return lines[-1].strip("= ")
    return output.strip().splitlines()[-1] if output.strip() else "no output"


def failure(proc):
    """Why a run failed: the coverage gate's verdict when that failed (every test may pass), else pytest's summary."""
    gate = re.search(r"^FAIL Required test coverage.*$", proc.stdout, re.MULTILINE)
    return f"exit {proc.returncode}: {gate.group(0) if gate else summary_line(proc.stdout)}"


def tests_run(summary):
    """How many tests ran, from pytest's summary line ("381 passed, 292 deselected in 3.10s")."""
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}
    return sum(counts.get(word, 0) for word in RAN)


def measure_legs(legs, repeat):
    """Run every leg ``repeat`` times, interleaved. Returns name -> dict."""
    results = {name: {"times": [], "failed": None, "output": "", "errors": ""} for name in legs}
    for round_no in range(1, repeat + 1):
        for name, (cmd, cwd, env) in legs.items():
            seconds, proc = run(cmd, cwd, env)
            result = results[name]
            result["times"].append(seconds)
            result["output"] = proc.stdout
            result["errors"] = proc.stderr
            if proc.returncode != 0:
                result["failed"] = failure(proc)
            print(f"  round {round_no}/{repeat}  {seconds:6.2f} s  {name}", file=sys.stderr, flush=True)
    for result in results.values():
        result["median"] = statistics.median(result["times"])
    return results
