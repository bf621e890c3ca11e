"""Unit tests of run_after_commit (sample_app/after_commit.py) on the app's own
``db.session``: what runs after a commit, what a rollback or a savepoint drops,
and a callback that fails; then the ``capture_after_commit`` fixture itself.

Patterns: after-commit callbacks captured; listeners on the app's session kept
by the harness; app context only around database work; caplog for log records;
expected values written in the test.

The callbacks are the tests' own recorders, so each test says exactly what ran
and when. Under the harness the app's ``commit()`` releases a SAVEPOINT of the
test's transaction, but for the session it is the outermost commit, as in
production; ``db.session.begin_nested()`` is a savepoint of the app's own.
"""

import logging

import pytest

from sample_app.after_commit import run_after_commit
from tests.helpers import app_log_records


class Recorder:
    """A callback that records the arguments of each call."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))


@pytest.fixture
def recorder():
    return Recorder()


def queue_call(name):
    """A callback that appends ``name`` to the list it is given."""

    def append_name(calls):
        calls.append(name)

    return append_name


def send_to_a_broker_that_is_down():
    raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


# --- after the commit, not before ---------------------------------------------------


def test_callback_runs_once_after_the_commit_with_its_arguments(app, db, recorder):
    with app.app_context():
        # GIVEN a callback queued with positional and keyword arguments
        run_after_commit(recorder, ["9780441172719"], source="import")
        calls_before_commit = list(recorder.calls)

        # WHEN the session commits
        db.session.commit()

    # THEN it had not run before the commit, and ran once after it, with those arguments
    assert calls_before_commit == []
    assert recorder.calls == [((["9780441172719"],), {"source": "import"})]


def test_callbacks_run_in_the_order_they_were_queued(app, db):
    # GIVEN three callbacks queued in the same transaction
    calls = []

    # WHEN the session commits
    with app.app_context():
        for name in ("first", "second", "third"):
            run_after_commit(queue_call(name), calls)
        db.session.commit()

    # THEN they ran in the order they were queued
    assert calls == ["first", "second", "third"]


def test_a_commit_runs_each_callback_once(app, db, recorder):
    with app.app_context():
        # GIVEN a callback queued, and the session committed
        run_after_commit(recorder)
        db.session.commit()

        # WHEN the session commits again
        db.session.commit()

    # THEN the callback ran after the first commit only
    assert recorder.calls == [((), {})]


def test_callback_of_another_session_does_not_run(app, db, recorder):
    with app.app_context():
        # GIVEN a callback queued in one app context (one session)
        run_after_commit(recorder)

        # WHEN a session of an app context pushed inside it commits, and then the first one
        with app.app_context():
            db.session.commit()
        calls_after_the_other_commit = list(recorder.calls)
        db.session.commit()

    # THEN the callback ran only after its own session's commit
    assert calls_after_the_other_commit == []
    assert recorder.calls == [((), {})]


# --- rollbacks ------------------------------------------------------------------------


def test_rollback_drops_the_queued_callbacks(app, db, recorder):
    with app.app_context():
        # GIVEN a callback queued in a transaction
        run_after_commit(recorder)

        # WHEN the transaction is rolled back, and the session then commits
        db.session.rollback()
        db.session.commit()

    # THEN the callback never ran
    assert recorder.calls == []


@pytest.mark.parametrize("database_work_first", [False, True], ids=["nothing-read-yet", "after-a-query"])
def test_session_closed_without_a_commit_drops_the_queued_callbacks(app, db, recorder, database_work_first):
    with app.app_context():
        # GIVEN a callback queued, before any query or after one
        if database_work_first:
            db.session.execute(db.text("SELECT 1"))
        run_after_commit(recorder)

        # WHEN the session is closed without a commit (as at the end of a request), then commits
        db.session.close()
        db.session.commit()

    # THEN the callback never ran: it belonged to the transaction that was closed
    assert recorder.calls == []


# --- savepoints -----------------------------------------------------------------------


def test_released_savepoint_runs_nothing_until_the_outer_commit(app, db, recorder):
    with app.app_context():
        # GIVEN a callback queued inside a SAVEPOINT (db.session.begin_nested())
        # WHEN the savepoint is released as its block ends, and later the outer transaction commits
        with db.session.begin_nested():
            run_after_commit(recorder)
        calls_after_the_savepoint = list(recorder.calls)
        db.session.commit()

    # THEN nothing ran when the savepoint was released; the callback ran after the outer commit
    assert calls_after_the_savepoint == []
    assert recorder.calls == [((), {})]


def test_savepoint_rolled_back_drops_only_what_was_queued_inside_it(app, db):
    # GIVEN one callback queued in the outer transaction and one inside a SAVEPOINT
    calls = []

    # WHEN the savepoint is rolled back and the outer transaction commits
    with app.app_context():
        run_after_commit(queue_call("outer"), calls)
        savepoint = db.session.begin_nested()
        run_after_commit(queue_call("inside the savepoint"), calls)
        savepoint.rollback()
        db.session.commit()

    # THEN only the outer transaction's callback ran
    assert calls == ["outer"]


def test_released_savepoint_hands_its_callbacks_to_the_savepoint_around_it(app, db):
    # GIVEN a callback queued in a SAVEPOINT inside another SAVEPOINT, and one in the outer savepoint
    calls = []

    # WHEN the inner one is released, and the outer one then rolled back, and the session commits
    with app.app_context():
        run_after_commit(queue_call("outermost"), calls)
        outer = db.session.begin_nested()
        run_after_commit(queue_call("outer savepoint"), calls)
        with db.session.begin_nested():
            run_after_commit(queue_call("inner savepoint"), calls)
        outer.rollback()
        db.session.commit()

    # THEN neither ran: the inner savepoint's callback belonged to the outer one once released
    assert calls == ["outermost"]


def test_commit_with_savepoints_open_runs_their_callbacks_once(app, db):
    # GIVEN callbacks queued in the outer transaction and in two nested SAVEPOINTs left open
    calls = []

    # WHEN the session commits (which releases the savepoints first)
    with app.app_context():
        run_after_commit(queue_call("outer"), calls)
        db.session.begin_nested()
        run_after_commit(queue_call("savepoint"), calls)
        db.session.begin_nested()
        run_after_commit(queue_call("inner savepoint"), calls)
        db.session.commit()

    # THEN every callback ran once, in the order queued
    assert calls == ["outer", "savepoint", "inner savepoint"]


# --- a callback that fails ------------------------------------------------------------


def test_failing_callback_is_logged_and_not_raised(app, db, caplog):
    with app.app_context():
        # GIVEN a callback that raises (the broker is down)
        run_after_commit(send_to_a_broker_that_is_down)

        # WHEN the session commits
        db.session.commit()

    # THEN the commit returns, and one ERROR of the "sample_app" logger names the callback and carries the exception
    [record] = app_log_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "send_to_a_broker_that_is_down failed after the commit; the data is committed"
    assert isinstance(record.exc_info[1], ConnectionRefusedError)


def test_callbacks_after_a_failing_one_still_run(app, db, recorder):
    with app.app_context():
        # GIVEN a failing callback queued before a working one
        run_after_commit(send_to_a_broker_that_is_down)
        run_after_commit(recorder, "after the failure")

        # WHEN the session commits
        db.session.commit()

    # THEN the working one ran all the same
    assert recorder.calls == [(("after the failure",), {})]


# --- the capture fixture (tests/fixtures/after_commit.py) --------------------------------


def test_capture_collects_callbacks_at_the_commit_instead_of_running_them(app, db, capture_after_commit, recorder):
    with app.app_context(), capture_after_commit() as callbacks:
        # GIVEN a callback queued inside a capture block
        run_after_commit(recorder, "isbn", source="import")
        captured_before_commit = list(callbacks)

        # WHEN the session commits, and the test then calls what was captured
        db.session.commit()
        calls_after_commit = list(recorder.calls)
        [callback] = callbacks
        callback()

    # THEN the capture was empty before the commit and held the callback, not run, after it; calling it ran it
    assert captured_before_commit == []
    assert calls_after_commit == []
    assert (callback.func, callback.args, callback.keywords) == (recorder, ("isbn",), {"source": "import"})
    assert recorder.calls == [(("isbn",), {"source": "import"})]


def test_capture_with_execute_runs_the_callbacks_as_the_block_ends(app, db, capture_after_commit, recorder):
    # GIVEN a capture block opened with execute=True
    with app.app_context():
        with capture_after_commit(execute=True) as callbacks:
            # WHEN a callback is queued and the session commits inside it
            run_after_commit(recorder)
            db.session.commit()
            calls_inside_the_block = list(recorder.calls)

    # THEN the callback had not run inside the block, and ran once as the block ended
    assert calls_inside_the_block == []
    assert len(callbacks) == 1
    assert recorder.calls == [((), {})]


def test_after_the_capture_block_callbacks_run_again(app, db, capture_after_commit, recorder):
    with app.app_context():
        # GIVEN a capture block that has ended
        with capture_after_commit() as callbacks:
            pass

        # WHEN a callback is queued and the session commits after it
        run_after_commit(recorder)
        db.session.commit()

    # THEN the callback runs at the commit, as without the fixture
    assert callbacks == []
    assert recorder.calls == [((), {})]
