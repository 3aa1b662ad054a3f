"""The migrations build the whole schema from empty, with the reference data."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from training_app.extensions import db
from training_app.models import ResponsibilityGroup


def test_fresh_database_holds_the_eight_responsibility_groups(app_ctx):
    codes = db.session.execute(sa.select(ResponsibilityGroup.code).order_by(ResponsibilityGroup.code)).scalars()
    assert list(codes) == ["1", "2", "3", "4", "5", "6", "7", "8"]


def test_migrations_match_the_models(app_ctx):
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []


def test_migrations_form_one_line_and_the_database_is_at_its_head(app, app_ctx):
    scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(scripts.get_heads()) == 1, "two migrations claim the same parent: renumber one"
    revisions = [script.revision for script in scripts.walk_revisions()]
    assert revisions == sorted(revisions, reverse=True), "revisions are numbered in order: 0001, 0002, ..."
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == scripts.get_current_head()
