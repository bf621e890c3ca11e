"""The migrations (migrations/, Flask-Migrate on Alembic) against the models, on this run's backend.

Each test builds an app on an empty database of its own: the harness's database
was made by ``create_all()`` (docs/database-isolation.md says why), so these
tests are what keeps the migrations and the models in step. They call
Flask-Migrate's own functions, which run migrations/env.py as ``flask db upgrade``
does.

Patterns: migrations tested against the models; every migration reversible;
data migration for reference rows; CLI command with the runner.
"""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from sample_app import create_app
from sample_app.extensions import db
from tests.helpers import ROOT

MIGRATIONS = ROOT / "migrations"
TABLES = {"book_tags", "books", "roles", "tags", "users"}


def _postgres(url, statement):
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture
def migration_app(backend, database_url, tmp_path):
    """An app on an empty database: a SQLite file, or PostgreSQL's ``<this run's database>_migrations``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:
        pg = sa.make_url(database_url)
        pg = pg.set(database=f"{pg.database}_migrations")
        _postgres(pg, f'DROP DATABASE IF EXISTS "{pg.database}" WITH (FORCE)')
        _postgres(pg, f'CREATE DATABASE "{pg.database}"')
        url = pg.render_as_string(hide_password=False)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    yield app
    with app.app_context():
        db.engine.dispose()
    if backend == "postgresql":
        _postgres(pg, f'DROP DATABASE IF EXISTS "{pg.database}" WITH (FORCE)')


def revisions():
    """The revision ids from the first to the head."""
    script = ScriptDirectory(str(MIGRATIONS))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def current_revision():
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema():
    """``{table: sorted column names}`` of the app's tables as they are (not Alembic's own)."""
    inspector = sa.inspect(db.engine)
    tables = [table for table in inspector.get_table_names() if table != "alembic_version"]
    return {table: sorted(column["name"] for column in inspector.get_columns(table)) for table in tables}


def differences_from_the_models():
    """What ``flask db check`` compares: the database against the models' metadata."""
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)


def roles():
    """``{name: (permissions, default)}`` as stored in the roles table."""
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text('SELECT name, permissions, "default" FROM roles'))
        return {name: (permissions, bool(default)) for name, permissions, default in rows}


def add_a_column_the_models_do_not_have():
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE books ADD COLUMN subtitle VARCHAR(200)")


def upgrade(revision="head"):
    """``flask db upgrade [revision]``, in the app context of the test."""
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=revision)


def downgrade(revision):
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=revision)


def test_the_history_is_one_line_of_three_revisions():
    # GIVEN the migrations folder
    # WHEN its revisions are read
    script = ScriptDirectory(str(MIGRATIONS))

    # THEN there is a single head, reached through the initial schema, users.confirmed_at and the roles
    assert len(script.get_heads()) == 1
    assert [script.get_revision(rev).doc.split(":")[0] for rev in revisions()] == [
        "initial schema",
        "users.confirmed_at",
        "roles",
    ]


def test_upgrade_from_an_empty_database_reaches_head(migration_app):
    # GIVEN an empty database
    # WHEN every migration runs (``flask db upgrade``)
    with migration_app.app_context():
        upgrade()

        # THEN the database is at the head revision and has every table of the app
        assert current_revision() == revisions()[-1]
        assert set(schema()) == TABLES


def test_upgrade_from_an_empty_database_adds_the_roles_users_need(migration_app):
    # GIVEN an empty database
    # WHEN every migration runs
    with migration_app.app_context():
        upgrade()

        # THEN the three roles exist, permissions summed (browse 1, write 2, moderate 4, admin 8); User is the default
        assert roles() == {"User": (3, True), "Moderator": (7, False), "Administrator": (15, False)}


def test_upgrade_leaves_a_role_that_exists_already_as_it_is(migration_app):
    # GIVEN a database before the roles revision, with a User role of other permissions (as init-db or seed-demo add)
    with migration_app.app_context():
        upgrade("2c4d3ed67aa0")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO roles (name, permissions, \"default\") VALUES ('User', 1, :yes)"), {"yes": True}
            )

        # WHEN it is upgraded to the head
        upgrade()

        # THEN that role is kept as it was, and only the missing roles are added
        assert roles() == {"User": (1, True), "Moderator": (7, False), "Administrator": (15, False)}


def test_the_migrated_schema_matches_the_models(migration_app):
    # GIVEN a database upgraded to the head revision
    # WHEN it is compared with the models, as autogenerate would
    with migration_app.app_context():
        upgrade()

        # THEN there is no difference: no migration is missing, none does more than the models say
        assert differences_from_the_models() == []


@pytest.mark.parametrize(
    ("drifted", "exit_code", "output"),
    [
        pytest.param(False, 0, "No new upgrade operations detected.\n", id="in-step"),
        # The difference is logged by Flask-Migrate (caplog would show it), not printed.
        pytest.param(True, 1, "", id="drifted"),
    ],
)
def test_flask_db_check_fails_only_when_the_schema_and_the_models_differ(migration_app, drifted, exit_code, output):
    # GIVEN a database upgraded to the head revision, as it is or with a column the models do not have
    with migration_app.app_context():
        upgrade()
        if drifted:
            add_a_column_the_models_do_not_have()

    # WHEN ``flask db check`` runs (what CI would run on a deploy's database)
    result = migration_app.test_cli_runner().invoke(args=["db", "check", "--directory", str(MIGRATIONS)])

    # THEN it exits 0 saying so when they match, 1 when not (the app hands Alembic the runner's stdout)
    assert result.exit_code == exit_code, result.output
    assert result.output == output


def test_a_schema_that_drifted_from_the_models_is_caught(migration_app):
    # GIVEN a migrated database with a column the models do not have (a migration that did more than the models say)
    with migration_app.app_context():
        upgrade()
        add_a_column_the_models_do_not_have()

        # WHEN it is compared with the models
        differences = differences_from_the_models()

    # THEN the difference is reported: the check above can fail
    assert [(kind, column.name) for kind, _, table, column in differences if table == "books"] == [
        ("remove_column", "subtitle")
    ]


def test_downgrade_to_base_and_upgrade_again(migration_app):
    # GIVEN a database at the head revision
    with migration_app.app_context():
        upgrade()
        at_head = schema()

        # WHEN it is downgraded to base and upgraded again
        downgrade("base")
        at_base = schema()
        upgrade()

        # THEN base leaves none of the app's tables, and the second upgrade rebuilds the same schema
        assert at_base == {}
        assert schema() == at_head


def test_every_revision_can_be_undone_and_done_again(migration_app):
    """A "stairway" test: one revision at a time, so a step that undoes too little is caught at that step."""
    # GIVEN an empty database
    # WHEN each revision in turn is applied, undone and applied again, the schema noted after each step
    steps = []
    with migration_app.app_context():
        before = schema()
        for revision in revisions():
            upgrade(revision)
            after = schema()
            downgrade("-1")
            after_undo = schema()
            upgrade(revision)
            steps.append((revision, after_undo == before, schema() == after))
            before = after

    # THEN every step down restored the schema before it, and every step up gave the same schema again
    assert steps == [(revision, True, True) for revision in revisions()]
