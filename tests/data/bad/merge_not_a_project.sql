-- some other SQLite database: no schema version at all
DROP TABLE alembic_version;
