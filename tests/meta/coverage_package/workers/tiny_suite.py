import subprocess
import sys
import urllib.request

import pytest
from pkg.code import create_app, run_in_worker


@pytest.fixture
def app():
    return create_app()


def test_in_worker():
    assert run_in_worker() == "worker"


def test_in_subprocess():
    code = "from pkg.code import run_in_subprocess; print(run_in_subprocess())"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "subprocess"


def test_in_live_server(live_server):
    assert urllib.request.urlopen(live_server.url("/")).read() == b"live"
