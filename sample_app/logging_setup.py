"""Logging: one handler for the app's logger, the request id in each record,
and the level of the app a record was logged in.

Flask names an app's logger after its package, so every app made by the
factory (tests make many) shares the "sample_app" logger. Setting its level
per app would let the last app made decide for all; instead the logger lets
every record through to a filter that asks the current app for its LOG_LEVEL,
and :func:`configure_logging` sets the logger up once per process.
"""

import logging

from flask import current_app, g, has_app_context, has_request_context

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
HANDLER_NAME = "sample_app"
# For records logged outside any app context.
DEFAULT_LEVEL = "INFO"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class AppLevelFilter(logging.Filter):
    """Keeps the records at or above the LOG_LEVEL of the app they were logged in."""

    def filter(self, record):
        level = current_app.config["LOG_LEVEL"] if has_app_context() else DEFAULT_LEVEL
        return record.levelno >= logging.getLevelName(level)


def configure_logging(logger):
    """Give ``logger`` (an app's ``app.logger``) its filter and handler; a second
    call changes nothing."""
    if any(handler.get_name() == HANDLER_NAME for handler in logger.handlers):
        return
    # On the logger, not the handler: a refused record is not passed on to
    # other handlers either (pytest's caplog among them).
    logger.addFilter(AppLevelFilter())
    logger.setLevel(logging.DEBUG)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name(HANDLER_NAME)
    logger.addHandler(handler)
