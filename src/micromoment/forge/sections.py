"""Text micromoment owns inside text others wrote: its section of a PR description or PR
template, between markers it never lets go of, and its git note on a commit."""

from __future__ import annotations

from pathlib import Path

from micromoment.errors import MicromomentError
from micromoment.files import write_atomic
from micromoment.git import Repo, head_commit, run_git


def count_of(number: int, noun: str) -> str:
    """`1 review`, `2,000 reviews`: a count and its noun, in the right number."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


SECTION_START = "<!-- micromoment:start -->"
SECTION_END = "<!-- micromoment:end -->"


class BrokenSection(MicromomentError):
    """A description whose micromoment markers do not enclose exactly one section."""


def upsert_section(body: str, note: str, where: str = "the text") -> str:
    """`body` with micromoment's section replaced (or appended); the text around it is untouched.

    Markers that do not enclose exactly one section raise BrokenSection: guessing where the
    section ends could delete what the author wrote."""
    if SECTION_START in note or SECTION_END in note:
        raise MicromomentError(
            f"the note itself holds {SECTION_START} or {SECTION_END}; remove it from the template"
        )
    section = f"{SECTION_START}\n{note.rstrip()}\n{SECTION_END}"
    starts, ends = body.count(SECTION_START), body.count(SECTION_END)
    if starts == 0 and ends == 0:
        separator = "" if not body else ("\n" if body.endswith("\n") else "\n\n")
        return f"{body}{separator}{section}\n"
    start, end = body.find(SECTION_START), body.find(SECTION_END)
    if starts == 1 and ends == 1 and start < end:
        return body[:start] + section + body[end + len(SECTION_END) :]
    order = f" ({SECTION_END} first)" if starts == ends == 1 else ""
    raise BrokenSection(
        f"{where} has {count_of(starts, 'start marker')} {SECTION_START} and {count_of(ends, 'end marker')} "
        f"{SECTION_END}{order}, so micromoment cannot tell which text is its own and changes nothing; "
        f"edit it so that one {SECTION_START} comes before one {SECTION_END} around micromoment's section "
        "(or delete the markers and the old section), then run pr-note again"
    )


def attach_git_note(repo: Repo, note: str) -> str:
    """Attach the note to HEAD under refs/notes/micromoment, replacing micromoment's earlier one."""
    head = head_commit(repo)
    if head is None:
        raise MicromomentError("there is no commit to attach a note to yet; commit first")
    # The note goes in on git's stdin: no temp file to write, so nothing to fail on a full /tmp.
    run_git(
        ["notes", "--ref=micromoment", "add", "-f", "-F", "-", head], repo.root, stdin=note.encode("utf-8")
    )
    return head


# What the PR template's micromoment section holds until the first note replaces it.
PR_TEMPLATE_NOTE = """### Responsible-AI checks

micromoment replaces this section with the checks this change called for
(`micromoment pr-note --post github --target body`). Until then:

- [ ] `micromoment check --base origin/main` passes, or each skip carries a reason
- [ ] every "no" answer has a follow-up with an owner
"""


def add_pr_template_section(root: Path) -> Path | None:
    """Append micromoment's section to the GitHub PR template; None when it is already there."""
    path = root / ".github" / "pull_request_template.md"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION_START in current:
        return None
    write_atomic(path, upsert_section(current, PR_TEMPLATE_NOTE))
    return path
