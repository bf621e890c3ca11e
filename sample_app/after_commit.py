"""Work that must wait until the data is committed: :func:`run_after_commit`.

A background job sent before the commit can reach a worker before the rows it
needs are visible to the worker's own connection, or be sent for rows that a
rollback then throws away. ``run_after_commit(callback, *args, **kwargs)``
keeps the call in the session (``db.session.info``) and makes it once the
session's outermost transaction has committed:

- a SAVEPOINT released (``db.session.begin_nested()``, then its commit) runs
  nothing: what was queued inside it waits for the transaction around it;
- a SAVEPOINT rolled back drops what was queued inside it, and only that;
- the outermost transaction rolled back, or closed without a commit (the
  session removed when a request's app context ends), drops everything queued;
- a callback that raises (the broker is down) is logged with its traceback on
  the ``sample_app`` logger, and the next ones still run: the data is already
  committed, so the request that committed it must not fail.

The queue is emptied on ``after_transaction_end``, not on ``after_rollback``:
that event fires only when a rollback reaches the database, and neither it nor
``after_soft_rollback`` fires when ``close()`` ends a transaction that was never
committed. ``after_commit`` itself fires for a released SAVEPOINT too, which
is why the savepoint that committed is looked at first.

Each callback is run by :func:`run_callback`, the seam a test replaces to
collect the callbacks instead of running them (``tests/fixtures/after_commit.py``).
The listeners are registered on ``db.session`` when this module is imported
(``create_app`` imports it): they apply to every session the app makes.
"""

import functools
import logging

import sqlalchemy as sa

from .extensions import db

logger = logging.getLogger("sample_app")
# Session.info key of the queue: a list of (savepoint or None, callback).
QUEUE = "sample_app.after_commit"


def _queue(session):
    return session.info.setdefault(QUEUE, [])


def run_after_commit(callback, *args, **kwargs):
    """Call ``callback(*args, **kwargs)`` once ``db.session``'s current
    transaction has committed; never if it is rolled back."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # the callback belongs to a transaction: this one, from now
    # Owned by the innermost open SAVEPOINT (None: the outermost transaction).
    _queue(session).append((session.get_nested_transaction(), functools.partial(callback, *args, **kwargs)))


def run_callback(callback):
    """Run one queued callback (a callable without arguments): the seam for tests."""
    callback()


def _after_commit(session):
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        # A SAVEPOINT released: its callbacks now belong to the transaction around it
        # (another savepoint, or the outermost transaction, whose end clears all).
        session.info[QUEUE] = [
            (savepoint.parent if owner is savepoint else owner, callback) for owner, callback in _queue(session)
        ]
        return
    queued = session.info.pop(QUEUE, [])
    for _, callback in queued:
        try:
            run_callback(callback)
        except Exception:
            logger.exception("%s failed after the commit; the data is committed", callback.func.__name__)


def _after_transaction_end(session, transaction):
    # Whatever the transaction queued and did not hand on (commit) is dropped.
    if transaction.parent is None:
        session.info.pop(QUEUE, None)
    else:
        session.info[QUEUE] = [(owner, callback) for owner, callback in _queue(session) if owner is not transaction]


sa.event.listen(db.session, "after_commit", _after_commit)
sa.event.listen(db.session, "after_transaction_end", _after_transaction_end)
