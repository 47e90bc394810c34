"""scale: nearest names first on PostgreSQL (a GiST trigram index on organizations.name_key)

Revision ID: 0017
Revises: 0010
The sign-up and directory searches ask for the names nearest to what was typed (``ORDER BY name_key <->
:key LIMIT n``, and ``<->>`` for a part of a name). A GiST index answers that by walking its tree nearest
first; with the GIN index of 0010 every name over a similarity threshold was found and scored first, which
for Thai names sharing most of their words cost 15-55 ms a search at 10,000 organizations. SQLite: nothing
(its FTS5 table of 0010 serves the search). See docs/scale.md.
"""
from alembic import op

revision = "0017"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    ext = bind.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                               "WHERE extname = 'pg_trgm'").scalar_one()
    bind.exec_driver_sql(f"CREATE INDEX ix_organizations_name_key_knn ON organizations "
                         f"USING gist (name_key {ext}.gist_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_organizations_name_key_knn")
