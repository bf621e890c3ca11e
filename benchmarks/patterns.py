"""What the harness's cheapest test patterns cost per test (part of ``make bench``'s measurement 6).

Each pattern is generated as a suite at two sizes and run plain and under
branch coverage: the difference between the sizes is the cost of the extra
tests alone, without start-up (importing the app, building the schema).
"""

from isolation import SAVEPOINT_CONFTEST
from running import PYTEST, ROOT, TRIVIAL_TEST, project_ini, python_path, setup_cfg_section
from tables import table as markdown_table

# The cheapest things a test of this app does, each run by the root conftest
# (except the first: the floor's empty test, without it).
PATTERNS = {
    "empty test, no conftest (the floor)": TRIVIAL_TEST,
    "empty test, harness fixtures only": TRIVIAL_TEST,
    "`app` (a connection and a transaction)": """
def test_app_{n}(app):
    assert app.testing
""",
    '`client.get("/about")` (a page, no query)': """
def test_about_{n}(client):
    assert "About" in client.get("/about").text
""",
    "`user` (factory: insert, commit, reload)": """
def test_user_{n}(user):
    assert user.id
""",
    '`user_client.get("/")` (user, log-in, a page with queries)': """
def test_home_{n}(user_client):
    assert user_client.get("/").status_code == 200
""",
}
SIZES = (50, 250)
# The legs' names start with it, to tell them from the suite's.
PREFIX = "pattern: "


def write_patterns(folder):
    """A generated suite per pattern and size: {(name, size): folder}."""
    suites = {}
    for index, (name, template) in enumerate(PATTERNS.items()):
        for size in SIZES:
            suite = folder / f"pattern_{index}_{size}"
            suite.mkdir(parents=True)
            (suite / "pytest.ini").write_text(project_ini())
            # The project's coverage settings (branch, source=sample_app, ...).
            (suite / ".coveragerc").write_text(setup_cfg_section("coverage:run", "run"))
            if index:
                (suite / "conftest.py").write_text(SAVEPOINT_CONFTEST)
            (suite / "test_pattern.py").write_text("".join(template.format(n=n) for n in range(size)))
            suites[name, size] = suite
    return suites


def legs(folder, env):
    """Each pattern at each size, plain and under coverage."""
    # The generated suites load the root conftest, which imports tests.factories.
    pattern_env = dict(env, PYTHONPATH=python_path(ROOT, env))
    cov = ["--cov", "--cov-report=", "--cov-config=.coveragerc"]
    pattern_legs = {}
    for (name, size), suite in write_patterns(folder).items():
        pattern_legs[f"{PREFIX}{name} @ {size}"] = ([*PYTEST, "test_pattern.py"], suite, pattern_env)
        pattern_legs[f"{PREFIX}{name} @ {size} cov"] = ([*PYTEST, "test_pattern.py", *cov], suite, pattern_env)
    return pattern_legs


def caption():
    small, big = SIZES
    return (
        f"What this harness's cheapest test patterns cost: a generated suite of each at {small} and "
        f"{big} tests, plain and under branch coverage; the cost per test is the slope between "
        "the two sizes, the fixed cost (start-up) what is left:"
    )


def table(results):
    """``results``: the legs' results, named without PREFIX."""
    small, big = SIZES

    def slope(name, suffix=""):
        """(ms per test, fixed seconds) from the two sizes."""
        t_small = results[f"{name} @ {small}{suffix}"]["median"]
        t_big = results[f"{name} @ {big}{suffix}"]["median"]
        per_test = (t_big - t_small) / (big - small)
        return per_test * 1000, t_small - per_test * small

    rows = []
    for name in PATTERNS:
        (plain, fixed), (covered, covered_fixed) = slope(name), slope(name, " cov")
        rows.append(
            [name, f"{plain:.2f}", f"{fixed:.2f}", f"{covered:.2f}", f"{covered_fixed:.2f}", f"{covered / plain:.2f}×"]
        )
    header = [
        "pattern (SQLite)",
        "ms / test",
        "fixed s",
        "ms / test, coverage",
        "fixed s, coverage",
        "coverage / plain",
    ]
    return markdown_table(header, rows)
