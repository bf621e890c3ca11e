"""The pattern catalog (docs/patterns.md) checked against the code it points at.

Patterns: documentation checked by a test.

The catalog is a set of markdown tables whose "shown in" cells link to
``path::Class::test_name``. The checks below parse it with plain regular
expressions and the test modules with ``ast`` (nothing is imported, so a
module that fails to import is still checked), and fail with the list of
offenders when a link, a name or a module's ``Patterns:`` line goes stale.
The README and the other pages in docs/ get the same link and test-name checks,
so every command a reader copies still selects a test. The last tests run the
checks on a tiny catalog in ``tmp_path`` to show they do fail: a renamed test
is reported.
"""

import ast
import functools
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Path("docs/patterns.md")
HEADER = ["pattern", "use it when", "shown in", "pitfall it avoids"]
# Modules that are not test modules but still say which patterns they show.
SUPPORT_MODULES = ["conftest.py", "tests/base.py", "tests/factories.py", "tests/helpers.py"]

NODE_ID = re.compile(r"(?P<path>[\w/]+\.py)::(?P<name>\w+(?:::\w+)?)")
LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<target>[^)\s]+)\)")
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
PATTERNS_PARAGRAPH = re.compile(r"^Patterns:(?P<names>.*?)(?:\n[ \t]*\n|\Z)", re.MULTILINE | re.DOTALL)


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


# --- the checks, as plain functions: each returns the offenders ----------------


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


def _report(title, offenders):
    return f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)


# --- the real catalog ----------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    """docs/patterns.md, parsed once for this module's tests."""
    return parse_catalog((ROOT / CATALOG).read_text(encoding="utf-8"))


def test_every_row_has_a_name_a_use_and_a_link(catalog):
    """
    GIVEN the catalog's tables
    WHEN each row is read
    THEN it has the four columns, a name, a "use it when" and at least one code link
    """
    linked_lines = {ref.line for ref in catalog.references}
    offenders = [
        f"{CATALOG}:{line}: {cells[0] or '(no name)'}"
        for line, cells in catalog.rows
        if len(cells) != len(HEADER) or not cells[0] or not cells[1] or line not in linked_lines
    ]

    assert len(catalog.rows) > 50, "the catalog tables were not found: is the header row unchanged?"
    assert not offenders, _report("Rows missing a column, a name, a use or a link", offenders)


def test_pattern_names_are_unique(catalog):
    """
    GIVEN the pattern names in the first column
    WHEN they are counted
    THEN each appears once (docstrings refer to patterns by name)
    """
    duplicates = [f"{name!r} on lines {lines}" for name, lines in catalog.patterns.items() if len(lines) > 1]

    assert not duplicates, _report("Pattern names used by more than one row", duplicates)


def test_every_linked_file_exists():
    """
    GIVEN every relative link in the README and the pages in docs/ (the catalog among them)
    WHEN its target is resolved from the page's folder
    THEN the file exists (images and anchors' pages included)
    """
    offenders = missing_files(ROOT, find_documents(ROOT))

    assert not offenders, _report("Links to missing files", offenders)


def test_every_link_label_names_the_file_it_links_to(catalog):
    """
    GIVEN the code links of the tables (``[`path::test`](../path)``)
    WHEN the path in the label is compared with the link target
    THEN they are the same file
    """
    offenders = mislabelled_links(catalog)

    assert not offenders, _report("Links whose label and target disagree", offenders)


def test_every_named_test_exists(catalog):
    """
    GIVEN the ``path::Class::test_name`` labels of the tables
    WHEN each module is parsed with ``ast``
    THEN it defines that class, test, fixture or helper
    """
    offenders = missing_names(ROOT, catalog)

    assert not offenders, _report("Catalog names that the modules do not define", offenders)


def test_node_ids_in_the_readme_and_docs_exist():
    """
    GIVEN the README and the pages in docs/, whose commands name tests (``path::test``)
    WHEN each name is looked up in its module
    THEN it exists, so every command a reader copies selects a test
    """
    offenders = missing_node_ids(ROOT, find_documents(ROOT))

    assert not offenders, _report("Test names in the documentation that do not exist", offenders)


def test_every_test_module_names_its_patterns():
    """
    GIVEN every tests/**/test_*.py module, the root conftest and the shared test modules
    WHEN their docstrings are read
    THEN each has a ``Patterns: name; name.`` line
    """
    offenders = modules_without_patterns_line(ROOT)

    assert not offenders, _report("Modules without a 'Patterns: a; b.' line in their docstring", offenders)


def test_every_docstring_pattern_is_in_the_catalog(catalog):
    """
    GIVEN the names on each module's ``Patterns:`` line
    WHEN they are looked up in the catalog
    THEN every one is the exact name of a catalog row
    """
    offenders = unknown_patterns(ROOT, catalog)

    assert not offenders, _report("Docstring patterns that docs/patterns.md does not list", offenders)


