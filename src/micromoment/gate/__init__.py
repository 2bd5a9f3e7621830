"""The commit gate: which checklists a change triggers, and whether real records in it cover them
(change, policy, coverage, signoffs), with the commit hook's light entry point (hook)."""
