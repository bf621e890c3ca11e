"""The markdown tables of ``make bench``, and the targets their ratios are held to."""

from running import summary_line, tests_run

# name -> (target, comparison): "max" means the ratio must not exceed the target.
TARGETS = {
    "suite / floor": (2.5, "max"),
    "coverage / plain": (1.4, "max"),
    "PostgreSQL / SQLite": (1.5, "max"),
    "collection seconds": (1.5, "max"),
    "create_drop / savepoint (SQLite)": (1.5, "min"),
    "create_drop / savepoint (PostgreSQL)": (3.0, "min"),
    "gated / plain serial": (1.2, "max"),
    # make test at most 0.6 of the old gated run (issue 22): the old one at least 1 / 0.6 of it.
    "make test-whole / make test": (1.67, "min"),
    "one module / single-test floor": (1.25, "max"),
}


def verdict(name, value):
    """(the bound, "met" or "**NOT met**") of ``value`` against the target ``name``."""
    target, kind = TARGETS[name]
    met = value <= target if kind == "max" else value >= target
    bound = f"≤ {target}" if kind == "max" else f"≥ {target}"
    return bound, "met" if met else "**NOT met**"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(out)


def seconds_cell(result):
    """A leg's median, and why it failed if a run did."""
    cell = f"{result['median']:.2f}"
    return f"{cell} (FAILED, {result['failed']})" if result["failed"] else cell


def ratio_cells(results, leg, ratio_name, base, target_name):
    """The ratio, bound and verdict cells of a row (a row as in suite.SUITE_ROWS); empty without a ratio."""
    if not ratio_name:
        return ["", "", ""]
    ratio = results[leg]["median"] / results[base]["median"]
    bound, met = verdict(target_name, ratio) if target_name else ("", "")
    return [f"{ratio_name} = {ratio:.2f}×", bound, met]


def ratio_table(results, rows):
    """Legs against a base leg, rows as in suite.SUITE_ROWS, with the tests each ran."""
    out = []
    for row in rows:
        leg, label = row[:2]
        result = results[leg]
        tests = tests_run(summary_line(result["output"]))
        out.append([label, tests, seconds_cell(result), *ratio_cells(results, leg, *row[2:])])
    return table(["leg", "tests", "median s", "ratio", "target", ""], out)
