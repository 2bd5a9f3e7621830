"""The pull-request note: what a change triggered, who checked what, every "no" and skip, in one Markdown block."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from micromoment.checklists import Catalog, Checklist
from micromoment.checklists.translations import read_in
from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.forge.sections import count_of
from micromoment.gate.change import base_branch, since_base
from micromoment.gate.coverage import Verdict, evaluate
from micromoment.git import Repo, head_commit
from micromoment.locations import Project
from micromoment.records import AnyRecord, ReviewRecord, SkipRecord, load_any_record
from micromoment.records.listing import markdown_path
from micromoment.records.markdown import escape_text, is_web_address, neutralise, shorten
from micromoment.records.render import render_template
from micromoment.records.view import review_view

MARKER = "<!-- micromoment:pr-note -->"
PR_NOTE_TEMPLATE = "pr-note.md.j2"
# GitHub refuses comments over 65,536 characters; stay well under it.
MAX_CHARS = 60_000
# When the note is too long, one pasted log in a note or a reason is cut to this many
# characters before any review loses its answers, so it cannot crowd out the others.
FIELD_CHARS = 300
# Values under these keys are micromoment's own links and paths, not text people typed:
# zero-width characters or a cut would break them, and a link notifies nobody.
_OWN_KEYS = frozenset({"link", "path", "record", "marker"})


@dataclass(frozen=True)
class Change:
    """The records and verdicts of the change since the merge-base with a base ref."""

    verdicts: list[Verdict]
    records: list[tuple[str, AnyRecord]]  # (path relative to the repository, record)
    head: str | None
    reviews_dir: str  # relative to the repository, as the policy of the change names it


def collect(repo: Repo, base: str | None) -> Change:
    """The verdicts and records of the change since the merge-base with `base`, judged like `check --base`;
    without `base`, the base branch `check` and the hook find."""
    if base is None:
        found = base_branch(repo)
        if found is None:
            raise MicromomentError(
                "no base branch found to measure this change from; name it with --base REF"
            )
        base = found[0]
    outcome = evaluate(since_base(repo, base))
    if outcome.invalid:
        raise FileProblems(
            [Problem(r.path, None, None, "", r.problem.removeprefix(f"{r.path}: ")) for r in outcome.invalid]
        )
    paths = sorted({*outcome.change.created, *outcome.change.touched})
    records = sorted(
        ((p, load_any_record(Path(repo.root) / p)) for p in paths), key=lambda pair: _when(pair[1])
    )
    return Change(outcome.verdicts, records, head_commit(repo), outcome.change.rules.reviews_dir)


def _when(record: AnyRecord) -> str:
    return (record.finished_at if isinstance(record, ReviewRecord) else record.at).isoformat()


def note_view(change: Change, catalog: Catalog, lang: str | None = None) -> dict[str, Any]:
    """Everything the PR-note template shows, in plain data, with every text people typed made
    inert; the reviews in `lang`'s words where their checklists have them."""
    link_prefix = f"../blob/{change.head}/" if change.head else ""
    reviews, skips = [], []
    for path, record in change.records:
        if isinstance(record, SkipRecord):
            skips.append(_skip_view(path, record, link_prefix + _readable(path, "skip")))
        else:
            answered = record.checklist.id
            checklist = catalog.get(answered) if answered in catalog else None
            shown = read_in(catalog, answered, lang)
            reviews.append(_review_view(path, record, checklist, shown, link_prefix))
    statuses = [_status_view(verdict, link_prefix) for verdict in change.verdicts]
    covering = {v.record.path for v in change.verdicts if v.record is not None}
    for skip in skips:
        # A skip of a checklist this change does not call for is shown apart, so the summary's
        # "N skipped" (of the checklists it calls for) matches the list under it.
        skip["covers"] = skip["path"] in covering
    return {
        "marker": MARKER,
        "reviews_dir": change.reviews_dir,
        "summary": {**tally(change.verdicts), "reviews": len(reviews)},
        "checklists": statuses,
        "reviews": reviews,
        "skips": skips,
        "cut": None,
    }


def tally(verdicts: list[Verdict]) -> dict[str, int]:
    """The checklists a change triggered, and how many are covered, missing or skipped: the
    note's summary and a CI step's outputs count alike."""
    kinds = [v.record.kind if v.record is not None else None for v in verdicts]
    return {
        "triggered": len(kinds),
        "covered": kinds.count("review"),
        "missing": kinds.count(None),
        "skipped": kinds.count("skip"),
    }


