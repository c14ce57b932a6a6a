-- a file from an older annotator (made before the search text column)
UPDATE alembic_version SET version_num = '0001';
