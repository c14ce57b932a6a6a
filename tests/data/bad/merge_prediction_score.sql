-- a prediction scoring 7 (scores lie in [0, 1])
INSERT INTO scored (item_id, taxonomy, metric) VALUES ('r1', 'rift', 'judge');
INSERT INTO prediction (item_id, taxonomy, metric, target, label, score) VALUES ('r1', 'rift', 'judge', 'item', 'low_signal', 7);