def _skip_view(path: str, record: SkipRecord, link: str) -> dict[str, Any]:
    typed = {
        "checklist": record.checklist.id,
        "title": record.checklist.title,
        "reason": record.reason,
        "approver": record.approver,
        "who": record.who.name,
        "when": record.at.strftime("%Y-%m-%d"),
    }
    return {**_inert(typed), "link": link, "path": path}


def _review_view(
    path: str, record: ReviewRecord, checklist: Checklist | None, shown: Checklist | None, link_prefix: str
) -> dict[str, Any]:
    view = _inert(review_view(record, checklist, shown))
    follow_ups = {f["number"]: f for f in view["follow_ups"]}
    return {
        **view,
        "link": link_prefix + _readable(path, "review"),
        "path": path,
        "noes": [
            {**row, "follow_up": follow_ups.get(row["number"])}
            for row in view["rows"]
            if row["answer"] == "no"
        ],
        "signoffs": _inert([s.model_dump(mode="json") for s in record.signoffs]),
        "samples": [{**sample, "link": link_prefix + sample["markdown"]} for sample in view["samples"]],
        "show": True,
        "show_details": True,
    }


def _status_view(verdict: Verdict, link_prefix: str) -> dict[str, Any]:
    record = verdict.record
    status = "missing" if record is None else "skipped" if record.kind == "skip" else "covered"
    return {
        "checklist": verdict.rule.id,
        "title": neutralise(verdict.rule.title),
        "status": status,
        "record": link_prefix + _readable(record.path, record.kind) if record else None,
        # A changed file's name is text someone chose too: `@team/notes.md` would mention.
        "paths": [neutralise(verdict.shown(p)) for p in verdict.paths[:3]],
        "more_paths": max(0, len(verdict.paths) - 3),
        # Why the content detectors call for it, capped and counted like the paths.
        "reasons": [neutralise(finding.reason()) for finding in verdict.reasons[:3]],
        "more_reasons": max(0, len(verdict.reasons) - 3),
    }


def _readable(path: str, kind: str) -> str:
    """The file a reader opens for a record: a review's Markdown beside its YAML; a skip is only its YAML."""
    return markdown_path(path) if kind == "review" else path


def _inert(value: Any, key: str = "", change: Callable[[str], str] = neutralise) -> Any:
    """`value` with `change` (by default neutralise) applied to every string people typed, down
    through dicts and lists.

    Done on the view, not on the rendered note: the note's own marker, links and paths must
    stay exactly as they are, and a web address given as evidence must stay a working link
    (a forge acts on neither)."""
    if isinstance(value, str):
        if key in _OWN_KEYS or (key == "evidence" and is_web_address(value)):
            return value
        return change(value)
    if isinstance(value, dict):
        return {name: _inert(item, str(name), change) for name, item in value.items()}
    if isinstance(value, list):
        return [_inert(item, key, change) for item in value]
    return value


def render_note(
    project: Project, view: dict[str, Any], template: str = PR_NOTE_TEMPLATE, limit: int = MAX_CHARS
) -> str:
    """The note, at most `limit` characters. When it must be shortened: long texts are cut to
    FIELD_CHARS first, then review details go, then whole review sections; the summary always
    stays, and the last line says what was left out and which record files hold it."""

    def render(cut: _Cut | None = None) -> str:
        """The note; with `cut`, the line saying what was left out below it."""
        if cut is not None:
            details, hidden = _left_out(view["reviews"])
            # Kept for team templates written against it; the built-in one leaves the line to cut_line.
            view["cut"] = {"details": len(details), "reviews": len(hidden), "fields": cut.fields}
        text = _ensure_marker(render_template(project, template, {"note": view}))
        return text if cut is None else text.rstrip("\n") + "\n\n" + cut_line(view, cut) + "\n"

    text = render()
    if len(text) <= limit:
        return text
    cut = _Cut(full_chars=len(text), limit=limit)
    for entry in [*view["reviews"], *view["skips"]]:
        shortened: set[str] = set()
        for name in list(entry):
            entry[name] = _shortened(entry[name], name, shortened)
        if shortened:
            cut.fields += len(shortened)
            cut.records.append(entry)
    text = render(cut)
    if len(text) <= limit:
        return text
    for flag in ("show_details", "show") if view["reviews"] else ():
        _keep(view, flag, 0)
        if len(render(cut)) >= len(text):
            _keep(view, flag, len(view["reviews"]))  # a template that ignores the flag: nothing to say
            continue
        # The most reviews (from the first) that keep `flag` and still fit: one fewer at a time,
        # as a note holds tens of reviews, not thousands.
        for keep in range(len(view["reviews"]) - 1, -1, -1):
            _keep(view, flag, keep)
            text = render(cut)
            if len(text) <= limit:
                return text
    return _cut_blocks(render(), view, cut)


