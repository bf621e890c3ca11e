"""Unit tests of the background job (sample_app/jobs.py): the years an import left
blank, fetched by the plain function behind the Celery task; the job sent only
after the import's commit; the Celery app each Flask app gets.

Patterns: background job enqueued after commit; after-commit callbacks
captured; plain functions tested without HTTP; lookup service on a local server
for the app; caplog for log records; monkeypatch.setattr; parametrize with ids;
simulated race past a uniqueness check; expected values written in the test.

No broker and no worker here: the job's body is a plain function called inside
an app context, and the send is captured at the after-commit seam (or at the
task's ``delay``). tests/functional/test_celery_worker.py runs the real worker.
"""

import pytest
from celery import Celery

from sample_app import catalogue, create_app, jobs
from sample_app.extensions import db
from sample_app.importer import CSVImportError, import_books
from sample_app.models import Book, Role
from tests.factories import create_book
from tests.helpers import app_log_records

DUNE_ISBN = "9780441172719"
HOBBIT_ISBN = "9780547928227"
ORWELL_ISBN = "9780451524935"
DUNE_RECORD = {"title": "Dune", "authors": [{"name": "Frank Herbert"}], "publish_date": "1965"}
HOBBIT_RECORD = {"title": "The Hobbit", "publish_date": "September 21, 1937"}
ORWELL_RECORD = {"title": "Nineteen Eighty-Four", "publish_date": "1949"}
# Written out, not read from sample_app.jobs: a renamed task must fail a test.
TASK_NAME = "bookshelf.fill_in_book_details"
BROKER_URL = "redis://127.0.0.1:6379/15"

HEADER = "title,author,isbn,year,tags\n"
DUNE_WITHOUT_YEAR = "Dune,Frank Herbert,9780441172719,,\n"
HOBBIT_WITHOUT_YEAR = "The Hobbit,J. R. R. Tolkien,9780547928227,,\n"
ORWELL_WITH_YEAR = "Nineteen Eighty-Four,George Orwell,9780451524935,1949,\n"


def csv_bytes(*lines):
    return "".join(lines).encode("utf-8")


def no_broker_warning(count):
    return f"Details of {count} imported book(s) not fetched: no broker is configured (CELERY_BROKER_URL)"


def app_log_messages(caplog):
    """The messages of the app's own ("sample_app") logger, with their levels."""
    return [(record.levelname, record.getMessage()) for record in app_log_records(caplog)]


@pytest.fixture
def sent_jobs(app, monkeypatch):
    """The job's messages, caught at the task's ``delay`` with a broker configured:
    one list of ISBNs per message the app would have sent."""
    sent = []
    celery_app = app.extensions["celery"]
    monkeypatch.setitem(celery_app.conf, "broker_url", BROKER_URL)
    monkeypatch.setattr(celery_app.tasks[TASK_NAME], "delay", sent.append)
    return sent


def book_years(app, db, *isbns):
    """``{isbn: year}`` of the stored books with ``isbns``."""
    with app.app_context():
        return dict(db.session.execute(db.select(Book.isbn, Book.year).where(Book.isbn.in_(isbns))).all())


# --- fill_in_book_details: the job's body ------------------------------------------------


def test_job_fills_in_the_blank_years_from_the_lookup_service(app, db, make_book, lookup_service):
    # GIVEN Dune and The Hobbit stored without a year, and a lookup service that knows both
    make_book(isbn=DUNE_ISBN, year=None)
    make_book(isbn=HOBBIT_ISBN, year=None)
    lookup_service.knows(DUNE_ISBN, DUNE_RECORD)
    lookup_service.knows(HOBBIT_ISBN, HOBBIT_RECORD)

    # WHEN the job runs for their ISBNs
    with app.app_context():
        filled = jobs.fill_in_book_details([DUNE_ISBN, HOBBIT_ISBN])

    # THEN both years are stored (1965, and 1937 from "September 21, 1937") and it says it filled in two
    assert filled == 2
    assert book_years(app, db, DUNE_ISBN, HOBBIT_ISBN) == {DUNE_ISBN: 1965, HOBBIT_ISBN: 1937}


def test_job_leaves_a_year_already_given_and_does_not_look_it_up(app, db, make_book, lookup_service):
    # GIVEN Nineteen Eighty-Four stored with the year 1948 (a typo), and Dune without one
    make_book(isbn=ORWELL_ISBN, year=1948)
    make_book(isbn=DUNE_ISBN, year=None)
    lookup_service.knows(DUNE_ISBN, DUNE_RECORD)
    lookup_service.knows(ORWELL_ISBN, ORWELL_RECORD)

    # WHEN the job runs for both ISBNs
    with app.app_context():
        filled = jobs.fill_in_book_details([ORWELL_ISBN, DUNE_ISBN])

    # THEN only Dune is looked up and filled in; 1948 is left as it was
    assert filled == 1
    assert lookup_service.looked_up() == [DUNE_ISBN]
    assert book_years(app, db, ORWELL_ISBN, DUNE_ISBN) == {ORWELL_ISBN: 1948, DUNE_ISBN: 1965}


