"""The transplant test: the core conftest.py, copied into apps it was not written for.

Patterns: transplant test of the harness; testing the harness with pytester;
developer environment kept out of tests; listeners on the app's session kept by
the harness; several databases isolated; factory_boy factories in the test transaction;
shadowed harness fixtures refused; opt-in context for a whole test; context-leak guard.

Two small apps of other shapes live in tests/meta/transplant_apps/. Each test
below copies one of them into a temporary folder, with the root ``conftest.py``
copied byte for byte except the block marked "YOUR APP", which it fills, like
every other file docs/copying-the-harness.md asks a user to write, with the code it shows
for that app (``<!-- transplant: APP PATH -->`` before a code block). It then
runs the app's tests, isolation proof included, in random order, serially and
under ``-n 2``, on this run's backend, with hostile values exported. Nothing is
installed. A recipe of that page, the repository's own block and the core that drift
apart fail here.
"""

import ast
import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, copy_recipes, inner_database_variables, inner_pytest_environment

APPS = Path(__file__).resolve().parent / "transplant_apps"
BLOCK_START = "# --- YOUR APP"
BLOCK_END = "# --- END OF YOUR APP"
# What the core takes from the block.
BLOCK_NAMES = {"APP_ENVIRONMENT", "create_test_app", "add_reference_data"}
# Values a developer's shell might hold for these apps (a .env for another project).
HOSTILE_ENVIRONMENT = {
    "SECRET_KEY": "short",
    "DATABASE_URL": "sqlite:////nonexistent/developer.sqlite",
    "POSTS_PER_PAGE": "50",
    "INVENTORY_SECRET_KEY": "short",
    "INVENTORY_LOW_STOCK": "100",
    "LIBRARY_LOAN_LIMIT": "100",
    "LIBRARY_DATABASE_URL": "sqlite:////nonexistent/library.sqlite",
    "LIBRARY_AUDIT_DATABASE_URL": "sqlite:////nonexistent/audit.sqlite",
    "SHOP_DATABASE_URL": "sqlite:////nonexistent/shop.sqlite",
    "FLASK_DEBUG": "1",
}

pytestmark = pytest.mark.slow


def split_core(text):
    """``(before, block, after)``: the lines up to and including the start
    marker, the block's lines, and the lines from the end marker on."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(BLOCK_START)]
    ends = [i for i, line in enumerate(lines) if line.startswith(BLOCK_END)]
    assert len(starts) == len(ends) == 1, "conftest.py must have one start and one end marker"
    start, end = starts[0], ends[0]
    return "".join(lines[: start + 1]), "".join(lines[start + 1 : end]), "".join(lines[end:])


def top_level_names(code):
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def transplant(app_name, destination):
    """Copy the app and write the files docs/copying-the-harness.md gives for it."""
    shutil.copytree(APPS / app_name, destination, dirs_exist_ok=True)
    before, _, after = split_core((ROOT / "conftest.py").read_text(encoding="utf-8"))
    for (app, path), code in copy_recipes().items():
        if app not in (app_name, "*"):
            continue
        if path == "conftest-block":
            (destination / "conftest.py").write_text(f"{before}{code}\n{after}", encoding="utf-8")
        else:
            (destination / path).write_text(code, encoding="utf-8")


def test_readme_has_a_block_for_each_transplant_app():
    # GIVEN the copying page
    # WHEN its recipes are collected
    recipes = copy_recipes()

    # THEN each app has a conftest block, and all apps share the setup.cfg recipe
    assert {
        ("inventory", "conftest-block"),
        ("blog", "conftest-block"),
        ("library", "conftest-block"),
        ("shop", "conftest-block"),
        ("shop", "tests/conftest.py"),
        ("*", "setup.cfg"),
    } <= set(recipes)


@pytest.mark.parametrize("app_name", ["inventory", "blog", "library", "shop"])
def test_each_readme_block_defines_what_the_core_needs(app_name):
    # GIVEN a block of the copying page, and this repository's own block
    _, own_block, _ = split_core((ROOT / "conftest.py").read_text(encoding="utf-8"))
    recipe_block = copy_recipes()[(app_name, "conftest-block")]

    # WHEN their top-level names are read
    own_names, recipe_names = top_level_names(own_block), top_level_names(recipe_block)

    # THEN both define every name the core takes from the block
    assert own_names >= BLOCK_NAMES
    assert recipe_names >= BLOCK_NAMES


@pytest.mark.parametrize(("app_name", "tests"), [("inventory", 6), ("blog", 5), ("library", 5), ("shop", 5)])
def test_core_conftest_runs_a_transplanted_apps_tests(pytester, monkeypatch, backend, database_url, app_name, tests):
    # GIVEN an app of another shape with the core conftest.py and the copying page's
    # recipes copied in, and a shell exporting hostile values for its settings
    transplant(app_name, pytester.path)
    inner_pytest_environment(
        monkeypatch, **HOSTILE_ENVIRONMENT, **inner_database_variables(backend, database_url, app_name)
    )

    # WHEN its tests run in random order, serially and then under -n 2, on this run's backend
    serial = pytester.runpytest_subprocess("-p", "randomly", "-p", "no:cacheprovider")
    parallel = pytester.runpytest_subprocess("-p", "randomly", "-p", "no:cacheprovider", "-n", "2")

    # THEN every test passes: isolation, reference data, the app's own session
    # class and listeners, its settings untouched by the shell
    serial.assert_outcomes(passed=tests)
    parallel.assert_outcomes(passed=tests)


def test_an_apps_own_app_fixture_stops_the_run_naming_its_line(pytester, monkeypatch):
    # GIVEN shop with the core conftest.py, but its own tests/conftest.py kept as it
    # was (an ``app`` fixture of its own, a context pushed, tables made per test)
    transplant("shop", pytester.path)
    shutil.copy(APPS / "shop" / "tests" / "conftest.py", pytester.path / "tests" / "conftest.py")
    inner_pytest_environment(monkeypatch)

    # WHEN its tests run
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    # THEN the run stops before any test, naming that fixture's file and line and the fixes
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: `app` defined at tests/conftest.py:11 replaces the harness's `app` (conftest.py) for 5 test(s)*",
            "*Either delete that fixture and use the harness's*`def app(app): ...`*@pytest.mark.own_app*",
        ]
    )


def test_flask_test_command_runs_the_suite_inside_its_app_context(pytester, monkeypatch, backend, database_url):
    # GIVEN shop, moved onto the harness, whose ``flask test`` command calls
    # ``pytest.main()`` inside the command's app context
    transplant("shop", pytester.path)
    inner_pytest_environment(monkeypatch, **inner_database_variables(backend, database_url, "shop_cli"))

    # WHEN the command runs
    result = pytester.run(
        sys.executable, "-m", "flask", "--app", "shop", "test", "-p", "no:randomly", "-p", "no:cacheprovider"
    )

    # THEN the suite passes and the command exits 0: the guard leaves the command's context alone
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*5 passed*"])
