"""The app's one source of "now", so tests can control time in one place."""

from datetime import datetime, timezone


def utcnow():
    return datetime.now(timezone.utc)
