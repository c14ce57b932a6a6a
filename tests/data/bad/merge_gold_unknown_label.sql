-- a gold decision with a label the taxonomy does not have
INSERT INTO gold (item_id, taxonomy, target, labels, reviewer, decided_at) VALUES ('r1', 'rift', 'item', '["vague"]', '', '2026-01-01T00:00:00+00:00');
