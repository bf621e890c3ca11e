"""Write what CI shows of the combined coverage: a Markdown summary and a badge.

Reads ``coverage.xml`` (Cobertura, written by ``coverage xml`` after the data of
every leg was combined) and writes:

- ``coverage-summary.md``: the total, the branch figures, and a table of the
  files that are not fully covered (the GitHub workflow appends it to the job
  summary; ``.ci/run`` prints it);
- ``coverage-badge.svg``: a small badge made here, from the total alone, with
  no third-party service (the workflow publishes it on the ``badges`` branch).

Usage: python scripts/coverage_summary.py [coverage.xml] [--out DIR]
"""

import argparse
import math
import xml.etree.ElementTree as ET
from pathlib import Path

BADGE = """<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="coverage: {text}">
  <title>coverage: {text}</title>
  <rect width="61" height="20" fill="#555"/>
  <rect x="61" width="{value_width}" height="20" fill="{colour}"/>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
    <text x="30.5" y="14">coverage</text>
    <text x="{value_x}" y="14">{text}</text>
  </g>
</svg>
"""


def colour(percent):
    if percent >= 100:
        return "#2e7d32"
    if percent >= 90:
        return "#f9a825"
    return "#c62828"


def badge(percent):
    text = f"{percent:g}%"
    value_width = 8 + 7 * len(text)
    return BADGE.format(
        width=61 + value_width,
        value_width=value_width,
        value_x=61 + value_width / 2,
        colour=colour(percent),
        text=text,
    )


def read(report):
    """``(total percent, lines (covered, valid), branches (covered, valid), [(file, percent), ...])``."""
    root = ET.parse(report).getroot()
    lines = (int(root.get("lines-covered")), int(root.get("lines-valid")))
    branches = (int(root.get("branches-covered")), int(root.get("branches-valid")))
    covered, valid = lines[0] + branches[0], lines[1] + branches[1]
    # Rounded down, as coverage's own report does: 99.996% must not read 100%.
    total = math.floor(10000 * covered / valid) / 100 if valid else 100.0
    files = []
    for cls in root.iter("class"):
        line_rate, branch_rate = float(cls.get("line-rate")), float(cls.get("branch-rate"))
        if line_rate < 1 or branch_rate < 1:
            files.append((cls.get("filename"), math.floor(1000 * min(line_rate, branch_rate)) / 10))
    return total, lines, branches, sorted(files)


def markdown(total, lines, branches, files):
    out = [
        f"## Coverage: {total:g}% (combined from every CI leg)",
        "",
        f"Lines {lines[0]} of {lines[1]}, branches {branches[0]} of {branches[1]}. The gate is 100%.",
    ]
    if files:
        out += ["", "| file not fully covered | lowest of line and branch rate |", "|---|---|"]
        out += [f"| `{name}` | {percent:g}% |" for name, percent in files]
    else:
        out += ["", "Every file of `sample_app` is fully covered."]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", nargs="?", default="coverage.xml")
    parser.add_argument("--out", default=".", help="folder for coverage-summary.md and coverage-badge.svg")
    args = parser.parse_args()
    total, lines, branches, files = read(args.report)
    summary = markdown(total, lines, branches, files)
    out = Path(args.out)
    (out / "coverage-summary.md").write_text(summary)
    (out / "coverage-badge.svg").write_text(badge(total))
    print(summary, end="")


if __name__ == "__main__":
    main()
