"""The PostgreSQL databases the benchmarks use: only ones they may drop.

sqlalchemy is imported where it is used: ``bench.py --help`` needs none of this.
"""

import argparse


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


def postgres_problem(url):
    """None when the server answers, else why the PostgreSQL legs are skipped."""
    if not url:
        return "no --postgres URL given"
    try:
        # The harness drops and recreates the database (and <name>_gw0..., <name>_isolation):
        # it refuses a name without "test", and so does this script, before creating any.
        throwaway_database_url(url)
        import sqlalchemy as sa

        engine = sa.create_engine(sa.make_url(url).set(database="postgres"), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except argparse.ArgumentTypeError as exc:
        return str(exc)
    except Exception as exc:  # any failure (driver missing, refused, auth) means: skip
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def own_database(url, purpose):
    """A database of its own for one measurement: ``<name>_<purpose>``."""
    import sqlalchemy as sa

    url = sa.make_url(url)
    return url.set(database=f"{url.database}_{purpose}").render_as_string(hide_password=False)
