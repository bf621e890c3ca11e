"""The GitHub workflow a user copies: every action pinned, and the lint gate that keeps it so.

Patterns: CI workflow hardening.

zizmor (run by ``make lint``) reports a moving tag, a missing ``permissions:``
block, a persisted token or a context value expanded in a script; the last test
changes one step back to ``actions/checkout@v4`` in a copy and shows it fails.
The version comment after each SHA is what Dependabot updates and what a reader
checks against the action's releases; zizmor does not check it offline, so the
first test does.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
ZIZMOR = Path(sys.executable).parent / "zizmor"


def uses_lines(text):
    return [line.split("uses:", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("- uses:")]


def test_every_action_is_pinned_by_commit_with_its_version_named():
    # GIVEN the workflow's steps
    steps = uses_lines(WORKFLOW.read_text(encoding="utf-8"))

    # WHEN each `uses:` is matched against "owner/repo@<40 hex> # vX.Y.Z"
    unpinned = [step for step in steps if not PINNED.match(step)]

    # THEN every one is pinned, and there are steps to check
    assert len(steps) >= 10
    assert unpinned == []


def test_only_the_badge_job_may_write():
    # GIVEN the workflow's permissions, at the top and per job
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))

    # WHEN the jobs that widen them are listed
    widened = {name: job["permissions"] for name, job in workflow["jobs"].items() if "permissions" in job}

    # THEN the token reads by default, and only the badge job writes the contents
    assert workflow["permissions"] == {"contents": "read"}
    assert widened == {"badge": {"contents": "write"}}


def test_zizmor_fails_a_step_changed_back_to_a_moving_tag(tmp_path):
    # GIVEN a copy of the workflow with its first checkout back on a tag
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = WORKFLOW.read_text(encoding="utf-8")
    pinned_checkout = next(step for step in uses_lines(text) if step.startswith("actions/checkout@"))
    (workflows / "tests.yml").write_text(text.replace(pinned_checkout, "actions/checkout@v4", 1), encoding="utf-8")
    shutil.copy(ROOT / ".github" / "dependabot.yml", tmp_path / ".github")

    # WHEN zizmor checks it, as make lint does (plain text: with CI=true set it colours even a pipe)
    result = subprocess.run(
        [ZIZMOR, "--offline", "--color=never", tmp_path / ".github"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    # THEN it fails on exactly that step
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout
    assert "actions/checkout@v4" in result.stdout
    assert "1 high" in result.stdout
