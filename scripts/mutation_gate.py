"""Fail unless every mutant mutmut could not kill is a documented equivalent one.

Run after ``mutmut run`` (``make mutation`` does both). ``mutmut run`` exits 0
even when mutants survive, so this script is the gate:

1. ``mutmut export-cicd-stats`` writes the figures (killed, survived, total...)
   to ``mutants/mutmut-cicd-stats.json``; the score is computed from them.
2. ``mutmut results --all=true`` gives each mutant's status; a mutant that
   survived (or that no test reached) must be listed in docs/mutation.md under
   "Equivalent mutants", as ``sample_app.module.x_function__mutmut_N``.

It fails, printing the names, when a survivor is not documented, when a
documented mutant was killed or no longer exists (the list must stay honest),
or when a mutant was not run to a verdict.

Usage: python scripts/mutation_gate.py [PATTERN ...]

With patterns (fnmatch, as given to ``mutmut run``) only the matching mutants
are judged and counted, from the per-mutant statuses: that checks a run on
part of the code (``make mutation MUTANTS='sample_app.isbn.*'``).
"""

import argparse
import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "mutation.md"
CICD_STATS = ROOT / "mutants" / "mutmut-cicd-stats.json"
MUTMUT = Path(sys.executable).with_name("mutmut")

KILLED = {"killed", "timeout"}  # a test failed, or the mutant made it hang
SURVIVED = {"survived", "no tests"}  # must be killed or documented
SKIPPED = {"skipped"}  # "# pragma: no mutate": not counted
# Anything else ("not checked", "suspicious", "segfault"...) is a run to look into.

EQUIVALENT_SECTION = "## Equivalent mutants"
UNDOCUMENTED = "Survivors not listed in docs/mutation.md: kill each with a test, or document why none can"
KILLED_BUT_DOCUMENTED = "Listed as equivalent in docs/mutation.md but killed: remove them from the list"
UNKNOWN_BUT_DOCUMENTED = "Listed as equivalent in docs/mutation.md but no such mutant (renumbered by a code change?)"
UNFINISHED = "Mutants without a clear verdict (an interrupted run?): run `mutmut run` to the end"
MUTANT_NAME = re.compile(r"`(sample_app\.[\w.]+__mutmut_\d+)`")
RESULT_LINE = re.compile(r"^\s+(\S+__mutmut_\d+): (.+)$")


def mutmut(*args):
    # mutmut reads setup.cfg and mutants/ relative to the working directory.
    return subprocess.run([str(MUTMUT), *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def documented_equivalents(text):
    """Mutant names listed in the "Equivalent mutants" section of docs/mutation.md."""
    _, found, rest = text.partition(EQUIVALENT_SECTION)
    if not found:
        raise SystemExit(f"{DOCS} has no {EQUIVALENT_SECTION!r} section")
    section = rest.split("\n## ", 1)[0]
    return set(MUTANT_NAME.findall(section))


def parse_results(output):
    """``{mutant name: status}`` from ``mutmut results --all=true``."""
    statuses = {}
    for line in output.splitlines():
        match = RESULT_LINE.match(line)
        if match:
            statuses[match[1]] = match[2]
    return statuses


def judge(statuses, documented, patterns=()):
    """Return ``(figures, problems)`` for the mutants matching ``patterns`` (all if none)."""

    def selected(name):
        return not patterns or any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    statuses = {name: status for name, status in statuses.items() if selected(name)}
    documented = {name for name in documented if selected(name)}
    counted = {name: status for name, status in statuses.items() if status not in SKIPPED}
    killed = sorted(name for name, status in counted.items() if status in KILLED)
    survived = sorted(name for name, status in counted.items() if status in SURVIVED)
    unfinished = sorted(f"{name} ({status})" for name, status in counted.items() if status not in KILLED | SURVIVED)
    figures = {
        "total": len(counted),
        "killed": len(killed),
        "survived": len(survived),
        "equivalent": len(documented & set(survived)),
        "skipped": len(statuses) - len(counted),
    }
    problems = {
        UNDOCUMENTED: sorted(set(survived) - documented),
        KILLED_BUT_DOCUMENTED: sorted(documented & set(killed)),
        UNKNOWN_BUT_DOCUMENTED: sorted(documented - set(statuses)),
        UNFINISHED: unfinished,
    }
    return figures, {title: names for title, names in problems.items() if names}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("patterns", nargs="*", help="only judge mutants matching these (as given to mutmut run)")
    args = parser.parse_args(argv)

    mutmut("export-cicd-stats")
    cicd = json.loads(CICD_STATS.read_text())
    statuses = parse_results(mutmut("results", "--all=true"))
    if not statuses:
        raise SystemExit("No mutants found: run `mutmut run` first.")
    figures, problems = judge(statuses, documented_equivalents(DOCS.read_text()), args.patterns)

    if not args.patterns:
        # The whole run: mutmut's own figures (a timeout counts as killed, as in
        # `mutmut badge`), which must agree with the per-mutant statuses.
        from_cicd = {
            "total": cicd["total"] - cicd["skipped"],
            "killed": cicd["killed"] + cicd["timeout"],
            "survived": cicd["survived"] + cicd["no_tests"],
        }
        if any(figures[key] != value for key, value in from_cicd.items()):
            raise SystemExit(f"mutmut export-cicd-stats {cicd} disagrees with mutmut results {figures}")
    scope = " ".join(args.patterns) or "all of sample_app"
    score = 100 * figures["killed"] / figures["total"] if figures["total"] else 0.0
    print(f"Mutation score ({scope}): {figures['killed']}/{figures['total']} killed = {score:.1f}%")
    print(f"Survivors: {figures['survived']}, of which documented equivalent: {figures['equivalent']}")
    for title, names in problems.items():
        print(f"\n{title}:")
        for name in names:
            print(f"  {name}")
    if problems:
        print("\nSee one with: .venv/bin/mutmut show NAME")
        return 1
    print("Every non-equivalent mutant was killed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
