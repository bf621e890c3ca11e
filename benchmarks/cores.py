"""``make bench --only cores``: tests/unit on each Python's virtualenv, plain and under each coverage core.

When coverage.py refuses ``COVERAGE_CORE=sysmon``, its ``no-sysmon`` warning is an
error under the project's ``filterwarnings = error``: the run stops at once,
and the table shows the warning's reason instead of a time.
"""

import re
import subprocess

from running import COVERAGE_NO_GATE, ROOT
from tables import seconds_cell, table

# One virtualenv per interpreter, named as the Makefile names them.
VENVS = (".venv", ".venv-3.12", ".venv-3.13")
COVERAGE_CORES = ("ctrace", "sysmon")


def interpreter_version(python):
    """A venv's Python version, as its interpreter reports it ("3.12.1")."""
    proc = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    )
    return proc.stdout.strip()


def legs(env):
    """tests/unit on each venv's Python, plain and under each coverage core.

    Returns (legs, {venv: Python version} for the venvs found, [venvs skipped]).
    """
    core_legs, versions, skipped = {}, {}, []
    for venv in VENVS:
        python = ROOT / venv / "bin" / "python"
        if not python.exists():
            skipped.append(venv)
            continue
        versions[venv] = interpreter_version(python)
        unit = [str(python), "-m", "pytest", "-q", "-p", "no:randomly", "tests/unit"]
        core_legs[f"cores {venv}: plain"] = (unit, ROOT, env)
        for core in COVERAGE_CORES:
            # The repository's coverage settings (branch = True) apply.
            core_legs[f"cores {venv}: {core}"] = ([*unit, *COVERAGE_NO_GATE], ROOT, dict(env, COVERAGE_CORE=core))
    return core_legs, versions, skipped


def sysmon_refusal(result):
    """Why coverage.py would not use COVERAGE_CORE=sysmon (its no-sysmon warning), or None."""
    # The warning's own line, not the source line a traceback quotes.
    pattern = r"CoverageWarning: Can't use core=sysmon: (.+?), using default core"
    match = re.search(pattern, result["output"] + result["errors"])
    return match.group(1) if match else None


def cores_table(results, versions):
    """Per venv: tests/unit plain, under ctrace, and under sysmon or why coverage.py refused it."""
    rows = []
    for venv, version in versions.items():
        plain, ctrace, sysmon = (results[f"cores {venv}: {name}"] for name in ("plain", *COVERAGE_CORES))
        row = [f"{version} (`{venv}`)", seconds_cell(plain), seconds_cell(ctrace)]
        row.append(f"{ctrace['median'] / plain['median']:.2f}×")
        refusal = sysmon_refusal(sysmon)
        if refusal:
            row += [f"refused: {refusal} (warning `no-sysmon`)", ""]
        else:
            row += [seconds_cell(sysmon), f"{sysmon['median'] / plain['median']:.2f}×"]
        rows.append(row)
    header = ["Python", "plain s", "ctrace s", "ctrace / plain", "sysmon s", "sysmon / plain"]
    return table(header, rows)


def report(measured, versions, skipped):
    caption = (
        "Coverage cores: `tests/unit`, serial, plain and under branch coverage with each "
        "`COVERAGE_CORE` (the repository's coverage settings), on each Python's virtualenv:"
    )
    parts = ["", caption, "", cores_table(measured, versions) if versions else "No virtualenv found."]
    if skipped:
        parts += ["", f"Skipped (no `bin/python`): {', '.join(f'`{venv}`' for venv in skipped)}."]
    return parts
