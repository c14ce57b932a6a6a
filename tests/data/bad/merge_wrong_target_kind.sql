-- a criterion label given on the item
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('r1', 'rift', 'bob', 'item', 'subjective', '2026-01-01T00:00:00+00:00');
