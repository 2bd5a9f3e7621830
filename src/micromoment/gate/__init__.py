"""The commit gate: which checklists a change triggers, and whether real records in it cover them.

`change` says what a run looks at, `policy` where the rules come from, `coverage` the verdicts,
`signoffs` which sign-offs git backs, and `hook` is the commit hook's light entry point.
"""
