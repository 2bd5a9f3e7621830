"""The gate's content triggers: the lines a change adds or removes, read for generative AI in
one `git diff` of the files in a language the detectors know, when some checklist names one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from micromoment.detect.match import NEAR_LINES, Detectors, Finding, findings_in_diff
from micromoment.gate.rules import Rules, triggering_paths
from micromoment.git import run_git
from micromoment.git.objects import EMPTY_TREE

if TYPE_CHECKING:
    from micromoment.gate.change import Change

# Up to this many files are named to git one by one; past it, git is given each language's
# file endings instead (a command line has a length limit), and the other files passed over.
MANY_PATHS = 500
# What a POSIX extended regular expression gives a meaning to, escaped so a keyword matches as written.
_ERE_ESCAPES = str.maketrans({char: "\\" + char for char in ".()[]{}*+?|^$\\"})


def read_content(change: Change) -> None:
    """Fill in the change's findings, and the files it does not read with why."""
    rules = change.rules
    # The table holds exactly the detectors the rules' checklists name (`rules_from_policy`).
    diff_range = change.diff_range
    if rules.detection is None or diff_range is None:
        return
    detectors = Detectors(rules.detection)
    candidates = [p for p in triggering_paths(rules, change.triggering) if p not in change.submodules]
    languages, skipped = detectors.sorted_out(candidates)
    change.not_read.update(skipped)
    # Files whose content is the same before and after (copies, stubs, fixtures added in bulk)
    # have the same diff: git reads one of each, and what it shows stands for all of them.
    alike: dict[tuple[str | None, ...], list[str]] = {}
    for path, language in languages.items():
        if path not in skipped:
            blobs = change.blobs.get(path)
            alike.setdefault((*blobs, language) if blobs else (path,), []).append(path)
    if not alike:
        return
    read = {same[0]: same for same in alike.values()}
    findings, unread = findings_in_diff(
        detectors, _patch(change.repo.root, diff_range, detectors, list(read))
    )
    change.findings = sorted(
        (finding._replace(path=path) for finding in findings for path in read.get(finding.path, ())),
        key=lambda finding: (finding.path, finding.line),
    )
    change.not_read.update({path: why for one, why in unread.items() for path in read.get(one, ())})


def _patch(
    root: str, diff_range: tuple[str | None, str | None], detectors: Detectors, paths: list[str]
) -> str:
    """The lines the diff (from, to: None for the index) adds and removes in `paths`, in files
    that hold some keyword."""
    old, new = diff_range
    # Explicit prefixes and no external or text-conversion tools: the patch is read as git's own.
    args = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--no-relative"]
    args += ["--src-prefix=a/", "--dst-prefix=b/", f"-U{NEAR_LINES}"]
    keywords = detectors.keywords()
    if keywords is not None:
        # git leaves out every file whose added or removed lines hold no keyword in any case (its
        # own search, a pass in C), binary ones included (`-a`: one that holds a keyword is
        # shown, and said not to be read).
        args += ["-a", "-i", "-G" + "|".join(k.translate(_ERE_ESCAPES) for k in keywords)]
    args += ["--cached", old or EMPTY_TREE] if new is None else [old or EMPTY_TREE, new]
    if len(paths) <= MANY_PATHS:
        args += ["--", *(f":(literal){path}" for path in paths)]
    else:
        args += ["--", *(f":(glob)**/*{suffix}" for suffix in detectors.by_suffix)]
    return run_git(args, root).decode("utf-8", "surrogateescape")


def content_hits(rules: Rules, findings: list[Finding]) -> dict[str, list[Finding]]:
    """Checklist id -> the findings that call for it (its detectors found them)."""
    hits = {rule.id: [f for f in findings if f.detector in rule.detectors] for rule in rules.checklists}
    return {checklist_id: found for checklist_id, found in hits.items() if found}
