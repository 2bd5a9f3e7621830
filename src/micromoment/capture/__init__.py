"""Capturing a review: the session, the guided walk-through, drafts, the one prompt interface,
and the guard that keeps secrets and personal data out of committed records."""
