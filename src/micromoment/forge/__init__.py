"""The pull request: the PR note, posting it through gh or glab, git notes, and what CI shows of the gate."""
