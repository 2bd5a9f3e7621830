"""The commit gate: which checklists a change triggers, and whether real records in it cover them
(change, policy, coverage, signoffs), and what the commit hook says is missing (hook)."""
