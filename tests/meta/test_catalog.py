"""The pattern catalog (docs/patterns.md) checked against the code it points at.

Patterns: documentation checked by a test.

The checker is tests/meta/catalog.py: each check returns its offenders, and a
test fails with that list when a link, a name or a module's ``Patterns:`` line
goes stale. The README and the other pages in docs/ get the same link and
test-name checks, so every command a reader copies still selects a test. The
last tests run the checks on a tiny catalog in ``tmp_path`` to show they do
fail: a renamed test is reported.
"""

import pytest

from tests.helpers import ROOT
from tests.meta.catalog import (
    CATALOG,
    docstring_patterns,
    duplicate_patterns,
    find_documents,
    incomplete_rows,
    mislabelled_links,
    missing_files,
    missing_names,
    missing_node_ids,
    modules_without_patterns_line,
    parse_catalog,
    report,
    unknown_patterns,
    unlisted_modules,
)

# --- the real catalog ----------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    """docs/patterns.md, parsed once for this module's tests."""
    return parse_catalog((ROOT / CATALOG).read_text(encoding="utf-8"))


def test_every_row_has_a_name_a_use_and_a_link(catalog):
    # GIVEN the catalog's tables
    # WHEN each row is read
    offenders = incomplete_rows(catalog)

    # THEN it has the four columns, a name, a "use it when" and at least one code link
    assert len(catalog.rows) > 50, "the catalog tables were not found: is the header row unchanged?"
    assert not offenders, report("Rows missing a column, a name, a use or a link", offenders)


def test_pattern_names_are_unique(catalog):
    # GIVEN the pattern names in the first column
    # WHEN they are counted
    duplicates = duplicate_patterns(catalog)

    # THEN each appears once (docstrings refer to patterns by name)
    assert not duplicates, report("Pattern names used by more than one row", duplicates)


def test_every_linked_file_exists():
    # GIVEN every relative link in the README and the pages in docs/ (the catalog among them)
    documents = find_documents(ROOT)

    # WHEN its target is resolved from the page's folder
    offenders = missing_files(ROOT, documents)

    # THEN the file exists (images and anchors' pages included)
    assert not offenders, report("Links to missing files", offenders)


def test_every_link_label_names_the_file_it_links_to(catalog):
    # GIVEN the code links of the tables (``[`path::test`](../path)``)
    # WHEN the path in the label is compared with the link target
    offenders = mislabelled_links(catalog)

    # THEN they are the same file
    assert not offenders, report("Links whose label and target disagree", offenders)


def test_every_named_test_exists(catalog):
    # GIVEN the ``path::Class::test_name`` labels of the tables
    # WHEN each module is parsed with ``ast``
    offenders = missing_names(ROOT, catalog)

    # THEN it defines that class, test, fixture or helper
    assert not offenders, report("Catalog names that the modules do not define", offenders)


def test_node_ids_in_the_readme_and_docs_exist():
    # GIVEN the README and the pages in docs/, whose commands name tests (``path::test``)
    documents = find_documents(ROOT)

    # WHEN each name is looked up in its module
    offenders = missing_node_ids(ROOT, documents)

    # THEN it exists, so every command a reader copies selects a test
    assert not offenders, report("Test names in the documentation that do not exist", offenders)


def test_every_test_module_names_its_patterns():
    # GIVEN every tests/**/test_*.py module, the root conftest and the shared test modules
    # WHEN their docstrings are read
    offenders = modules_without_patterns_line(ROOT)

    # THEN each has a ``Patterns: name; name.`` line
    assert not offenders, report("Modules without a 'Patterns: a; b.' line in their docstring", offenders)


def test_every_docstring_pattern_is_in_the_catalog(catalog):
    # GIVEN the names on each module's ``Patterns:`` line
    # WHEN they are looked up in the catalog
    offenders = unknown_patterns(ROOT, catalog)

    # THEN every one is the exact name of a catalog row
    assert not offenders, report("Docstring patterns that docs/patterns.md does not list", offenders)


