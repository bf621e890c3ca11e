"""The suites benchmarks/versus_django.py times: what each side runs, and how.

Three sides, each a project folder of its own in a temporary folder, with the
same kinds of generated test (a plain function, one COUNT, one row and the list
page) at each size:

- repository: setup.cfg's ``[tool:pytest]`` and the root conftest.py re-exported
  as benchmarks/isolation.py's savepoint suite does, so its ``pytest_plugins``
  (tests/fixtures/) load, with every plugin of the virtualenv, and the plugin
  choices of its addopts (its ``-p no:...`` options) kept;
- inventory: the transplant app with the core conftest.py and the recipes of
  docs/copying-the-harness.md copied in by tests/meta/test_transplant.py's own
  ``transplant()``, plugin autoloading off: the harness and pytest alone;
- django: benchmarks/django_project/ with ``-p pytest_django.plugin`` and
  autoloading off: pytest-django and pytest alone.

pytest-django is not installed into the virtualenv: its plugin registers through an
entry point and would load into every pytest run there (the inner runs of tests/meta
that load tests/fixtures/live_server.py then get its ``live_server``, and fail).
Its version pinned in constraints.txt is installed once into ``<venv>/pytest-django``,
which only the django side has on its PYTHONPATH. Django itself is the ``bench`` extra.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from isolation import SAVEPOINT_CONFTEST
from postgres import own_database
from running import PYTEST, ROOT, TRIVIAL_TEST, project_ini, python_path, run, summary_line, tests_run

DJANGO_PROJECT = Path(__file__).resolve().parent / "django_project"
PLUGIN_DIR = Path(sys.prefix) / "pytest-django"
SIZES = (100, 600)
KINDS = ("plain", "count", "list")
SIDES = {"repository": "repository harness", "inventory": "core harness in `inventory`", "django": "pytest-django"}
# The plain function touches no database: one run serves both backends.
ANY = "any backend"
# Every side's command: serial, no cache, none of the ini's addopts (the method).
PLAIN = [*PYTEST, "-q", "-p", "no:cacheprovider", "-o", "addopts="]


def repository_plugins():
    """The ``-p`` options of setup.cfg's addopts (plugins it turns off): kept when addopts is emptied."""
    import configparser
    import shlex

    settings = configparser.ConfigParser()
    settings.read(ROOT / "setup.cfg")
    words = shlex.split(settings["tool:pytest"]["addopts"])
    return [word for i, word in enumerate(words) if "-p" in (word, words[i - 1] if i else None)]


# (side, kind) -> (module header, one test's template); the plain kind is TRIVIAL_TEST everywhere.
TESTS = {
    ("repository", "count"): (
        "from sample_app.models import Book\n",
        """
def test_count_{n}(app, db):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Book)) == 0
""",
    ),
    ("repository", "list"): (
        "",
        """
def test_list_{n}(make_book, client):
    make_book(title="Dune")
    assert "Dune" in client.get("/books/").text
""",
    ),
    ("inventory", "count"): (
        "from inventory.models import Item\n",
        """
def test_count_{n}(app, db):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == 0
""",
    ),
    ("inventory", "list"): (
        "from inventory.models import Category, Item\n",
        """
def test_list_{n}(app, db, client):
    with app.app_context():
        category = db.session.scalar(db.select(Category).limit(1))
        db.session.add(Item(sku="S-1", name="Screw", quantity=1, category=category))
        db.session.commit()
    assert client.get("/items/low").get_json()[0]["sku"] == "S-1"
""",
    ),
    ("django", "count"): (
        "import pytest\nfrom shelf.models import Book\n",
        """
@pytest.mark.django_db
def test_count_{n}():
    assert Book.objects.count() == 0
""",
    ),
    ("django", "list"): (
        "import pytest\nfrom shelf.models import Book\n",
        """
@pytest.mark.django_db
def test_list_{n}(client):
    Book.objects.create(title="Dune", isbn="9780441013593")
    assert "Dune" in client.get("/books/").content.decode()
""",
    ),
}


def pinned(name):
    """The version constraints.txt pins ``name`` to."""
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        package, _, version = line.partition("==")
        if package.strip().lower().replace("_", "-") == name:
            return version.strip()
    sys.exit(f"constraints.txt pins no {name}")