@dataclass
class _Cut:
    """What shortening the note left out, for the line that says so."""

    full_chars: int
    limit: int
    fields: int = 0  # long texts cut to FIELD_CHARS
    records: list[dict[str, Any]] = field(default_factory=list)  # the reviews and skips they are in
    tail_chars: int = 0  # characters dropped from the end by the last resort


def _shortened(value: Any, key: str, shortened: set[str]) -> Any:
    def cut(text: str) -> str:
        if len(text) <= FIELD_CHARS:
            return text
        # The same note sits in the record and in the rows made from it: count the text once.
        shortened.add(text)
        return neutralise(shorten(text, FIELD_CHARS))

    return _inert(value, key, cut)


def _keep(view: dict[str, Any], flag: str, keep: int) -> None:
    for index, review in enumerate(view["reviews"]):
        review[flag] = index < keep


def _left_out(reviews: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The reviews shown without their answers, and those left out whole."""
    return [r for r in reviews if r["show"] and not r["show_details"]], [r for r in reviews if not r["show"]]


def cut_line(view: dict[str, Any], cut: _Cut) -> str:
    """The last line of a shortened note: what was left out, and the record files that hold it."""
    reviews = view["reviews"]
    details, hidden = _left_out(reviews)
    parts = []
    if cut.fields:
        parts.append(f"{count_of(cut.fields, 'long text')} cut to {FIELD_CHARS} characters (ending in …)")
    if details:
        parts.append(f"the answers of {count_of(len(details), 'review')} left out")
    if hidden:
        parts.append(f"{count_of(len(hidden), 'whole review section')} left out")
    if cut.tail_chars:
        parts.append(f"the last {cut.tail_chars:,} characters left out")
    # Whole sections first: they are what a reader misses most. Each entry once, by identity.
    rest = [*reviews, *view["skips"]] if cut.tail_chars else []
    affected = list({id(e): e for e in [*hidden, *details, *cut.records, *rest]}.values())
    named = [_file_link(entry) for entry in affected[:5]]
    more = len(affected) - len(named)
    where = ", ".join(named) + (f" and {more:,} more" if more else "")
    return (
        f"**Shortened to fit a comment** (the full note is {cut.full_chars:,} characters, "
        f"the limit {cut.limit:,}): {'; '.join(parts)}. "
        + (
            f"Read them in full in the records' files: {where}, under {_folder(view['reviews_dir'])}."
            if named
            else ""
        )
    ).rstrip()


def _file_link(entry: dict[str, Any]) -> str:
    shown = _readable(str(entry["path"]), "review" if "rows" in entry else "skip")
    link = str(entry["link"])
    if any(c in link for c in "<>\n") or not link:
        return str(escape_text(shown))
    return f"[{escape_text(shown)}](<{link}>)"


def _folder(folder: str) -> str:
    """A folder as the note shows it: in a code span, unless a backtick in its name would end one."""
    return f"`{folder}/`" if "`" not in folder else str(escape_text(folder + "/"))


def _cut_blocks(body: str, view: dict[str, Any], cut: _Cut) -> str:
    """A last resort for a note whose summary alone is too long: cut `body` between blocks, close
    what was left open, so the rest of the comment renders as intended."""
    budget = cut.limit
    while True:
        head = body[: max(0, budget)]
        at = head.rfind("\n\n")
        head = head[:at] if at > 0 else head[: max(0, head.rfind("\n"))]
        head = head.rstrip("\n")
        cut.tail_chars = len(body) - len(head)
        # An open code fence would swallow the line below, a <details> left open would fold
        # it out of sight: close them.
        fences = _FENCE.findall(head)
        if len(fences) % 2:
            head += "\n" + fences[-1]
        head += "\n\n</details>" * max(0, head.count("<details") - head.count("</details>"))
        head = _ensure_marker(head)
        text = head + "\n\n" + cut_line(view, cut) + "\n"
        if len(text) <= cut.limit or budget <= 0:
            return text
        budget -= len(text) - cut.limit


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def _ensure_marker(text: str) -> str:
    return text if text.startswith(MARKER) else f"{MARKER}\n{text}"
