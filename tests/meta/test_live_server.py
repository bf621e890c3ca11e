"""Tests of the ``live_server`` fixture (tests/fixtures/live_server.py).

Patterns: live server in a thread; testing the harness with pytester.

The browser tests use it (tests/functional/test_e2e_browser.py); these tests
show what it promises without a browser: it does not depend on the platform's
multiprocessing start method, and it is gone, port and all, when stopped.
"""

import socket
import urllib.request

import flask
import pytest

from tests.fixtures.live_server import LiveServer
from tests.helpers import ROOT, inner_pytest_environment

FORKSERVER_CONFTEST = """
import multiprocessing

# What Python 3.14 does by default on Linux (3.8+ on macOS uses "spawn").
multiprocessing.set_start_method("forkserver", force=True)

pytest_plugins = ["tests.fixtures.live_server"]
"""

FETCH_TEST = """
import urllib.request

import flask
import pytest


@pytest.fixture
def app():
    app = flask.Flask(__name__)
    app.add_url_rule("/", "index", lambda: "served")
    return app


def test_page_comes_back(live_server):
    assert urllib.request.urlopen(live_server.url("/")).read() == b"served"
"""


@pytest.mark.slow
def test_live_server_works_under_the_forkserver_start_method(pytester, monkeypatch):
    # GIVEN a run whose multiprocessing start method is "forkserver", as Python 3.14
    # makes it on Linux (pytest-flask's forked server cannot pickle the app)
    pytester.makeconftest(FORKSERVER_CONFTEST)
    pytester.makepyfile(test_fetch=FETCH_TEST)
    inner_pytest_environment(monkeypatch, PYTHONPATH=str(ROOT))

    # WHEN a test fetches a page from ``live_server``
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    # THEN the page comes back
    result.assert_outcomes(passed=1)


def test_stopped_live_server_no_longer_answers():
    # GIVEN a live server that answered a request
    app = flask.Flask(__name__)
    app.add_url_rule("/", "index", lambda: "served")
    server = LiveServer(app)
    server.start()
    assert urllib.request.urlopen(server.url("/")).read() == b"served"

    # WHEN it is stopped
    server.stop()

    # THEN its port refuses connections
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=5)
