-- three ratings from one annotator on one step of a single-choice taxonomy
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('t1', 'step_rating', 'bob', 'step:s1', '+1', '2026-01-01T00:00:00+00:00');
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('t1', 'step_rating', 'bob', 'step:s1', '0', '2026-01-01T00:00:00+00:00');
INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) VALUES ('t1', 'step_rating', 'bob', 'step:s1', '-1', '2026-01-01T00:00:00+00:00');
