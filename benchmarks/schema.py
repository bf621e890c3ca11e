"""What building the test schema costs: ``db.create_all()`` or every migration.

The harness builds the schema once per session (per xdist worker), so this is a
cost per session, not per test. Each run starts from an empty database (a new
SQLite file, or a PostgreSQL database dropped and made again) and times only the
schema: ``create_all()``, or ``flask_migrate.upgrade()`` (which also imports
Alembic and reads the migration scripts, as a session would).

Usage: python benchmarks/schema.py [--repeat 5] [--postgres URL]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from postgres import add_postgres_option  # benchmarks/postgres.py, next to this file

ROOT = Path(__file__).resolve().parent.parent

# Each measurement in a fresh interpreter: the first import of Alembic is part of the cost.
ONE_RUN = """
import sys, time
start = time.perf_counter()
from sample_app import create_app
from sample_app.extensions import db
app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[2])
with app.app_context():
    ready = time.perf_counter()
    if sys.argv[1] == "create_all":
        db.create_all()
    else:
        import flask_migrate
        flask_migrate.upgrade(directory=sys.argv[3])
    done = time.perf_counter()
    db.engine.dispose()
print(done - ready)
"""


def reset_postgres(url):
    import sqlalchemy as sa

    url = sa.make_url(url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    admin.dispose()


def measure(repeat, postgres_url=None):
    """``{(backend, way): median seconds}``."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(repeat):
            for way in ("create_all", "migrations"):
                targets = [("SQLite", f"sqlite:///{Path(tmp) / f'{way}-{run}.sqlite'}")]
                if postgres_url:
                    targets.append(("PostgreSQL", postgres_url))
                for backend, url in targets:
                    if backend == "PostgreSQL":
                        reset_postgres(url)
                    command = [sys.executable, "-c", ONE_RUN, way, url, str(ROOT / "migrations")]
                    output = subprocess.check_output(command, cwd=ROOT, text=True, stderr=subprocess.DEVNULL)
                    seconds = float(output.strip().splitlines()[-1])
                    results.setdefault((backend, way), []).append(seconds)
    return {key: statistics.median(times) for key, times in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    add_postgres_option(parser)
    args = parser.parse_args()
    results = measure(args.repeat, args.postgres)
    print("| backend | create_all (ms) | migrations (ms) | migrations / create_all |")
    print("|---|---|---|---|")
    for backend in dict.fromkeys(backend for backend, _ in results):
        create_all, migrations = results[(backend, "create_all")], results[(backend, "migrations")]
        print(f"| {backend} | {create_all * 1000:.0f} | {migrations * 1000:.0f} | {migrations / create_all:.1f}x |")


if __name__ == "__main__":
    main()
