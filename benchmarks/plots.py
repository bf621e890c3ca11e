"""The benchmark's plots in docs/images/, drawn from the figures a run has just measured.

Drawn by whoever measured them: ``make bench`` (all three), ``make bench-import``
(the import), ``make bench-isolation`` (the isolation strategies) and
``make bench-django`` (this harness against pytest-django), from the
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
VERSUS_DJANGO = IMAGES / "bench-versus-django.png"
# One colour per backend, the same in every plot.
COLOURS = {"SQLite": "tab:blue", "PostgreSQL": "tab:orange"}
# The sides of the comparison with pytest-django: the two harnesses, and pytest-django in grey.
SIDE_COLOURS = {"repository": "tab:green", "inventory": "tab:olive", "django": "tab:gray"}
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


def versus_django(figures, sides, run_note):
    """This harness against pytest-django: for each backend, bars of ms per test by kind of test
    and side, each harness bar labelled with its ratio to pytest-django's; then the start-up.
    ``figures``: {(backend, side): {row: value}}, versus_django.figures; ``sides``: {side: label}."""
    backends = list(dict.fromkeys(backend for backend, _ in figures))
    kinds = {
        "plain": "plain function",
        "count": "one COUNT",
        "isolation": "isolation\n(COUNT − plain)",
        "list": "row + list page",
    }
    title = "This harness against pytest-django: cost per test, whole processes of 100 and 600 tests"
    figure, panels = _figure(title, f"{run_note}\n× = cost over pytest-django's; {READ_RATIOS}", len(backends) + 1)
    width = 0.8 / len(sides)

    def bars(axes, place, side, value, base, unit):
        offset = (list(sides).index(side) - (len(sides) - 1) / 2) * width
        label = sides[side].replace("`", "") if place == 0 else None
        drawn = axes.bar(place + offset, value, width, label=label, color=SIDE_COLOURS.get(side))
        ratio = f"\n{value / base:.2f}×" if side != "django" and value > 0 and base > 0 else ""
        axes.bar_label(drawn, [f"{value:.2f}{unit}{ratio}"], fontsize="x-small")

    for axes, backend in zip(panels, backends, strict=False):
        for place, kind in enumerate(kinds):
            for side in sides:
                bars(axes, place, side, figures[backend, side][kind], figures[backend, "django"][kind], "")
        axes.set_xticks(range(len(kinds)), kinds.values(), fontsize="small")
        axes.set_ylabel("ms per test: (600 tests − 100 tests) / 500")
        axes.set_title(backend, fontsize="medium")
    startup = panels[-1]
    for place, backend in enumerate(backends):
        for side in sides:
            bars(startup, place, side, figures[backend, side]["start-up"], figures[backend, "django"]["start-up"], " s")
    startup.set_xticks(range(len(backends)), backends)
    startup.set_ylabel("seconds: the 100-test run extrapolated to 0 tests")
    startup.set_title("start-up (pytest-django's: its test database and migrations)", fontsize="medium")
    for axes in panels:
        axes.margins(y=0.25)
    panels[0].legend(fontsize="small")
    return _save(figure, VERSUS_DJANGO)
