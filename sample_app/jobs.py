"""Background jobs with Celery, after Flask's "Background Tasks with Celery" pattern.

:func:`celery_init_app` gives each Flask app a Celery app of its own
(``app.extensions["celery"]``), configured from ``app.config["CELERY"]`` and
``CELERY_BROKER_URL``, whose tasks run inside that Flask app's context. One
job: :func:`fill_in_book_details`, the years a CSV import left blank, fetched
from the lookup service. It is a plain function (a test calls it inside an app
context, a mutation tester mutates it); the Celery task is that function
registered under :data:`FILL_IN_DETAILS`.

Two differences from the Flask docs' version, both for an app that is built
more than once in a process (a test suite): the task is registered on each
Celery app here, not with ``@shared_task`` (which registers it on every Celery
app of the process), and no Celery app is made the process-wide default. A
task found through the default app would run inside whichever Flask app was
built last.

:func:`send_fill_in_details` is what the importer queues with
``run_after_commit``: without a broker (``CELERY_BROKER_URL`` unset, as under
the development and testing configs) it logs why and sends nothing, so an
import never waits for one lookup per book.
"""

import logging

import sqlalchemy as sa
from celery import Celery, Task
from flask import current_app

from . import lookup
from .extensions import db
from .models import Book

logger = logging.getLogger("sample_app")
# The task's name on the broker: the worker runs what a message names.
FILL_IN_DETAILS = "bookshelf.fill_in_book_details"


def celery_init_app(app):
    """A Celery app for ``app`` (``app.extensions["celery"]``) whose tasks run in its context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({**app.config["CELERY"], "broker_url": app.config["CELERY_BROKER_URL"]})
    # shared=False: Celery's default (True) also adds the task to every Celery app
    # made later in the process, one more registration per app a test suite builds.
    celery_app.task(name=FILL_IN_DETAILS, shared=False)(fill_in_book_details)
    app.extensions["celery"] = celery_app
    return celery_app


def send_fill_in_details(isbns):
    """Send the job for the books with ``isbns``, or log why it is not sent.

    The Celery app's own setting decides (the app's CELERY_BROKER_URL, or
    Celery's environment variable of that name, which wins over it).
    """
    celery_app = current_app.extensions["celery"]
    if not celery_app.conf.broker_url:
        logger.warning(
            "Details of %d imported book(s) not fetched: no broker is configured (CELERY_BROKER_URL)", len(isbns)
        )
        return
    celery_app.tasks[FILL_IN_DETAILS].delay(isbns)


def fill_in_book_details(isbns):
    """Fill in the year of each book with one of ``isbns`` whose year is blank,
    from the lookup service; return how many were filled in.

    A lookup that fails is logged and that book skipped; a book the service
    gives no year for keeps none. Each book is committed on its own, after its
    lookup: no transaction is held open across the HTTP calls, and a year
    typed in by a user meanwhile is not overwritten.
    """
    blank = sa.select(Book.id, Book.isbn).where(Book.isbn.in_(isbns), Book.year.is_(None))
    books = db.session.execute(blank).all()
    db.session.rollback()  # the read is over: nothing is locked during the lookups
    filled = 0
    for book_id, isbn in books:
        try:
            year = lookup.fetch_book_details(isbn, current_app.config)["year"]
        except lookup.LookupFailed as exc:
            logger.warning("Details of the book with ISBN %s not fetched: %s", isbn, exc)
            continue
        if year is None:
            continue
        still_blank = sa.update(Book).where(Book.id == book_id, Book.year.is_(None)).values(year=year)
        filled += db.session.execute(still_blank).rowcount
        db.session.commit()
    return filled
