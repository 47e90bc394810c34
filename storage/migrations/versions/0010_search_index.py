"""search: trigram indexes over organizations (sign-up, directory and console search)

Revision ID: 0010
Revises: 0001
SQLite: an FTS5 table with the trigram tokenizer holding each organization's ``name_key`` and a
``haystack`` (name, district, contact, certification number, phone), kept in step by triggers, so rows
written by set-based SQL are indexed too. PostgreSQL: pg_trgm GIN indexes on ``name_key`` and on the same
haystack expression (the extension is created in ``public`` when the database does not have it yet).
Indexes on ``district`` (the chat directory's district search) and ``name`` (console pages in name order). See docs/scale.md.
"""
from alembic import op

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None

# Must stay the same text as storage.repositories.org_search.HAYSTACK_SQL (PostgreSQL matches the index
# only when the query repeats the indexed expression).
HAYSTACK = ("(coalesce(name, '') || ' ' || coalesce(district, '') || ' ' || coalesce(contact_name, '') || ' ' "
            "|| coalesce(certification_no, '') || ' ' || coalesce(phone, ''))")


def _new(prefix: str) -> str:
    return HAYSTACK.replace("coalesce(", f"coalesce({prefix}.")


SQLITE_UP = [
    "CREATE VIRTUAL TABLE organizations_fts USING fts5(name_key, haystack, tokenize='trigram')",
    "CREATE TRIGGER organizations_fts_ai AFTER INSERT ON organizations BEGIN "
    f"INSERT INTO organizations_fts(rowid, name_key, haystack) VALUES (new.id, new.name_key, {_new('new')}); END",
    "CREATE TRIGGER organizations_fts_ad AFTER DELETE ON organizations BEGIN "
    "DELETE FROM organizations_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER organizations_fts_au AFTER UPDATE OF name, name_key, district, contact_name, certification_no, "
    "phone ON organizations BEGIN DELETE FROM organizations_fts WHERE rowid = old.id; "
    f"INSERT INTO organizations_fts(rowid, name_key, haystack) VALUES (new.id, new.name_key, {_new('new')}); END",
    f"INSERT INTO organizations_fts(rowid, name_key, haystack) SELECT id, name_key, {HAYSTACK} FROM organizations",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS organizations_fts_au", "DROP TRIGGER IF EXISTS organizations_fts_ad",
               "DROP TRIGGER IF EXISTS organizations_fts_ai", "DROP TABLE IF EXISTS organizations_fts"]


def _trgm_schema() -> str:
    bind = op.get_bind()
    bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    return bind.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                "WHERE extname = 'pg_trgm'").scalar_one()


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index("ix_organizations_district", ["district"], unique=False)
        batch_op.create_index("ix_organizations_name", ["name"], unique=False)
    if bind.dialect.name == "sqlite":
        for sql in SQLITE_UP:
            bind.exec_driver_sql(sql)
        return
    ext = _trgm_schema()
    bind.exec_driver_sql(f"CREATE INDEX ix_organizations_name_key_trgm ON organizations "
                         f"USING gin (name_key {ext}.gin_trgm_ops)")
    bind.exec_driver_sql(f"CREATE INDEX ix_organizations_haystack_trgm ON organizations "
                         f"USING gin ({HAYSTACK} {ext}.gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in SQLITE_DOWN:
            bind.exec_driver_sql(sql)
    else:
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_organizations_haystack_trgm")
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_organizations_name_key_trgm")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index("ix_organizations_name")
        batch_op.drop_index("ix_organizations_district")