def test_job_looks_up_only_the_isbns_it_was_given(app, db, make_book, lookup_service):
    # GIVEN Dune and The Hobbit stored without a year
    make_book(isbn=DUNE_ISBN, year=None)
    make_book(isbn=HOBBIT_ISBN, year=None)
    lookup_service.knows(DUNE_ISBN, DUNE_RECORD)

    # WHEN the job runs for Dune's ISBN only
    with app.app_context():
        jobs.fill_in_book_details([DUNE_ISBN])

    # THEN only Dune is looked up; The Hobbit keeps no year
    assert lookup_service.looked_up() == [DUNE_ISBN]
    assert book_years(app, db, DUNE_ISBN, HOBBIT_ISBN) == {DUNE_ISBN: 1965, HOBBIT_ISBN: None}


def test_failed_lookup_is_logged_and_the_other_books_are_still_filled_in(app, db, make_book, lookup_service, caplog):
    # GIVEN Dune then The Hobbit without a year, and a service that knows no Dune (404) but knows The Hobbit
    make_book(isbn=DUNE_ISBN, year=None)
    make_book(isbn=HOBBIT_ISBN, year=None)
    lookup_service.answer(DUNE_ISBN, {}, status=404)
    lookup_service.knows(HOBBIT_ISBN, HOBBIT_RECORD)

    # WHEN the job runs for both
    with app.app_context():
        filled = jobs.fill_in_book_details([DUNE_ISBN, HOBBIT_ISBN])

    # THEN The Hobbit's year is stored, Dune keeps none, and one WARNING names Dune's ISBN and why
    assert filled == 1
    assert book_years(app, db, DUNE_ISBN, HOBBIT_ISBN) == {DUNE_ISBN: None, HOBBIT_ISBN: 1937}
    assert app_log_messages(caplog) == [
        (
            "WARNING",
            "Details of the book with ISBN 9780441172719 not fetched: "
            "The lookup service knows no book with ISBN 9780441172719.",
        )
    ]


def test_book_the_service_gives_no_year_for_keeps_none_and_the_next_is_filled_in(app, db, make_book, lookup_service):
    # GIVEN Dune then The Hobbit without a year, and a service whose record of Dune has no publish date
    make_book(isbn=DUNE_ISBN, year=None)
    make_book(isbn=HOBBIT_ISBN, year=None)
    lookup_service.knows(DUNE_ISBN, {"title": "Dune"})
    lookup_service.knows(HOBBIT_ISBN, HOBBIT_RECORD)

    # WHEN the job runs for both
    with app.app_context():
        filled = jobs.fill_in_book_details([DUNE_ISBN, HOBBIT_ISBN])

    # THEN Dune keeps no year, The Hobbit gets 1937, and the job says it filled in one
    assert filled == 1
    assert book_years(app, db, DUNE_ISBN, HOBBIT_ISBN) == {DUNE_ISBN: None, HOBBIT_ISBN: 1937}


def test_year_typed_in_during_the_lookup_is_not_overwritten(app, db, make_book, monkeypatch):
    # GIVEN Dune without a year, and a lookup client during which its owner types in 1966, then answers 1965
    book = make_book(isbn=DUNE_ISBN, year=None)

    def lookup_while_the_owner_edits(isbn, config):
        with app.app_context():
            db.session.execute(db.update(Book).where(Book.id == book.id).values(year=1966))
            db.session.commit()
        return {"title": "Dune", "author": "Frank Herbert", "year": 1965}

    monkeypatch.setattr("sample_app.lookup.fetch_book_details", lookup_while_the_owner_edits)

    # WHEN the job runs
    with app.app_context():
        filled = jobs.fill_in_book_details([DUNE_ISBN])

    # THEN the owner's 1966 stays, and the job says it filled in none
    assert filled == 0
    assert book_years(app, db, DUNE_ISBN) == {DUNE_ISBN: 1966}


def test_job_asks_the_service_with_the_apps_config(app, db, make_book, monkeypatch):
    # GIVEN Dune without a year, and the lookup client replaced by one that records its arguments
    make_book(isbn=DUNE_ISBN, year=None)
    calls = []

    def recording_lookup(isbn, config):
        calls.append((isbn, config))
        return {"title": "Dune", "author": "Frank Herbert", "year": 1965}

    monkeypatch.setattr("sample_app.lookup.fetch_book_details", recording_lookup)

    # WHEN the job runs
    with app.app_context():
        jobs.fill_in_book_details([DUNE_ISBN])

    # THEN the client was given Dune's ISBN and the app's own config
    [(isbn, config)] = calls
    assert isbn == DUNE_ISBN
    assert config is app.config


