"""``make bench --only inner``: rerunning one small module against pytest's floor for one test."""

from running import PYTEST, ROOT, TRIVIAL_TEST, project_ini
from tables import ratio_table

# The inner loop: rerunning one small module after an edit.
ONE_MODULE = [*PYTEST, "-q", "tests/unit/test_text.py"]

# As suite.SUITE_ROWS: (leg, label, ratio name, base leg, target name).
ROWS = [
    ("single-test floor", "single-test floor: one trivial test, the project's settings", None, None, None),
    (
        "one module",
        "one module: `pytest -q tests/unit/test_text.py`",
        "one module / single-test floor",
        "single-test floor",
        "one module / single-test floor",
    ),
]


def legs(folder, env):
    """One small module of the suite, and pytest's floor for one test with the project's settings."""
    (folder / "tests").mkdir(parents=True)  # the settings' testpaths
    (folder / "pytest.ini").write_text(project_ini())
    (folder / "tests" / "test_single.py").write_text(TRIVIAL_TEST.format(n=0))
    return {
        "single-test floor": ([*PYTEST, "-q"], folder, env),
        "one module": (ONE_MODULE, ROOT, env),
    }


def report(measured):
    caption = (
        "The inner loop: one small module of the suite against pytest with the project's settings "
        "running a single trivial test:"
    )
    return ["", caption, "", ratio_table(measured, ROWS)]
