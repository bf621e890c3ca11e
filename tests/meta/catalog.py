"""The checker of the pattern catalog (docs/patterns.md), used by test_catalog.py.

Patterns: documentation checked by a test.

The catalog is a set of markdown tables whose "shown in" cells link to
``path::Class::test_name``. It is parsed with plain regular expressions and the
test modules with ``ast`` (nothing is imported, so a module that fails to import
is still checked). Each check is a plain function of a repository root that
returns its offenders, so the tests can run it on the real tree and on a tiny
one in ``tmp_path``.
"""

import ast
import functools
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

CATALOG = Path("docs/patterns.md")
HEADER = ["pattern", "use it when", "shown in", "pitfall it avoids"]
# Modules that are not test modules but still say which patterns they show.
SUPPORT_MODULES = [
    "conftest.py",
    "tests/base.py",
    "tests/factories.py",
    "tests/helpers.py",
    "tests/meta/catalog.py",
]

NODE_ID = re.compile(r"(?P<path>[\w/]+\.py)::(?P<name>\w+(?:::\w+)?)")
LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<target>[^)\s]+)\)")
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
PATTERNS_PARAGRAPH = re.compile(r"^Patterns:(?P<names>.*?)(?:\n[ \t]*\n|\Z)", re.MULTILINE | re.DOTALL)


# --- reading the catalog and the modules ---------------------------------------


@dataclass(frozen=True)
class Reference:
    """One ``[`path::Class::test`](../path)`` link of a catalog row."""

    line: int
    label: str
    target: Path  # relative to the repository root

    @property
    def path(self):
        return self.label.split("::")[0]

    @property
    def name(self):
        """``"Class::test"``, ``"test"``, or ``""`` for a link to a whole file."""
        return self.label.partition("::")[2]


@dataclass
class Catalog:
    patterns: dict  # pattern name -> list of line numbers that define it
    rows: list  # (line, cells)
    references: list  # Reference, from the tables only

    def __repr__(self):  # short, for pytest's failure reports
        return f"<Catalog of {len(self.rows)} rows>"


def split_cells(line):
    cells = CELL_SEPARATOR.split(line.strip())
    return [cell.strip() for cell in cells[1:-1]]


def _resolve(target, catalog_path):
    """A link target as a path relative to the repository root."""
    return Path(posixpath.normpath((catalog_path.parent / target.split("#")[0]).as_posix()))


def relative_links(text, document):
    """``(line, target relative to the root)`` for every link to a file of this repository."""
    links = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in LINK.finditer(line):
            target = match["target"]
            if not target.startswith(("http://", "https://", "mailto:", "#")):
                links.append((number, _resolve(target, document)))
    return links


def parse_catalog(text, catalog_path=CATALOG):
    catalog = Catalog(patterns={}, rows=[], references=[])
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("|"):
            continue
        cells = split_cells(line)
        if cells == HEADER or set("".join(cells)) <= set("-: "):
            continue
        catalog.rows.append((number, cells))
        catalog.patterns.setdefault(cells[0], []).append(number)
        for match in LINK.finditer(line):
            label = match["label"]
            if label.startswith("`") and label.endswith("`"):
                target = _resolve(match["target"], catalog_path)
                catalog.references.append(Reference(number, label.strip("`"), target))
    return catalog


@functools.cache  # keyed by the source text: each module is parsed once, never stale
def defined_names(source):
    """Top-level functions and classes, and ``Class::method`` for their methods."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}::{item.name}")
    return names


def docstring_patterns(source):
    """The names on the module docstring's ``Patterns:`` line, or None without one.

    The line may wrap; it ends at a blank line, with a full stop, and the
    names are separated by semicolons.
    """
    docstring = ast.get_docstring(ast.parse(source)) or ""
    match = PATTERNS_PARAGRAPH.search(docstring)
    if match is None:
        return None
    text = " ".join(match["names"].split())
    if not text.endswith("."):
        return None
    return [name.strip() for name in text[:-1].split(";")]


def find_test_modules(root):
    # The transplant apps' tests belong to those apps, not to this suite.
    paths = (root / "tests").rglob("test_*.py")
    return sorted(path.relative_to(root).as_posix() for path in paths if "transplant_apps" not in path.parts)


def documented_modules(root):
    fixtures = sorted(path.relative_to(root).as_posix() for path in (root / "tests" / "fixtures").glob("[!_]*.py"))
    return find_test_modules(root) + [path for path in SUPPORT_MODULES if (root / path).exists()] + fixtures


# --- the checks: each returns its offenders, one string each ------------------


def incomplete_rows(catalog):
    """Rows without the four columns, a name, a "use it when" or a code link."""
    linked_lines = {ref.line for ref in catalog.references}
    return [
        f"{CATALOG}:{line}: {cells[0] or '(no name)'}"
        for line, cells in catalog.rows
        if len(cells) != len(HEADER) or not cells[0] or not cells[1] or line not in linked_lines
    ]


def duplicate_patterns(catalog):
    return [f"{name!r} on lines {lines}" for name, lines in catalog.patterns.items() if len(lines) > 1]


def find_documents(root):
    """The README and the pages in docs/ (the catalog among them)."""
    return ["README.md", *sorted(path.relative_to(root).as_posix() for path in (root / "docs").glob("*.md"))]


def missing_files(root, documents):
    offenders = []
    for document in documents:
        text = (root / document).read_text(encoding="utf-8")
        for line, target in relative_links(text, Path(document)):
            if not (root / target).exists():
                offenders.append(f"{document}:{line}: {target.as_posix()}")
    return offenders


def mislabelled_links(catalog):
    return [
        f"{CATALOG}:{ref.line}: [{ref.label}] links to {ref.target.as_posix()}"
        for ref in catalog.references
        if Path(ref.path) != ref.target
    ]


def missing_names(root, catalog):
    offenders = []
    for ref in catalog.references:
        module = root / ref.target
        if not ref.name or ref.target.suffix != ".py" or not module.exists():
            continue
        if ref.name not in defined_names(module.read_text(encoding="utf-8")):
            offenders.append(f"{CATALOG}:{ref.line}: {ref.label} (no {ref.name} in {ref.path})")
    return offenders


def missing_node_ids(root, documents):
    """``path::name`` written anywhere in the documents (commands, prose) that does not exist."""
    offenders = []
    for document in documents:
        for number, line in enumerate((root / document).read_text(encoding="utf-8").splitlines(), start=1):
            for match in NODE_ID.finditer(line):
                module = root / match["path"]
                if not module.exists() or match["name"] not in defined_names(module.read_text(encoding="utf-8")):
                    offenders.append(f"{document}:{number}: {match[0]}")
    return offenders


def modules_without_patterns_line(root):
    return [
        path
        for path in documented_modules(root)
        if docstring_patterns((root / path).read_text(encoding="utf-8")) is None
    ]


def unknown_patterns(root, catalog):
    offenders = []
    for path in documented_modules(root):
        for name in docstring_patterns((root / path).read_text(encoding="utf-8")) or []:
            if name not in catalog.patterns:
                offenders.append(f"{path}: {name!r}")
    return offenders


def unlisted_modules(root, catalog):
    linked = {ref.target.as_posix() for ref in catalog.references}
    return [path for path in find_test_modules(root) if path not in linked]


def report(title, offenders):
    """The failure message: ``title``, the count, then one offender a line."""
    return f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)
