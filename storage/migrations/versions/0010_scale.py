"""scale: trigram indexes over organizations (sign-up, directory and console search); console export jobs

Revision ID: 0010
Revises: 0001
SQLite: an FTS5 table with the trigram tokenizer holding each organization's ``name_key`` and a
``haystack`` (name, district, contact, certification number, phone), kept in step by triggers, so rows
written by set-based SQL are indexed too. PostgreSQL: pg_trgm GIN indexes on ``name_key`` and on the same
haystack expression (the extension is created in ``public`` when the database does not have it yet).
Indexes on ``district`` (the chat directory's district search) and ``name`` (console pages in name order).
``console_exports``: large console exports, written in the background and downloaded when ready.
See docs/scale.md.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

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
    # How many names hold each trigram: a search leaves out the commonest (storage.repositories.org_search).
    "CREATE VIRTUAL TABLE organizations_fts_vocab USING fts5vocab(organizations_fts, 'col')",
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
               "DROP TRIGGER IF EXISTS organizations_fts_ai", "DROP TABLE IF EXISTS organizations_fts_vocab",
               "DROP TABLE IF EXISTS organizations_fts"]


def _trgm_schema() -> str:
    bind = op.get_bind()
    bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    return bind.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                "WHERE extname = 'pg_trgm'").scalar_one()


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "console_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("login_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("fmt", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token", name="uq_console_exports_token"),
    )
    with op.batch_alter_table("console_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_exports_login_id"), ["login_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_exports_created_at"), ["created_at"], unique=False)
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
    op.drop_table("console_exports")
    if bind.dialect.name == "sqlite":
        for sql in SQLITE_DOWN:
            bind.exec_driver_sql(sql)
    else:
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_organizations_haystack_trgm")
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_organizations_name_key_trgm")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index("ix_organizations_name")
        batch_op.drop_index("ix_organizations_district")