# --- the Celery task ---------------------------------------------------------------------


def test_task_runs_the_job_inside_the_apps_context(app, db, make_book, lookup_service):
    # GIVEN Dune without a year, and no app context pushed (as in a worker)
    make_book(isbn=DUNE_ISBN, year=None)
    lookup_service.knows(DUNE_ISBN, DUNE_RECORD)

    # WHEN the app's Celery task is called
    filled = app.extensions["celery"].tasks[TASK_NAME]([DUNE_ISBN])

    # THEN it ran the job in the app's context (the app's LOOKUP_URL and database) and returns the job's result
    assert filled == 1
    assert book_years(app, db, DUNE_ISBN) == {DUNE_ISBN: 1965}


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [pytest.param(([DUNE_ISBN],), {}, id="positional"), pytest.param((), {"isbns": [DUNE_ISBN]}, id="keyword")],
)
def test_task_of_an_app_built_in_the_test_runs_the_job_in_that_apps_context(httpserver, args, kwargs):
    """The app is built here, so that the wiring in celery_init_app runs inside this test."""
    # GIVEN an app built by the test, Dune stored there without a year, and a lookup service that knows Dune
    httpserver.expect_request("/api/books").respond_with_json({f"ISBN:{DUNE_ISBN}": DUNE_RECORD})
    built = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", LOOKUP_URL=httpserver.url_for("").rstrip("/"))
    with built.app_context():
        db.create_all()
        Role.insert_roles()
        create_book(isbn=DUNE_ISBN, year=None)

    # WHEN its task is called outside any app context, the ISBNs positional or keyword (as a worker calls it)
    try:
        filled = built.extensions["celery"].tasks[TASK_NAME](*args, **kwargs)
        years = book_years(built, db, DUNE_ISBN)
    finally:
        # Closed now, not whenever it is garbage-collected: Python 3.13 warns
        # about an unclosed SQLite connection, in whichever test runs then.
        with built.app_context():
            db.engine.dispose()

    # THEN it ran the job in that app's context: one book filled in, with 1965
    assert filled == 1
    assert years == {DUNE_ISBN: 1965}


def test_each_app_gets_a_celery_app_configured_from_its_config():
    # GIVEN a broker URL and a Celery setting given to the factory
    # WHEN the app is created
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        CELERY_BROKER_URL=BROKER_URL,
        CELERY={"task_ignore_result": True, "task_default_queue": "bookshelf-jobs"},
    )
    celery_app = app.extensions["celery"]

    # THEN its Celery app is named after it, uses that broker and setting, keeps the shipped ones, and has the task
    assert celery_app.main == "sample_app"
    assert celery_app.conf.broker_url == "redis://127.0.0.1:6379/15"
    assert celery_app.conf.task_default_queue == "bookshelf-jobs"
    assert celery_app.conf.task_ignore_result is True
    assert TASK_NAME in celery_app.tasks


def test_shipped_celery_settings_ignore_results_and_keep_retrying_at_startup():
    # GIVEN the shipped config (no CELERY override)
    # WHEN an app is created
    celery_app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://").extensions["celery"]

    # THEN its Celery app ignores results and retries the broker at startup (Celery 6 stops assuming it)
    assert celery_app.conf.task_ignore_result is True
    assert celery_app.conf.broker_connection_retry_on_startup is True


def test_the_task_is_not_added_to_other_celery_apps_of_the_process():
    # GIVEN an app created (its Celery app has the job's task)
    create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")

    # WHEN another Celery app is made in the same process afterwards
    other = Celery("other")

    # THEN that one has no such task: the task is the app's own, not shared process-wide
    assert TASK_NAME not in other.tasks


def test_two_apps_get_two_celery_apps():
    # GIVEN two apps created in one process (as a test suite does)
    first = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    second = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")

    # WHEN their Celery apps are compared
    same = first.extensions["celery"] is second.extensions["celery"]

    # THEN each has its own, so a task never runs inside the other app's context
    assert same is False


# --- send_fill_in_details: the after-commit callback ---------------------------------------


def test_with_a_broker_the_job_is_sent_with_the_isbns(app, sent_jobs):
    # GIVEN a broker URL configured (the task's delay replaced by a recorder: the sent_jobs fixture)
    # WHEN the job is sent for two ISBNs
    with app.app_context():
        jobs.send_fill_in_details([DUNE_ISBN, HOBBIT_ISBN])

    # THEN one message carries both ISBNs
    assert sent_jobs == [[DUNE_ISBN, HOBBIT_ISBN]]


