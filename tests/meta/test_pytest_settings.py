"""Proof that the pytest settings are strict where they are written.

Patterns: strict markers and config; testing the harness with pytester.

pytest 9.0 silently ignored ``--strict-markers`` and ``--strict-config`` when
they came from ``addopts``: a typo in a marker or a setting passed unnoticed,
although the configuration said it must not. Settings that only look strict
are worse than none, so these tests copy this repository's ``[tool:pytest]``
section, and the one docs/copying-the-harness.md gives users, into a fresh project, add
the mistake, and check that the run fails.
"""

import pytest

from tests.helpers import copy_recipes, repository_settings

SETTINGS = [
    pytest.param(repository_settings(), id="repository-setup-cfg"),
    pytest.param(copy_recipes()[("*", "setup.cfg")], id="readme-setup-cfg"),
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_unregistered_marker_fails_the_run(pytester, settings):
    # GIVEN the pytest settings and a test marked with a name no one registered
    pytester.makefile(".cfg", setup=settings)
    pytester.makepyfile(**{"tests/test_marked": "import pytest\n\n@pytest.mark.slwo\ndef test_x():\n    pass\n"})

    # WHEN pytest runs
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")

    # THEN the run fails at collection, naming the marker
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'slwo' not found in `markers` configuration option*"])


@pytest.mark.parametrize("settings", SETTINGS)
def test_unknown_setting_fails_the_run(pytester, settings):
    # GIVEN the pytest settings with a key no plugin declares (a misspelt one)
    pytester.makefile(".cfg", setup=settings + "xfail_strcit = true\n")
    pytester.makepyfile(**{"tests/test_plain": "def test_x():\n    pass\n"})

    # WHEN pytest runs
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")

    # THEN it stops before running any test, naming the key
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Unknown config option: xfail_strcit*"])
