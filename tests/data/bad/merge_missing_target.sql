-- a criterion the item does not have
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('r1', 'rift', 'bob', 'criterion:c9', 'subjective', '2026-01-01T00:00:00+00:00');
