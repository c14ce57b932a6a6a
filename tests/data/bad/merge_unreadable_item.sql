-- a new item whose stored data is not an item
INSERT INTO item (id, position, kind, source, title, text, data) VALUES ('r7', 99, 'rubric', 's', 'x', 'x', 'not json');