def test_every_test_module_is_linked_from_the_catalog(catalog):
    # GIVEN every tests/**/test_*.py module
    # WHEN the catalog's code links are collected
    offenders = unlisted_modules(ROOT, catalog)

    # THEN each module is linked from at least one row
    assert not offenders, report("Test modules that no catalog row links to", offenders)


# --- the checks themselves, on a tiny catalog ----------------------------------

TINY_CATALOG = """\
| pattern | use it when | shown in | pitfall it avoids |
|---|---|---|---|
| tiny pattern | always | [`tests/test_tiny.py::test_original_name`](../tests/test_tiny.py) | — |
"""
TINY_MODULE = '"""Patterns: tiny pattern."""\n\ndef test_original_name():\n    pass\n'
RENAMED_TINY_MODULE = '"""Patterns: tiny pattern."""\n\ndef test_new_name():\n    pass\n'


def make_tiny_repo(root, test_source):
    """A repository in ``root`` with TINY_CATALOG and ``tests/test_tiny.py``; returns the parsed catalog."""
    (root / "docs").mkdir()
    (root / "docs" / "patterns.md").write_text(TINY_CATALOG)
    (root / "tests").mkdir()
    (root / "tests" / "test_tiny.py").write_text(test_source)
    return parse_catalog(TINY_CATALOG)


def test_checker_reports_a_renamed_test(tmp_path):
    # GIVEN a catalog row naming ``test_original_name``, renamed in its module
    tiny = make_tiny_repo(tmp_path, RENAMED_TINY_MODULE)

    # WHEN the name check runs
    offenders = missing_names(tmp_path, tiny)

    # THEN it reports the row's line and the missing name
    assert offenders == [
        "docs/patterns.md:3: tests/test_tiny.py::test_original_name (no test_original_name in tests/test_tiny.py)"
    ]


def test_checker_accepts_the_name_before_the_rename(tmp_path):
    # GIVEN the same catalog row, and a module that still defines ``test_original_name``
    tiny = make_tiny_repo(tmp_path, TINY_MODULE)

    # WHEN the checks run
    offenders = {
        "names": missing_names(tmp_path, tiny),
        "files": missing_files(tmp_path, ["docs/patterns.md"]),
        "patterns": unknown_patterns(tmp_path, tiny),
        "modules": unlisted_modules(tmp_path, tiny),
    }

    # THEN none reports anything
    assert offenders == {"names": [], "files": [], "patterns": [], "modules": []}


def test_checker_reports_a_pattern_the_catalog_lacks(tmp_path):
    # GIVEN a module whose ``Patterns:`` line names a pattern with no row
    tiny = make_tiny_repo(
        tmp_path, '"""Patterns: tiny pattern; made-up pattern."""\n\ndef test_original_name():\n    pass\n'
    )

    # WHEN the docstring check runs
    offenders = unknown_patterns(tmp_path, tiny)

    # THEN it reports the module and the unknown name
    assert offenders == ["tests/test_tiny.py: 'made-up pattern'"]


def test_checker_reports_a_module_no_row_links_to(tmp_path):
    # GIVEN a second test module that the tiny catalog does not link to
    tiny = make_tiny_repo(tmp_path, TINY_MODULE)
    (tmp_path / "tests" / "test_other.py").write_text('"""Patterns: tiny pattern."""\n')

    # WHEN the module check runs
    offenders = unlisted_modules(tmp_path, tiny)

    # THEN it reports that module only
    assert offenders == ["tests/test_other.py"]


def test_checker_reports_a_command_naming_a_missing_test(tmp_path):
    # GIVEN a README whose commands name one existing and one renamed test
    make_tiny_repo(tmp_path, RENAMED_TINY_MODULE)
    (tmp_path / "README.md").write_text(
        "pytest tests/test_tiny.py::test_new_name\npytest tests/test_tiny.py::test_original_name\n"
    )

    # WHEN the documentation check runs
    offenders = missing_node_ids(tmp_path, ["README.md"])

    # THEN only the renamed one is reported, with its line
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
    # GIVEN a module docstring
    source = f'"""{docstring}"""\n'

    # WHEN its ``Patterns:`` line is read
    names = docstring_patterns(source)

    # THEN the names come back without the full stop, and a missing or unfinished line gives None
    assert names == expected
