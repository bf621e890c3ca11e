"""Logging set up from the app's config, with the request id in each record."""

import logging

from flask import g, has_request_context


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app):
    # Flask's own logger: attach one handler, configured here, so the level
    # and format come from config. Replace it on a second create_app() call.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(app.config["LOG_FORMAT"]))
    handler.addFilter(RequestIdFilter())
    handler.set_name("sample_app")
    for old in [h for h in app.logger.handlers if h.get_name() == "sample_app"]:
        app.logger.removeHandler(old)
    app.logger.addHandler(handler)
    app.logger.setLevel(app.config["LOG_LEVEL"])
