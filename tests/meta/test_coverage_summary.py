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

from tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "coverage_summary.py"

REPORT = """<?xml version="1.0" ?>
<coverage lines-valid="{lines[1]}" lines-covered="{lines[0]}"
          branches-valid="{branches[1]}" branches-covered="{branches[0]}">
  <packages><package name="sample_app"><classes>
    <class name="isbn.py" filename="sample_app/isbn.py" line-rate="1" branch-rate="1"/>
    <class name="lookup.py" filename="sample_app/lookup.py" line-rate="{lookup_line_rate}" branch-rate="1"/>
  </classes></package></packages>
</coverage>
"""


def write_report(folder, lines, branches, lookup_line_rate):
    """A Cobertura report in ``folder`` of ``lines`` and ``branches`` ``(covered, valid)``, whose
    isbn.py is fully covered and lookup.py covered at ``lookup_line_rate``; returns its path."""
    report = folder / "coverage.xml"
    report.write_text(REPORT.format(lines=lines, branches=branches, lookup_line_rate=lookup_line_rate))
    return report


def summarise(report):
    """Run the script on ``report`` as CI does, writing beside it; return (stdout, badge text)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(report), "--out", str(report.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (report.parent / "coverage-summary.md").read_text() == result.stdout
    return result.stdout, (report.parent / "coverage-badge.svg").read_text()


def test_full_coverage_is_a_green_100_percent(tmp_path):
    # GIVEN a report with every line and branch covered
    report = write_report(tmp_path, lines=(40, 40), branches=(10, 10), lookup_line_rate=1)

    # WHEN the summary is made
    summary, badge = summarise(report)

    # THEN it says 100% with the figures, names no file, and the badge is green
    assert summary.splitlines()[0] == "## Coverage: 100% (combined from every CI leg)"
    assert "Lines 40 of 40, branches 10 of 10. The gate is 100%." in summary
    assert "Every file of `sample_app` is fully covered." in summary
    assert 'aria-label="coverage: 100%"' in badge
    assert 'fill="#2e7d32"' in badge


def test_one_line_missed_in_ten_thousand_is_not_rounded_up_to_100(tmp_path):
    # GIVEN a report with 9,999 of 10,000 lines covered (99.99%), the missed one in lookup.py, no branches
    report = write_report(tmp_path, lines=(9999, 10000), branches=(0, 0), lookup_line_rate=0.9995)

    # WHEN the summary is made
    summary, badge = summarise(report)

    # THEN it says 99.99%, lists the file not fully covered, and the badge is amber
    assert summary.splitlines()[0] == "## Coverage: 99.99% (combined from every CI leg)"
    assert "| `sample_app/lookup.py` | 99.9% |" in summary
    assert "isbn.py" not in summary
    assert 'aria-label="coverage: 99.99%"' in badge
    assert 'fill="#f9a825"' in badge
