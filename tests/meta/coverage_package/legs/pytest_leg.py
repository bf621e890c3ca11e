from pkg.legs import run_by_pytest


def test_pytest_leg():
    assert run_by_pytest() == "pytest"
