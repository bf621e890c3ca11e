"""Measure the per-test cost of three database isolation strategies.

Generates the same N database tests (each commits a user, then counts
users), runs them under pytest once per strategy, and prints the median
wall time of several runs and the cost per test above a floor of N tests
that do nothing:

- savepoint:    the root conftest.py (schema once, rollback per test)
- create_drop:  ``db.create_all()`` / ``db.drop_all()`` around every test
- fresh_sqlite: a new app and SQLite file per test (the Flask tutorial's way)

and draws the cost per test of each, with its ratio to savepoint's, into
docs/images/bench-isolation.png (``make bench`` redraws it from its own run).

Usage: python benchmarks/isolation.py [--tests 200] [--repeat 3] [--postgres URL] [--no-plot]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import plots  # benchmarks/plots.py, next to this file
from postgres import add_postgres_option
from running import ROOT, TRIVIAL_TEST
from tables import table, verdict

DB_TEST = """
def test_commit_then_count_{n}(app, db):
    with app.app_context():
        db.session.add(User(email="u{n}@example.com", username="u{n}", password="x"))
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1
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


def costs(results, count):
    """Each strategy's (ms per test above the floor, cost / savepoint's cost); the floor's ratio is None."""
    floor, savepoint = results["floor"], results["savepoint"]
    out = {}
    for name, seconds in results.items():
        ratio = None if name == "floor" else (seconds - floor) / (savepoint - floor)
        out[name] = ((seconds - floor) / count * 1000, ratio)
    return out


def report(title, results, count):
    print(f"\n{title}: {count} tests, median wall time")
    print(f"{'strategy':<14}{'seconds':>9}{'ms/test over floor':>20}{'vs savepoint':>14}")
    for name, (per_test, ratio) in costs(results, count).items():
        ratio_cell = "" if ratio is None else f"{ratio:.1f}x"
        print(f"{name:<14}{results[name]:>9.2f}{per_test:>20.2f}{ratio_cell:>14}")


def markdown_table(backend, results, count):
    """``make bench``'s table of one backend's strategies, the create_drop ratio against its target."""
    rows = []
    for name, (per_test, ratio) in costs(results, count).items():
        cells = [name, f"{results[name]:.2f}", "" if name == "floor" else f"{per_test:.2f}"]
        if name in ("floor", "savepoint"):
            cells += ["", "", ""]
        else:
            target_name = f"create_drop / savepoint ({backend})"
            bound, met = verdict(target_name, ratio) if name == "create_drop" else ("", "")
            cells += [f"{ratio:.1f}×", bound, met]
        rows.append(cells)
    header = ["strategy", "median s", "ms / test over floor", f"{backend}: cost vs savepoint", "target", ""]
    return table(header, rows)


def plot(by_backend, count, note):
    """docs/images/bench-isolation.png from ``{backend: results}``, as measured."""
    costs_by_backend = {backend: costs(results, count) for backend, results in by_backend.items()}
    return plots.isolation(costs_by_backend, count, note)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-plot", action="store_true", help=f"print only; leave {plots.ISOLATION.relative_to(ROOT)} alone"
    )
    add_postgres_option(parser)
    args = parser.parse_args()
    if not args.no_plot:
        plots.check()  # before the minutes of measuring, not after
    load_before = os.getloadavg()
    by_backend = {"SQLite": measure(args.tests, args.repeat, None)}
    report("SQLite (file)", by_backend["SQLite"], args.tests)
    if args.postgres:
        by_backend["PostgreSQL"] = measure(args.tests, args.repeat, args.postgres)
        report("PostgreSQL", by_backend["PostgreSQL"], args.tests)
    if not args.no_plot:
        note = plots.note("make bench-isolation", load_before, os.getloadavg(), args.repeat)
        print(f"\nplot written to {plot(by_backend, args.tests, note)}", file=sys.stderr)


if __name__ == "__main__":
    main()