def test_without_a_broker_the_job_is_skipped_with_a_warning(app, monkeypatch, caplog):
    # GIVEN the testing config, which has no broker URL (the task's delay replaced by a recorder)
    sent = []
    monkeypatch.setattr(app.extensions["celery"].tasks[TASK_NAME], "delay", sent.append)

    # WHEN the job is sent for two ISBNs
    with app.app_context():
        jobs.send_fill_in_details([DUNE_ISBN, HOBBIT_ISBN])

    # THEN nothing is sent, and one WARNING says how many books and why
    assert sent == []
    assert app_log_messages(caplog) == [("WARNING", no_broker_warning(2))]


# --- import_books sends the job after its commit -------------------------------------------


def test_import_sends_the_job_for_the_books_without_a_year_after_its_commit(
    app, db, make_user, capture_after_commit, sent_jobs
):
    # GIVEN a file of Dune and The Hobbit without a year and Nineteen Eighty-Four with one
    owner = make_user()
    file = csv_bytes(HEADER, DUNE_WITHOUT_YEAR, ORWELL_WITH_YEAR, HOBBIT_WITHOUT_YEAR)

    # WHEN it is imported inside a capture block that runs the callbacks as it ends
    with app.app_context():
        with capture_after_commit(execute=True) as callbacks:
            import_books(file, owner)
            sent_during_the_import = list(sent_jobs)

    # THEN nothing was sent during the import; the one callback, the send for Dune and The Hobbit, sent one message
    assert sent_during_the_import == []
    assert [(callback.func, callback.args) for callback in callbacks] == [
        (jobs.send_fill_in_details, ([DUNE_ISBN, HOBBIT_ISBN],))
    ]
    assert sent_jobs == [[DUNE_ISBN, HOBBIT_ISBN]]


def test_import_with_every_year_given_sends_no_job(app, db, make_user, capture_after_commit):
    # GIVEN a file whose every row has a year
    owner = make_user()

    # WHEN it is imported inside a capture block
    with app.app_context(), capture_after_commit() as callbacks:
        count = import_books(csv_bytes(HEADER, ORWELL_WITH_YEAR), owner)

    # THEN the import committed and no callback reached the commit
    assert count == 1
    assert callbacks == []


def isbn_found_by_the_second_check_only(monkeypatch):
    """The race: the importer's check finds nothing, add_books's own finds the ISBN taken."""
    calls = []

    def isbns_in_use(isbns):
        calls.append(list(isbns))
        return set() if len(calls) == 1 else {DUNE_ISBN}

    monkeypatch.setattr(catalogue, "isbns_in_use", isbns_in_use)


def duplicate_found_at_commit(monkeypatch):
    """The race caught by the unique index: neither check finds the ISBN taken."""
    monkeypatch.setattr(catalogue, "isbns_in_use", lambda isbns: set())


@pytest.mark.parametrize(
    ("lines", "race"),
    [
        pytest.param((DUNE_WITHOUT_YEAR, "Bad,,9780451524936,,\n"), None, id="bad-row"),
        pytest.param((DUNE_WITHOUT_YEAR, "Dune again,Frank Herbert,9780441172719,,\n"), None, id="isbn-twice"),
        pytest.param((DUNE_WITHOUT_YEAR,), isbn_found_by_the_second_check_only, id="taken-after-the-check"),
        pytest.param((DUNE_WITHOUT_YEAR,), duplicate_found_at_commit, id="taken-at-commit"),
    ],
)
def test_refused_import_sends_no_job_even_after_a_later_commit(
    app, db, make_user, make_book, monkeypatch, capture_after_commit, lines, race
):
    # GIVEN a file with Dune (no year) refused: a bad row, its ISBN twice, or Dune added after one check or both
    owner = make_user()
    if race is not None:
        make_book(isbn=DUNE_ISBN)
        race(monkeypatch)

    # WHEN it is refused inside a capture block, and the session then commits (as its next unit of work would)
    with app.app_context(), capture_after_commit() as callbacks:
        with pytest.raises(CSVImportError):
            import_books(csv_bytes(HEADER, *lines), owner)
        db.session.commit()

    # THEN no callback ever reached a commit
    assert callbacks == []


def test_import_in_a_request_without_a_broker_logs_that_the_job_was_skipped(app, db, make_user, caplog):
    # GIVEN the testing config (no broker URL) and a file of Dune without a year
    owner = make_user()

    # WHEN it is imported (nothing captured: the callback really runs after the commit)
    with app.app_context():
        count = import_books(csv_bytes(HEADER, DUNE_WITHOUT_YEAR), owner)

    # THEN the import counts one book and the WARNING says the details were not fetched, and why
    assert count == 1
    assert app_log_messages(caplog) == [("WARNING", no_broker_warning(1))]
