"""The benchmark's plots in docs/images/, drawn from the figures a run has just measured.

Drawn by whoever measured them: ``make bench`` (both), ``make bench-import``
(the import) and ``make bench-isolation`` (the isolation strategies), from the
same values their tables are written from, so a plot never shows other figures
than the table beside it. matplotlib is the ``bench`` extra of setup.cfg, on the
Agg backend (files only, no display); it is imported only when a plot is drawn,
so ``bench.py --help`` and ``--no-doc`` runs need none of it.
"""

import datetime
import importlib.util
import os
import sys

from running import ROOT

IMAGES = ROOT / "docs" / "images"
ISOLATION = IMAGES / "bench-isolation.png"
IMPORT = IMAGES / "bench-import.png"
# One colour per backend, the same in every plot.
COLOURS = {"SQLite": "tab:blue", "PostgreSQL": "tab:orange"}
READ_RATIOS = "read the ratios: milliseconds move with the machine's load, ratios much less"


def check():
    """Stop before anything is measured when the plots could not be drawn."""
    if importlib.util.find_spec("matplotlib") is None:
        sys.exit("the plots need matplotlib, the bench extra: pip install -c constraints.txt -e '.[bench]'")


def note(command, load_before, load_after, repeat):
    """The line under a plot's title: which run, when, on what, how loaded."""
    date = datetime.date.today().isoformat()
    load = f"load average {load_before[0]:.2f} to {load_after[0]:.2f}"
    return f"{command}, {date}, {os.cpu_count()} cores, {load}, median of {repeat} runs"


def _figure(title, subtitle, columns):
    """A figure of ``columns`` plots side by side, titled, and its axes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(max(8.4, 5.3 * columns), 4.8), layout="constrained")
    figure.suptitle(f"{title}\n{subtitle}", fontsize="medium")
    return figure, figure.subplots(1, columns, squeeze=False)[0]


def _save(figure, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # No "Software" stamp: a new matplotlib alone should not change the file.
    figure.savefig(path, dpi=110, metadata={"Software": None})
    return path.relative_to(ROOT)


def isolation(costs_by_backend, count, run_note):
    """Bars of ms per test above the floor for each strategy and backend, each labelled with its
    ratio to savepoint's cost. ``costs_by_backend``: {backend: {strategy: (ms, ratio)}}, isolation.costs."""
    strategies = list(dict.fromkeys(name for costs in costs_by_backend.values() for name in costs if name != "floor"))
    title = f"Cost per test by isolation strategy ({count} tests: commit a user, count users)"
    figure, (axes,) = _figure(title, f"{run_note}\n× = cost over savepoint's; {READ_RATIOS}", 1)
    width = 0.8 / len(costs_by_backend)
    labelled = set()
    for place, name in enumerate(strategies):
        # A strategy one backend cannot run (fresh_sqlite on PostgreSQL): the other's bar, centred.
        present = [backend for backend, costs in costs_by_backend.items() if name in costs]
        for index, backend in enumerate(present):
            milliseconds, ratio = costs_by_backend[backend][name]
            offset = (index - (len(present) - 1) / 2) * width
            label = None if backend in labelled else backend
            labelled.add(backend)
            bars = axes.bar(place + offset, milliseconds, width, label=label, color=COLOURS.get(backend))
            axes.bar_label(bars, [f"{milliseconds:.1f} ms\n{ratio:.1f}×"], fontsize="small")
    axes.set_xticks(range(len(strategies)), strategies)
    axes.set_ylabel("ms per test above a floor of empty tests")
    axes.margins(y=0.2)
    axes.legend()
    return _save(figure, ISOLATION)


def importing(results, sizes, run_note):
    """The import's seconds by file size, against a line from the smallest file, and each size's
    cost per row over the smallest's. ``results``: {(backend, rows): seconds}, importing.measure."""
    backends = list(dict.fromkeys(backend for backend, _ in results))
    smallest = min(sizes)
    figure, (seconds_axes, growth_axes) = _figure("The CSV import by file size (import_books)", run_note, 2)
    for backend in backends:
        seconds = [results[backend, rows] for rows in sizes]
        per_row = [s / rows for s, rows in zip(seconds, sizes, strict=True)]
        base = results[backend, smallest] / smallest
        colour = COLOURS.get(backend)
        seconds_axes.plot(sizes, seconds, "o-", color=colour, label=backend)
        linear = [base * rows for rows in sizes]
        seconds_axes.plot(sizes, linear, ":", color=colour, label=f"{backend}: linear from {smallest:,} rows")
        growth = [cost / base for cost in per_row]
        growth_axes.plot(sizes, growth, "o-", color=colour, label=backend)
        # The smallest file's 1.00 is so by definition: only the others are labelled.
        for rows, ratio in list(zip(sizes, growth, strict=True))[1:]:
            growth_axes.annotate(f"{ratio:.2f}", (rows, ratio), textcoords="offset points", xytext=(0, 6), ha="center")
    for axes in (seconds_axes, growth_axes):
        axes.set_xticks(sizes, [f"{rows:,}" for rows in sizes])
        axes.set_xlabel("rows in the CSV file")
        axes.legend(fontsize="small")
    seconds_axes.set_ylabel("seconds (median)")
    growth_axes.axhline(1, color="grey", linewidth=0.8)
    growth_axes.set_ylabel(f"cost per row / cost per row at {smallest:,}")
    growth_axes.set_title("1 = linear; the ratio is the figure to read", fontsize="small")
    growth_axes.margins(y=0.25)
    return _save(figure, IMPORT)
