"""Who and where: the person answering or signing, and the repository's state, as a record keeps them.

Both git (which reads them) and records (which store them) import this, so neither imports the other.
"""

from __future__ import annotations

from pydantic import Field

from micromoment.validation import StrictModel, Text


class GitContext(StrictModel):
    """The state of the work tree when a review was recorded."""

    repository: str | None = Field(default=None, description="The repository folder's name.")
    branch: str | None = Field(default=None, description="The current branch; none when HEAD is detached.")
    detached_at: str | None = Field(default=None, description="The commit a detached HEAD points at.")
    head: str | None = Field(default=None, description="The HEAD commit; none before the first commit.")
    dirty: bool = Field(default=False, description="Whether the work tree had uncommitted changes.")
    remote: str | None = Field(default=None, description="The origin URL, with any credentials removed.")


class Person(StrictModel):
    """Someone who answered or signed, as git knows them."""

    name: Text
    email: str = ""


def same_identity(name_a: str, email_a: str, name_b: str, email_b: str) -> bool:
    """One person by email, or by name under another email (case and spacing aside)."""
    if email_a.strip() and email_a.strip().lower() == email_b.strip().lower():
        return True
    return bool(name_a.strip()) and " ".join(name_a.split()).lower() == " ".join(name_b.split()).lower()
