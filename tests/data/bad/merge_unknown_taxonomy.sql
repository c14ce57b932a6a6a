-- a label in a taxonomy neither project holds
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('r1', 'tone', 'bob', 'item', 'curt', '2026-01-01T00:00:00+00:00');
