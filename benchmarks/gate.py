"""``make bench --only gate``: what ``make test`` runs against a plain serial run of the same
tests, and against ``make test-whole``, the gated run before tests/meta left it.

The gated runs are exactly ``make test`` and ``make test-whole`` (every core, coverage, their
reports and the 100% gate), their reports written to the temporary folder; the plain serial
run is make test's tests in one process without coverage, and the base the test-changed runs
are quoted against too.
"""

from running import EVERY_CORE, PYTEST, ROOT
from tables import ratio_table

# make test's selection; make test-whole's is the same with tests/meta (Makefile).
WHOLE = ["-m", "not e2e and not celery"]
PATTERN_TESTS = [*WHOLE, "--ignore=tests/meta"]
# The run the gate is compared with: the same tests, serial, no coverage.
PLAIN_SERIAL = [*PYTEST, "-q", *PATTERN_TESTS, "-p", "no:randomly"]

# As suite.SUITE_ROWS: (leg, label, ratio name, base leg, target name).
ROWS = [
    ("plain serial", "plain serial: make test's tests, one process, no coverage", None, None, None),
    (
        "gated",
        "gated: `make test` (every core, coverage, HTML, XML and JUnit reports, 100% gate)",
        "gated / plain serial",
        "plain serial",
        "gated / plain serial",
    ),
    (
        "gated whole",
        "before: `make test-whole` (tests/meta included, as `make test` was)",
        "make test-whole / make test",
        "gated",
        "make test-whole / make test",
    ),
]


def gated_command(tmp, selection):
    """Exactly what `make test` (or `make test-whole`) runs, the 100% gate included; its reports go to ``tmp``."""
    reports = [
        f"--cov-report=html:{tmp}/htmlcov",
        f"--cov-report=xml:{tmp}/coverage.xml",
        f"--junitxml={tmp}/junit.xml",
    ]
    return [*PYTEST, *selection, *EVERY_CORE, "--cov", "--cov-report=term", *reports]


def plain_serial_leg(env):
    return {"plain serial": (PLAIN_SERIAL, ROOT, env)}


def gated_leg(tmp, env):
    return {
        "gated": (gated_command(tmp, PATTERN_TESTS), ROOT, env),
        "gated whole": (gated_command(tmp, WHOLE), ROOT, env),
    }


def report(measured):
    caption = (
        "The gate against a plain serial run of the same tests, and against the gated run before "
        "tests/meta moved to `make test-meta` (all in the interleaved rounds; the gated runs' reports "
        "go to a temporary folder):"
    )
    return ["", caption, "", ratio_table(measured, ROWS)]
