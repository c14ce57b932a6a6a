-- a file from a newer annotator (a schema revision this version does not know)
UPDATE alembic_version SET version_num = '9999';
