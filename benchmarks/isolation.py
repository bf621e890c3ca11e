"""Measure the per-test cost of three database isolation strategies.

Generates the same N database tests (each commits a user, then counts
users), runs them under pytest once per strategy, and prints the median
wall time of several runs and the cost per test above a floor of N tests
that do nothing:

- savepoint:    the root conftest.py (schema once, rollback per test)
- create_drop:  ``db.create_all()`` / ``db.drop_all()`` around every test
- fresh_sqlite: a new app and SQLite file per test (the Flask tutorial's way)

Usage: python benchmarks/isolation.py [--tests 200] [--repeat 3] [--postgres URL]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def throwaway_database_url(url):
    """``--postgres``'s type: a URL whose database name says "test", as the harness
    asks, since the benchmarks create and drop it."""
    import sqlalchemy as sa

    if "test" not in (sa.make_url(url).database or ""):
        raise argparse.ArgumentTypeError(f"{url}: the database name must contain 'test' (it is dropped)")
    return url


def add_postgres_option(parser):
    """``--postgres URL``: a database the benchmark may drop and create."""
    parser.add_argument(
        "--postgres",
        metavar="URL",
        type=throwaway_database_url,
        help="a PostgreSQL database this script may drop and create (its name contains 'test')",
    )


DB_TEST = """
def test_commit_then_count_{n}(app, db):
    with app.app_context():
        db.session.add(User(email="u{n}@example.com", username="u{n}", password="x"))
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1
"""

TRIVIAL_TEST = """
def test_nothing_{n}():
    assert {n} == {n}
"""

# Re-export the root conftest's fixtures (the strategy this repo uses).
SAVEPOINT_CONFTEST = f"""
import importlib.util
_spec = importlib.util.spec_from_file_location("root_conftest", {str(ROOT / "conftest.py")!r})
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)
globals().update({{k: v for k, v in vars(_root).items() if not k.startswith("__")}})
"""

CREATE_DROP_CONFTEST = """
import os
import pytest
from sample_app import create_app
from sample_app.extensions import db as _db
from sample_app.models import Role

@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    yield app
    with app.app_context():
        _db.engine.dispose()

@pytest.fixture
def app(_app):
    with _app.app_context():
        _db.create_all()
        Role.insert_roles()
    yield _app
    with _app.app_context():
        _db.drop_all()

@pytest.fixture
def db(app):
    return _db
"""

FRESH_SQLITE_CONFTEST = """
import pytest
from sample_app import create_app
from sample_app.extensions import db as _db
from sample_app.models import Role

@pytest.fixture
def app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'test.sqlite'}")
    with app.app_context():
        _db.create_all()
        Role.insert_roles()
    yield app
    with app.app_context():
        _db.engine.dispose()

@pytest.fixture
def db(app):
    return _db
"""

STRATEGIES = {
    "savepoint": SAVEPOINT_CONFTEST,
    "create_drop": CREATE_DROP_CONFTEST,
    "fresh_sqlite": FRESH_SQLITE_CONFTEST,
}

INI = """
[pytest]
addopts = -q -p no:cacheprovider -p no:randomly -p no:flask
filterwarnings = error
"""


def write_suite(folder, conftest, test_template, count):
    folder.mkdir(parents=True)
    (folder / "pytest.ini").write_text(INI)
    (folder / "conftest.py").write_text(conftest)
    header = "from sample_app.models import User\n" if conftest else ""
    body = "".join(test_template.format(n=n) for n in range(count))
    (folder / "test_generated.py").write_text(header + body)


def run_suite(folder, env):
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(folder)], cwd=folder, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{folder.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed


def ensure_postgres_database(database_url):
    import sqlalchemy as sa

    url = sa.make_url(database_url)
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(sa.text("select 1 from pg_database where datname = :name"), {"name": url.database})
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    engine.dispose()


def measure(count, repeat, database_url):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TEST_DATABASE_URL", None)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    strategies = dict(STRATEGIES)
    if database_url:
        del strategies["fresh_sqlite"]  # a database per test is SQLite-only
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        suites = {"floor": Path(tmp) / "floor"}
        write_suite(suites["floor"], "", TRIVIAL_TEST, count)
        for name, conftest in strategies.items():
            suites[name] = Path(tmp) / name
            write_suite(suites[name], conftest, DB_TEST, count)
        # Interleave the runs so a noisy moment hits every strategy alike.
        times = {name: [] for name in suites}
        for _ in range(repeat):
            for name, folder in suites.items():
                if database_url:
                    # The savepoint harness drops its database at the end of a run.
                    ensure_postgres_database(database_url)
                times[name].append(run_suite(folder, env))
        for name, samples in times.items():
            results[name] = statistics.median(samples)
    return results


def report(title, results, count):
    floor = results["floor"]
    print(f"\n{title}: {count} tests, median wall time")
    print(f"{'strategy':<14}{'seconds':>9}{'ms/test over floor':>20}{'vs savepoint':>14}")
    for name, seconds in results.items():
        per_test = (seconds - floor) / count * 1000
        ratio = "" if name == "floor" else f"{(seconds - floor) / (results['savepoint'] - floor):.1f}x"
        print(f"{name:<14}{seconds:>9.2f}{per_test:>20.2f}{ratio:>14}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    add_postgres_option(parser)
    args = parser.parse_args()
    report("SQLite (file)", measure(args.tests, args.repeat, None), args.tests)
    if args.postgres:
        report("PostgreSQL", measure(args.tests, args.repeat, args.postgres), args.tests)


if __name__ == "__main__":
    main()
