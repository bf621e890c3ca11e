"""The Python versions the project claims, said the same way everywhere.

Patterns: documentation checked by a test.

The package metadata (setup.cfg's classifiers and ``python_requires``), the
README and the GitHub workflow's matrix each name the supported versions; .ci/run
reads the classifiers and runs ``make test`` on each one installed. A version
added or dropped in one place only fails here.
"""

import configparser
import re

import yaml

from tests.helpers import ROOT

VERSION = re.compile(r"3\.\d+")


def setup_cfg():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "setup.cfg")
    return parser


def classifier_versions():
    last_parts = (line.rsplit(":: ", 1)[-1] for line in setup_cfg()["metadata"]["classifiers"].split("\n"))
    return [part for part in last_parts if VERSION.fullmatch(part)]


def readme_versions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = readme[readme.index("Both commands need only Python") :].split(")", 1)[0]
    return VERSION.findall(sentence)


def workflow_versions():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8"))
    return [str(version) for version in workflow["jobs"]["test"]["strategy"]["matrix"]["python"]]


def test_readme_and_workflow_name_the_classifiers_versions():
    # GIVEN the versions in setup.cfg's classifiers
    versions = classifier_versions()

    # WHEN the README's sentence and the workflow's matrix are read
    readme, workflow = readme_versions(), workflow_versions()

    # THEN all three name the same versions, in the same order
    assert versions == ["3.11", "3.12", "3.13", "3.14"]
    assert readme == versions
    assert workflow == versions


def test_python_requires_starts_at_the_oldest_claimed_version():
    # GIVEN the classifiers' oldest version
    oldest = classifier_versions()[0]

    # WHEN python_requires is read
    python_requires = setup_cfg()["options"]["python_requires"]

    # THEN pip refuses exactly the versions below it
    assert python_requires == f">={oldest}"
