-- r1 says something else than the project's r1
UPDATE item SET data = replace(data, 'Describe the plan.', 'Describe another plan.') WHERE id = 'r1';
