"""The pull-request note: what a change triggered, who checked what, every "no" and skip, in one Markdown block."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from micromoment.checklists import Catalog
from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.gate.change import since_base
from micromoment.gate.coverage import Verdict, evaluate
from micromoment.git import Repo, head_commit, run_git
from micromoment.locations import Project
from micromoment.records import AnyRecord, ReviewRecord, SkipRecord, load_any_record
from micromoment.records.render import render_template, review_view

MARKER = "<!-- micromoment:pr-note -->"
SECTION_START = "<!-- micromoment:start -->"
SECTION_END = "<!-- micromoment:end -->"
PR_NOTE_TEMPLATE = "pr-note.md.j2"
# GitHub refuses comments over 65,536 characters; stay well under it.
MAX_CHARS = 60_000


@dataclass(frozen=True)
class Change:
    """The records and verdicts of the change since the merge-base with a base ref."""

    verdicts: list[Verdict]
    records: list[tuple[str, AnyRecord]]  # (path relative to the repository, record)
    head: str | None


def collect(repo: Repo, base: str) -> Change:
    """The verdicts and records of the change since the merge-base with `base`, judged like `check --base`."""
    outcome = evaluate(since_base(repo, base))
    if outcome.invalid:
        raise FileProblems(
            [Problem(r.path, None, None, "", r.problem.removeprefix(f"{r.path}: ")) for r in outcome.invalid]
        )
    root = Path(repo.root)
    records: list[tuple[str, AnyRecord]] = []
    for path in sorted({*outcome.change.created, *outcome.change.touched}):
        records.append((path, load_any_record(root / path)))
    records.sort(key=lambda pair: _when(pair[1]))
    return Change(outcome.verdicts, records, head_commit(repo))


def _when(record: AnyRecord) -> str:
    return (record.finished_at if isinstance(record, ReviewRecord) else record.at).isoformat()


def note_view(change: Change, catalog: Catalog) -> dict[str, Any]:
    """Everything the PR-note template shows, in plain data."""
    link_prefix = f"../blob/{change.head}/" if change.head else ""
    reviews, skips = [], []
    for path, record in change.records:
        link = link_prefix + (path[: -len(".yaml")] + ".md" if isinstance(record, ReviewRecord) else path)
        if isinstance(record, SkipRecord):
            skips.append(
                {
                    "checklist": record.checklist.id,
                    "title": record.checklist.title,
                    "reason": record.reason,
                    "approver": record.approver,
                    "who": record.who.name,
                    "when": record.at.strftime("%Y-%m-%d"),
                    "link": link,
                }
            )
            continue
        checklist = catalog.get(record.checklist.id) if record.checklist.id in catalog else None
        view = review_view(record, checklist)
        reviews.append(
            {
                **view,
                "link": link,
                "path": path,
                "noes": [
                    {
                        **row,
                        "follow_up": next(
                            (f for f in view["follow_ups"] if f["number"] == row["number"]), None
                        ),
                    }
                    for row in view["rows"]
                    if row["answer"] == "no"
                ],
                "signoffs": [s.model_dump(mode="json") for s in record.signoffs],
                "samples": [
                    {**sample, "link": link_prefix + sample["markdown"]} for sample in view["samples"]
                ],
                "show": True,
                "show_details": True,
            }
        )
    statuses = []
    for verdict in change.verdicts:
        if verdict.record is None:
            status = "missing"
        elif verdict.record.kind == "skip":
            status = "skipped"
        else:
            status = "covered"
        statuses.append(
            {
                "checklist": verdict.rule.id,
                "title": verdict.rule.title,
                "status": status,
                "record": (link_prefix + verdict.record.path) if verdict.record else None,
                "paths": verdict.paths[:3],
                "more_paths": max(0, len(verdict.paths) - 3),
            }
        )
    return {
        "marker": MARKER,
        "summary": {
            "triggered": len(statuses),
            "covered": sum(1 for s in statuses if s["status"] == "covered"),
            "missing": sum(1 for s in statuses if s["status"] == "missing"),
            "skipped": sum(1 for s in statuses if s["status"] == "skipped"),
            "reviews": len(reviews),
        },
        "checklists": statuses,
        "reviews": reviews,
        "skips": skips,
        "cut": None,
    }


def render_note(
    project: Project, view: dict[str, Any], template: str = PR_NOTE_TEMPLATE, limit: int = MAX_CHARS
) -> str:
    """The note, cut to `limit` characters: review details go first, then whole review sections;
    the summary always stays, and the note says what was cut and where the full records are."""
    text = render_template(project, template, {"note": view})
    reviews = view["reviews"]
    if len(text) <= limit or not reviews:
        return _ensure_marker(text)
    for flag in ("show_details", "show"):
        # Binary search: the most reviews (from the first) that keep `flag` and still fit.
        low, high = 0, len(reviews)
        while low < high:
            middle = (low + high + 1) // 2
            if len(_render_with(project, template, view, flag, middle)) <= limit:
                low = middle
            else:
                high = middle - 1
        text = _render_with(project, template, view, flag, low)
        if len(text) <= limit:
            return _ensure_marker(text)
    return _ensure_marker(text[:limit])  # a template that will not shrink: a hard cut is all that is left


def _render_with(project: Project, template: str, view: dict[str, Any], flag: str, keep: int) -> str:
    for index, review in enumerate(view["reviews"]):
        review[flag] = index < keep
    hidden_details = sum(1 for r in view["reviews"] if not r["show_details"])
    hidden = sum(1 for r in view["reviews"] if not r["show"])
    view["cut"] = {"details": hidden_details, "reviews": hidden} if hidden_details or hidden else None
    return render_template(project, template, {"note": view})


def _ensure_marker(text: str) -> str:
    return text if text.startswith(MARKER) else f"{MARKER}\n{text}"


def upsert_section(body: str, note: str) -> str:
    """The PR description with micromoment's section replaced (or appended); the author's text is untouched."""
    section = f"{SECTION_START}\n{note.rstrip()}\n{SECTION_END}"
    start = body.find(SECTION_START)
    end = body.find(SECTION_END, start + 1) if start >= 0 else -1
    if start >= 0 and end >= 0:
        return body[:start] + section + body[end + len(SECTION_END) :]
    separator = "" if not body else ("\n" if body.endswith("\n") else "\n\n")
    return f"{body}{separator}{section}\n"


def attach_git_note(repo: Repo, note_file: Path) -> str:
    """Attach the note to HEAD under refs/notes/micromoment, replacing micromoment's earlier one."""
    if head_commit(repo) is None:
        raise MicromomentError("there is no commit to attach a note to yet; commit first")
    run_git(["notes", "--ref=micromoment", "add", "-f", "-F", str(note_file), "HEAD"], repo.root)
    return run_git(["rev-parse", "HEAD"], repo.root).decode().strip()


PR_TEMPLATE_SECTION = f"""{SECTION_START}
### Responsible-AI checks

micromoment replaces this section with the checks this change called for
(`micromoment pr-note --post github --target body`). Until then:

- [ ] `micromoment check --base origin/main` passes, or each skip carries a reason
- [ ] every "no" answer has a follow-up with an owner
{SECTION_END}
"""


def add_pr_template_section(root: Path) -> Path | None:
    """Append micromoment's section to the GitHub PR template; None when it is already there."""
    from micromoment.files import write_atomic

    path = root / ".github" / "pull_request_template.md"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION_START in current:
        return None
    write_atomic(
        path,
        upsert_section(
            current, PR_TEMPLATE_SECTION.removeprefix(SECTION_START + "\n").removesuffix(SECTION_END + "\n")
        ),
    )
    return path
