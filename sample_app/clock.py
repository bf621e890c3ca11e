"""The app's one source of "now", so tests can control time in one place."""

from datetime import UTC, datetime


def utcnow():
    return datetime.now(UTC)
