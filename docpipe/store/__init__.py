"""Persistence: SQLAlchemy models, engine and schema migrations, and the repository."""