def test_every_test_module_is_linked_from_the_catalog(catalog):
    """
    GIVEN every tests/**/test_*.py module
    WHEN the catalog's code links are collected
    THEN each module is linked from at least one row
    """
    offenders = unlisted_modules(ROOT, catalog)

    assert not offenders, _report("Test modules that no catalog row links to", offenders)


# --- the checks themselves, on a tiny catalog ----------------------------------

TINY_CATALOG = """\
| pattern | use it when | shown in | pitfall it avoids |
|---|---|---|---|
| tiny pattern | always | [`tests/test_tiny.py::test_original_name`](../tests/test_tiny.py) | — |
"""


def make_tiny_repo(root, test_source):
    (root / "docs").mkdir()
    (root / "docs" / "patterns.md").write_text(TINY_CATALOG)
    (root / "tests").mkdir()
    (root / "tests" / "test_tiny.py").write_text(test_source)
    return parse_catalog(TINY_CATALOG)


def test_checker_reports_a_renamed_test(tmp_path):
    """
    GIVEN a catalog row naming ``test_original_name``
    WHEN the test is renamed in its module
    THEN the name check reports the row's line and the missing name
    """
    tiny = make_tiny_repo(tmp_path, '"""Patterns: tiny pattern."""\n\ndef test_new_name():\n    pass\n')

    offenders = missing_names(tmp_path, tiny)

    assert offenders == [
        "docs/patterns.md:3: tests/test_tiny.py::test_original_name (no test_original_name in tests/test_tiny.py)"
    ]


def test_checker_accepts_the_name_before_the_rename(tmp_path):
    """
    GIVEN the same catalog row
    WHEN the module still defines ``test_original_name``
    THEN no check reports anything
    """
    tiny = make_tiny_repo(tmp_path, '"""Patterns: tiny pattern."""\n\ndef test_original_name():\n    pass\n')

    assert missing_names(tmp_path, tiny) == []
    assert missing_files(tmp_path, ["docs/patterns.md"]) == []
    assert unknown_patterns(tmp_path, tiny) == []
    assert unlisted_modules(tmp_path, tiny) == []


def test_checker_reports_a_pattern_the_catalog_lacks(tmp_path):
    """
    GIVEN a module whose ``Patterns:`` line names a pattern with no row
    WHEN the docstring check runs
    THEN it reports the module and the unknown name
    """
    tiny = make_tiny_repo(
        tmp_path, '"""Patterns: tiny pattern; made-up pattern."""\n\ndef test_original_name():\n    pass\n'
    )

    assert unknown_patterns(tmp_path, tiny) == ["tests/test_tiny.py: 'made-up pattern'"]


def test_checker_reports_a_module_no_row_links_to(tmp_path):
    """
    GIVEN a second test module that the tiny catalog does not link to
    WHEN the module check runs
    THEN it reports that module only
    """
    tiny = make_tiny_repo(tmp_path, '"""Patterns: tiny pattern."""\n\ndef test_original_name():\n    pass\n')
    (tmp_path / "tests" / "test_other.py").write_text('"""Patterns: tiny pattern."""\n')

    assert unlisted_modules(tmp_path, tiny) == ["tests/test_other.py"]


def test_checker_reports_a_command_naming_a_missing_test(tmp_path):
    """
    GIVEN a README whose commands name one existing and one renamed test
    WHEN the documentation check runs
    THEN only the renamed one is reported, with its line
    """
    make_tiny_repo(tmp_path, '"""Patterns: tiny pattern."""\n\ndef test_new_name():\n    pass\n')
    (tmp_path / "README.md").write_text(
        "pytest tests/test_tiny.py::test_new_name\npytest tests/test_tiny.py::test_original_name\n"
    )

    offenders = missing_node_ids(tmp_path, ["README.md"])

    assert offenders == ["README.md:2: tests/test_tiny.py::test_original_name"]


@pytest.mark.parametrize(
    ("docstring", "expected"),
    [
        ("Title.\n\nPatterns: one; two.\n", ["one", "two"]),
        ("Title.\n\nPatterns: one;\ntwo words; three.\n\nMore prose.\n", ["one", "two words", "three"]),
        ("Title.\n\nPatterns: mock.patch with autospec.\n", ["mock.patch with autospec"]),
        ("Title.\n\nPatterns: no full stop\n\nMore prose.\n", None),
        ("Title without a patterns line.\n", None),
    ],
    ids=["one-line", "wrapped", "dots-inside-a-name", "no-full-stop", "missing"],
)
def test_patterns_line_is_read_from_the_docstring(docstring, expected):
    """
    GIVEN a module docstring
    WHEN its ``Patterns:`` line is read
    THEN the names come back without the full stop, and a missing or unfinished line gives None
    """
    assert docstring_patterns(f'"""{docstring}"""\n') == expected
