"""SQLAlchemy 2 adapters: PostgreSQL as the store of record, SQLite as the embedded default."""
