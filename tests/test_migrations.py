"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.models import metadata


def _meaningful(diff: list) -> list:  # noqa: ANN001
    # Type-affinity noise (e.g. VARCHAR vs AutoString) is not drift; missing tables/columns/indexes are.
    flat = []
    for item in diff:
        for op in (item if isinstance(item, list) else [item]):
            if op[0] in ("modify_type", "modify_default", "modify_comment"):
                continue
            if _search_index(op):
                continue
            flat.append(op)
    return flat


def _search_index(op: tuple) -> bool:
    # The trigram search indexes (migrations 0010, 0017) live outside the models: SQLite's FTS5 table and its
    # shadow tables, PostgreSQL's pg_trgm indexes (GIN, and the GiST one that reads nearest names first).
    name = getattr(op[1], "name", "") or ""
    return (op[0] == "remove_table" and name.startswith("organizations_fts")) or \
        (op[0] == "remove_index" and (name.endswith("_trgm") or name == "ix_organizations_name_key_knn"))


def test_models_and_migrations_agree(runtime) -> None:  # noqa: ANN001
    with runtime.db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        assert _meaningful(compare_metadata(ctx, metadata)) == []
