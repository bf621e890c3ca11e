"""The combined coverage report as CI shows it: scripts/coverage_summary.py turns
``coverage.xml`` into the job summary and the badge.

Patterns: one coverage report from every CI leg; expected values written in the
test.

The script runs as CI runs it, on a small Cobertura file written here: what it
prints is what a reviewer reads on a pull request, and the badge is what the
README shows, so a total rounded up to 100% would hide a failing gate.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "coverage_summary.py"

REPORT = """<?xml version="1.0" ?>
<coverage lines-valid="{lines_valid}" lines-covered="{lines_covered}"
          branches-valid="{branches_valid}" branches-covered="{branches_covered}">
  <packages><package name="sample_app"><classes>
    <class name="isbn.py" filename="sample_app/isbn.py" line-rate="1" branch-rate="1"/>
    <class name="lookup.py" filename="sample_app/lookup.py" line-rate="{lookup_line_rate}" branch-rate="1"/>
  </classes></package></packages>
</coverage>
"""


def summarise(tmp_path, **counts):
    """Run the script on a report with ``counts``; return (stdout, badge text)."""
    report = tmp_path / "coverage.xml"
    report.write_text(REPORT.format(**counts))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(report), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (tmp_path / "coverage-summary.md").read_text() == result.stdout
    return result.stdout, (tmp_path / "coverage-badge.svg").read_text()


def test_full_coverage_is_a_green_100_percent(tmp_path):
    """
    GIVEN a report with every line and branch covered
    WHEN the summary is made
    THEN it says 100% with the figures, names no file, and the badge is green
    """
    summary, badge = summarise(
        tmp_path, lines_valid=40, lines_covered=40, branches_valid=10, branches_covered=10, lookup_line_rate=1
    )

    assert summary.splitlines()[0] == "## Coverage: 100% (combined from every CI leg)"
    assert "Lines 40 of 40, branches 10 of 10. The gate is 100%." in summary
    assert "Every file of `sample_app` is fully covered." in summary
    assert 'aria-label="coverage: 100%"' in badge
    assert 'fill="#2e7d32"' in badge


def test_one_line_missed_in_ten_thousand_is_not_rounded_up_to_100(tmp_path):
    """
    GIVEN a report with 9,999 of 10,000 lines covered (99.99%) and no branches
    WHEN the summary is made
    THEN it says 99.99%, lists the file not fully covered, and the badge is amber
    """
    summary, badge = summarise(
        tmp_path, lines_valid=10000, lines_covered=9999, branches_valid=0, branches_covered=0, lookup_line_rate=0.9995
    )

    assert summary.splitlines()[0] == "## Coverage: 99.99% (combined from every CI leg)"
    assert "| `sample_app/lookup.py` | 99.9% |" in summary
    assert "isbn.py" not in summary
    assert 'aria-label="coverage: 99.99%"' in badge
    assert 'fill="#f9a825"' in badge