def install_pytest_django():
    """pytest-django, as pinned, in PLUGIN_DIR (once): outside the virtualenv's site-packages."""
    import importlib.util

    if importlib.util.find_spec("django") is None:
        sys.exit("Django is the bench extra: pip install -c constraints.txt -e '.[bench]'")
    version = pinned("pytest-django")
    if (PLUGIN_DIR / f"pytest_django-{version}.dist-info").is_dir():
        return
    print(f"installing pytest-django=={version} into {PLUGIN_DIR} (once)", file=sys.stderr)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade"]
    subprocess.run([*command, "--target", str(PLUGIN_DIR), f"pytest-django=={version}"], check=True)


def write_suites(tmp):
    """Each side's project folder with its generated test modules: {side: (folder, tests folder)}."""
    sys.path.insert(0, str(ROOT))  # tests.meta.test_transplant: the transplant test's own copy
    from tests.meta.test_transplant import transplant

    repository = tmp / "repository"
    repository.mkdir()
    (repository / "pytest.ini").write_text(project_ini())
    (repository / "conftest.py").write_text(SAVEPOINT_CONFTEST)
    transplant("inventory", tmp / "inventory")
    shutil.copytree(DJANGO_PROJECT, tmp / "django", ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    (tmp / "django" / "pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    (tmp / "django" / "tests").mkdir()
    suites = {"repository": (repository, repository), "inventory": (tmp / "inventory", tmp / "inventory" / "tests")}
    suites["django"] = (tmp / "django", tmp / "django" / "tests")
    for side, (_, tests) in suites.items():
        for kind in KINDS:
            header, template = TESTS.get((side, kind), ("", TRIVIAL_TEST))
            for size in SIZES:
                body = "".join(template.format(n=n) for n in range(size))
                (tests / f"test_{kind}_{size}.py").write_text(header + body)
    return suites


def side_environment(side, env, database):
    """How each side runs: its plugins, its path, its database (None: SQLite)."""
    env = dict(env)
    env.pop("PYTHONPATH", None)
    if side == "repository":
        env["PYTHONPATH"] = python_path(ROOT, env)  # the root conftest imports tests.fixtures
    else:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the harness alone; pytest-django alone
    if side == "django":
        env["PYTHONPATH"] = str(PLUGIN_DIR)
        env["DJANGO_SETTINGS_MODULE"] = "bookshelf_site.settings"
        if database:
            env["BENCH_DJANGO_DATABASE"] = json.dumps(database)
    elif database:
        env["TEST_DATABASE_URL"] = database
    return env


def databases(postgres):
    """{backend: {side: database}}: None for SQLite; on PostgreSQL one database per side."""
    found = {"SQLite": dict.fromkeys(SIDES)}
    if postgres:
        import sqlalchemy as sa

        found["PostgreSQL"] = {side: own_database(postgres, f"versus_{side}") for side in ("repository", "inventory")}
        url = sa.make_url(own_database(postgres, "versus_django"))
        # pytest-django creates test_<NAME> from it, and drops it after the run.
        found["PostgreSQL"]["django"] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": url.database,
            "USER": url.username or "",
            "PASSWORD": url.password or "",
            "HOST": url.host or "",
            "PORT": str(url.port or ""),
        }
    return found


def legs(suites, env, postgres):
    """{(backend, side, kind, size): (command, folder, environment)}, in the order a round runs them:
    the three sides of one kind of test one after the other, each side's two sizes back to back."""
    found = {}
    options_of = {"repository": repository_plugins(), "django": ["-p", "pytest_django.plugin"]}
    for backend, by_side in databases(postgres).items():
        for kind in KINDS:
            if kind == "plain" and backend != "SQLite":
                continue  # no database: the one run serves both backends
            for side, (folder, tests) in suites.items():
                leg_env = side_environment(side, env, by_side[side])
                options = options_of.get(side, [])
                for size in SIZES:
                    module = str((tests / f"test_{kind}_{size}.py").relative_to(folder))
                    key = (ANY if kind == "plain" else backend, side, kind, size)
                    found[key] = ([*PLAIN, *options, module], folder, leg_env)
    return found


def warm_up(found):
    """One unmeasured run of each smallest suite (each must pass all its tests) and a collection of
    each larger one: bytecode caches filled, and a broken suite stops the benchmark before it is timed."""
    for (backend, side, kind, size), (command, folder, env) in found.items():
        command = command if size == min(SIZES) else [*command, "--collect-only"]
        _, proc = run(command, folder, env)
        ran = tests_run(summary_line(proc.stdout))
        if proc.returncode != 0 or (size == min(SIZES) and ran != size):
            sys.exit(f"{side} {kind} @ {size} ({backend}) failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
