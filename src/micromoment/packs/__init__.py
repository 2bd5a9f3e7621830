"""Packs as a team makes and shares them: a ready pack written by `micromoment pack new`, and
git packs fetched at their pinned commits by `micromoment pack sync`."""
