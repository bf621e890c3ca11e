"""Integration tests of the background job with a real Celery worker: an upload on
the admin page, the job sent to Redis after the import's commit, a worker thread
running it, the years looked up on a local server and stored.

Patterns: real Celery worker test; fixture overridden in one module; lookup
service on a local server for the app; logged-in client fixtures; skip with a
start hint, failure in CI.

Why this module has a committed database of its own (the ``app`` fixture below,
a SQLite file, as tests/functional/test_e2e_browser.py has) and not the rollback
harness: under the harness the worker thread's ``db.session`` would be bound to
the test's connection and join the test's open transaction. That is wrong on
both backends. A SQLAlchemy connection is not thread-safe: the test thread
still uses it (the request's teardown, the test's own queries) while the task
runs, and the two sessions' SAVEPOINTs interleave on it; pysqlite's
``check_same_thread=False`` (SQLAlchemy 2's default for file databases) only
stops sqlite3 from refusing the call from another thread, and psycopg locks one
call at a time, not a unit of work. And the worker would see the test's
uncommitted rows, so a job sent before the commit would pass too. In production
the worker is another process whose own connection sees only what was
committed: a database really committed to, opened by each thread on its own
connection, is that. Each test uses ISBNs no other test here uses, so their
order does not matter; the backend is SQLite in every run (the job's SQL is
tested on both in tests/unit/test_jobs.py).

The worker is Celery's in-process test worker (``start_worker``, ``pool="solo"``:
one thread, one task at a time) on Redis database 15 of 127.0.0.1:6379, reading
a queue named after this process, so two runs on one Redis never take each
other's jobs. The app ignores results, so there is no result backend and no ping
check: a test waits for Celery's ``task_postrun`` signal, sent by the worker
thread when the task has run. If Redis does not answer, the tests are skipped
with the command that starts it; ``REQUIRE_REDIS=1`` (.ci/run and the workflow
set it) makes that a failure. The ``celery`` mark keeps them out of
``make test``: ``make test-celery`` runs them.
"""

import io
import os
import queue

import pytest

from sample_app import create_app
from sample_app.extensions import db
from sample_app.models import Book, Role
from tests.factories import create_user
from tests.helpers import log_in

# own_app: the app fixture below is this module's own, on purpose (the harness refuses an unmarked one).
pytestmark = [pytest.mark.celery, pytest.mark.own_app]

REDIS_URL = "redis://127.0.0.1:6379/15"
JOB_QUEUE = f"bookshelf-test-{os.getpid()}"
# The shipped settings (written out: a test states what it runs with), and this module's queue.
CELERY_SETTINGS = {"task_ignore_result": True, "broker_connection_retry_on_startup": True}
DUNE_ISBN = "9780441172719"
KINDRED_ISBN = "9780807083697"
PIRANESI_ISBN = "9781635575637"
# Long enough for a loaded CI machine; a job that never arrives fails the test then.
WAIT_SECONDS = 30
# What task_postrun reports for a job that filled in one book.
FILLED_IN_ONE_BOOK = ("bookshelf.fill_in_book_details", "SUCCESS", 1)


@pytest.fixture(scope="module")
def redis_server():
    """A client of the Redis the worker uses; skips (fails under REQUIRE_REDIS=1) if it does not answer."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        message = (
            f"Redis does not answer at {REDIS_URL} ({exc}): start it with "
            '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""` to run these tests'
        )
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield client
    client.delete(JOB_QUEUE)  # messages left by a failed test
    client.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, redis_server):
    """Overrides the root ``app``: a committed database, and Redis as the broker."""
    database = tmp_path_factory.mktemp("celery") / "celery.sqlite"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
        CELERY_BROKER_URL=REDIS_URL,
        CELERY={**CELERY_SETTINGS, "task_default_queue": JOB_QUEUE},
    )
    with app.app_context():
        db.create_all()
        Role.insert_roles()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def celery_worker(app):
    """A worker thread consuming the app's queue until the module's last test has run."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import setup_logging

    def leave_logging_to_pytest(**kwargs):
        """Connected, this stops Celery from replacing the root logger's handlers (pytest's)."""

    setup_logging.connect(leave_logging_to_pytest, weak=False)
    try:
        with start_worker(app.extensions["celery"], pool="solo", perform_ping_check=False) as worker:
            yield worker
    finally:
        setup_logging.disconnect(leave_logging_to_pytest)


@pytest.fixture
def finished_tasks():
    """``(task name, state, return value)`` of each task the worker finishes, as it finishes it."""
    from celery.signals import task_postrun

    finished = queue.Queue()

    def record(task=None, state=None, retval=None, **kwargs):
        finished.put((task.name, state, retval))

    task_postrun.connect(record, weak=False)
    yield finished
    task_postrun.disconnect(record)


@pytest.fixture(scope="module")
def importing_admin(app):
    with app.app_context():
        admin = create_user(email="celery-admin@example.com", username="celery-admin", role="Administrator")
        db.session.refresh(admin)
        return admin


def upload(app, admin, csv_text):
    client = log_in(app.test_client(), admin)
    return client.post("/admin/import", data={"csv_file": (io.BytesIO(csv_text.encode()), "books.csv")})


def stored_years(app, *isbns):
    with app.app_context():
        return dict(db.session.execute(db.select(Book.isbn, Book.year).where(Book.isbn.in_(isbns))).all())


def test_worker_fills_in_the_year_left_blank_by_an_upload(
    app, celery_worker, finished_tasks, lookup_service, importing_admin
):
    # GIVEN a worker on Redis, and a lookup service that knows Dune (1965)
    lookup_service.knows(DUNE_ISBN, {"title": "Dune", "publish_date": "1965"})

    # WHEN an administrator uploads a file of Dune without a year
    response = upload(app, importing_admin, f"title,author,isbn,year,tags\nDune,Frank Herbert,{DUNE_ISBN},,\n")

    # THEN the upload succeeds at once, the worker's job fills in one book, and Dune's stored year is 1965
    assert response.status_code == 302
    assert finished_tasks.get(timeout=WAIT_SECONDS) == FILLED_IN_ONE_BOOK
    assert stored_years(app, DUNE_ISBN) == {DUNE_ISBN: 1965}
    assert lookup_service.looked_up() == [DUNE_ISBN]


def test_worker_skips_a_book_the_service_does_not_know_and_fills_in_the_next(
    app, celery_worker, finished_tasks, lookup_service, importing_admin
):
    # GIVEN a worker on Redis, and a lookup service that knows Piranesi (2020) but not Kindred (404)
    lookup_service.answer(KINDRED_ISBN, {}, status=404)
    lookup_service.knows(PIRANESI_ISBN, {"title": "Piranesi", "publish_date": "2020"})
    csv_text = (
        f"title,author,isbn,year,tags\nKindred,Octavia E. Butler,{KINDRED_ISBN},,\n"
        f"Piranesi,Susanna Clarke,{PIRANESI_ISBN},,\n"
    )

    # WHEN a file of Kindred then Piranesi, both without a year, is uploaded
    response = upload(app, importing_admin, csv_text)

    # THEN the job succeeds, having filled in one book: Piranesi's year is 2020, Kindred keeps none
    assert response.status_code == 302
    assert finished_tasks.get(timeout=WAIT_SECONDS) == FILLED_IN_ONE_BOOK
    assert stored_years(app, KINDRED_ISBN, PIRANESI_ISBN) == {KINDRED_ISBN: None, PIRANESI_ISBN: 2020}
