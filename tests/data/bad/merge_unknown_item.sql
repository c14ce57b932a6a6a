-- a label on an item neither project holds (written with foreign keys off)
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('ghost', 'rift', 'bob', 'item', 'low_signal', '2026-01-01T00:00:00+00:00');
