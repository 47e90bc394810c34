"""Persistence: SQLModel models, keyword-only repositories, Alembic migrations."""
