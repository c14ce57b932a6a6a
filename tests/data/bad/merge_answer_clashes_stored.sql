-- ann's rating of step s2 is +1 in the project; this file says -1
UPDATE label SET label = '-1' WHERE item_id = 't1' AND taxonomy = 'step_rating' AND annotator = 'ann';
