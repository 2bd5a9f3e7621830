"""The pull request: the PR note, posting it through gh or glab, and git notes."""
