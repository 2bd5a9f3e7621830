"""What a CI runner shows of a gate run: annotations, SARIF, Code Quality, the job summary, step outputs."""

from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

from micromoment import __version__
from micromoment.errors import MicromomentError
from micromoment.fileread import read_limited
from micromoment.forge.note import MARKER, MAX_CHARS, tally
from micromoment.gate.coverage import Outcome, Verdict, signoff_hint, skip_may_cover, unanswered_hint
from micromoment.gate.hook import shown_paths
from micromoment.records.markdown import escape_cell, neutralise

# GitHub shows at most ten error and ten warning annotations of a step; the rest are lost
# without a word, so micromoment shows ten of each and one notice that counts the others.
ANNOTATIONS_SHOWN = 10
# Rule ids of findings that are not a checklist's: a slash never appears in a checklist id.
INVALID_RULE = "micromoment/invalid-record"
SIGNOFF_RULE = "micromoment/signoff-not-counted"


class Finding(NamedTuple):
    """One thing to show where the change is: a file (and a line, when the trigger names one)."""

    level: Literal["error", "warning"]
    rule: str  # the checklist id, or one of the rules above
    path: str
    line: int | None
    title: str
    message: str


def counts(outcome: Outcome) -> dict[str, int]:
    """The numbers a later CI step can gate on."""
    return {**tally(outcome.verdicts), "invalid": len(outcome.invalid)}


def step_outputs(outcome: Outcome) -> str:
    """`name=value` lines for $GITHUB_OUTPUT."""
    pairs = [*counts(outcome).items(), ("verdict", "pass" if outcome.ok else "fail")]
    return "".join(f"{name}={value}\n" for name, value in pairs)


def fix_command(verdict: Verdict) -> str:
    """The one command that moves a missing checklist forward."""
    waiting = verdict.waiting_for_signoffs
    if waiting is not None:
        return f"micromoment signoff {waiting.record_id}  # by someone other than its author"
    return f"micromoment review {verdict.rule.id}"


def _missing_message(verdict: Verdict) -> str:
    hints = signoff_hint(verdict)[:1] or unanswered_hint(verdict)
    if not hints:
        hints = [f"no complete record of {verdict.rule.id} ({verdict.rule.title}) was created in this change"]
    ways = f"run: {fix_command(verdict)}"
    if verdict.waiting_for_signoffs is None and skip_may_cover(verdict.rule.signoffs):
        ways += f", or: micromoment skip {verdict.rule.id} --reason '...'"
    return "; ".join([*hints, ways])


def findings(outcome: Outcome) -> list[Finding]:
    """Each missing checklist at every path that called for it, then what does not count and why."""
    found: list[Finding] = []
    for verdict in outcome.gaps:
        title = f"{verdict.rule.id}: {verdict.rule.title}, not covered"
        message = _missing_message(verdict)
        found += [Finding("error", verdict.rule.id, path, None, title, message) for path in verdict.paths]
    for verdict in outcome.verdicts:
        record = verdict.record or verdict.waiting_for_signoffs
        if record is None:
            continue
        title = f"{verdict.rule.id}: a sign-off that does not count"
        found += [
            Finding("warning", SIGNOFF_RULE, record.path, None, title, judged.describe())
            for judged in verdict.judged
            if not judged.counts
        ]
    for invalid in outcome.invalid:
        found.append(
            Finding(
                "warning",
                INVALID_RULE,
                invalid.path,
                _line_of(invalid.problem, invalid.path),
                "not a valid record: it covers nothing",
                f"{invalid.problem}; fix it: micromoment lint {shlex.quote(invalid.path)}",
            )
        )
    return found


def _line_of(problem: str, path: str) -> int | None:
    """The line a `path:line:col: what` problem names, if it names one."""
    number = problem.removeprefix(f"{path}:").split(":", 1)[0]
    return int(number) if problem.startswith(f"{path}:") and number.isdigit() else None


def _escape(value: str, in_property: bool = False) -> str:
    """A value as GitHub's workflow commands read it: %, CR, LF (and in a property : and ,) encoded."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if in_property else value


def workflow_commands(found: list[Finding]) -> list[str]:
    """`::error` / `::warning` workflow commands, ten of each, and a notice counting the rest."""
    lines: list[str] = []
    left_out: dict[str, int] = {}
    for finding in found:
        if sum(1 for line in lines if line.startswith(f"::{finding.level} ")) >= ANNOTATIONS_SHOWN:
            left_out[finding.level] = left_out.get(finding.level, 0) + 1
            continue
        where = f"file={_escape(finding.path, True)}"
        if finding.line is not None:
            where += f",line={finding.line}"
        lines.append(
            f"::{finding.level} {where},title={_escape(finding.title, True)}::{_escape(finding.message)}"
        )
    if left_out:
        more = " and ".join(f"{n} more {level}(s)" for level, n in left_out.items())
        lines.append(f"::notice title=micromoment::{more} not shown here; the job summary lists every one")
    return lines


def sarif(outcome: Outcome, found: list[Finding]) -> dict[str, Any]:
    """SARIF 2.1.0 for code scanning: a rule per triggered checklist, a result per finding."""
    rules = {v.rule.id: _rule(v.rule.id, v.rule.title, fix_command(v)) for v in outcome.verdicts}
    extra = {
        INVALID_RULE: ("A file in the reviews folder that is not a valid record", "micromoment lint"),
        SIGNOFF_RULE: ("A sign-off that does not count", "micromoment check --base REF"),
    }
    for rule, (text, command) in extra.items():
        if any(f.rule == rule for f in found):
            rules[rule] = _rule(rule, text, command)
    index = {rule: number for number, rule in enumerate(rules)}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": f.level,
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        # A name that is not UTF-8 keeps its bytes, as git has them.
                        "artifactLocation": {
                            "uri": quote(f.path, errors="surrogateescape"),
                            "uriBaseId": "%SRCROOT%",
                        },
                        # A path trigger is about the whole file: it points at the first line.
                        "region": {"startLine": f.line or 1},
                    }
                }
            ],
        }
        for f in found
    ]
    driver = {"name": "micromoment", "version": __version__, "rules": list(rules.values())}
    run = {"tool": {"driver": driver}, "automationDetails": {"id": "micromoment/"}, "results": results}
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}


def _rule(rule_id: str, text: str, command: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "shortDescription": {"text": text},
        "help": {"text": f"{text}. Fix: {command}"},
        "defaultConfiguration": {"level": "warning" if rule_id in (INVALID_RULE, SIGNOFF_RULE) else "error"},
    }


def codequality(found: list[Finding]) -> list[dict[str, Any]]:
    """GitLab's Code Quality report: the merge request widget shows each finding on its file."""
    issues = []
    for f in found:
        key = "\0".join([f.rule, f.path, str(f.line), f.message])
        issues.append(
            {
                "description": f"{f.title}: {f.message}",
                "check_name": f.rule,
                "fingerprint": hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest(),
                "severity": "major" if f.level == "error" else "minor",
                "location": {"path": f.path, "lines": {"begin": f.line or 1}},
            }
        )
    return issues


def as_json(value: object) -> str:
    # ASCII: a file name that is not UTF-8 becomes an escape, not a file that cannot be written.
    return json.dumps(value, indent=2) + "\n"


def step_summary(outcome: Outcome) -> str:
    """The job summary: the verdict, then what to run, then the details folded."""
    number = counts(outcome)
    if not outcome.verdicts:
        head = "nothing in this change calls for a checklist"
    elif number["missing"]:
        head = f"{number['missing']} of {number['triggered']} triggered checklist(s) not covered"
    else:
        head = f"{number['triggered']} of {number['triggered']} triggered checklist(s) covered"
    if number["invalid"]:
        head += f", {number['invalid']} record(s) not valid"
    lines = [f"### {'✅' if outcome.ok else '❌'} micromoment: {head}", ""]
    commands = [fix_command(v) for v in outcome.gaps]
    commands += [f"micromoment lint {shlex.quote(r.path)}" for r in outcome.invalid]
    if commands:
        lines += ["To pass, run this and commit what it writes:", "", "```sh", *commands, "```", ""]
    if outcome.verdicts or outcome.invalid:
        lines += ["<details><summary>Details</summary>", "", *_details(outcome), "", "</details>", ""]
    return "\n".join(lines) + "\n"


def _details(outcome: Outcome) -> list[str]:
    lines = []
    if outcome.verdicts:
        lines += ["| checklist | triggered by | status |", "| --- | --- | --- |"]
    for verdict in outcome.verdicts:
        if verdict.record is None and verdict.waiting_for_signoffs is not None:
            status = f"waiting for sign-offs: {verdict.signoffs_counted} of {verdict.rule.signoffs} count"
        elif verdict.record is None:
            status = f"missing: run `micromoment review {verdict.rule.id}`"
        elif verdict.record.kind == "skip":
            status = f"skipped: {escape_cell(verdict.record.reason)}"
        else:
            status = f"covered by {escape_cell(verdict.record.path)}"
        lines.append(f"| {escape_cell(verdict.rule.id)} | {escape_cell(shown_paths(verdict))} | {status} |")
    if outcome.invalid:
        lines.append("")
    lines += [f"- not a valid record, covers nothing: {escape_cell(r.problem)}" for r in outcome.invalid]
    return lines


def append_to(path: Path, text: str, what: str, variable: str) -> None:
    """Add to a file the runner reads after the step ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT)."""
    try:
        with path.open("a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as exc:
        raise MicromomentError(
            f"{path}: cannot append {what}: {exc.strerror or exc}; "
            f"point {variable} at a file in a folder that exists"
        ) from None


def read_note(path: Path) -> str:
    """A note made earlier by `pr-note --out`, to post as it is: in the fork recipe it comes from an
    artifact a pull request's own run wrote, so it is taken as text that may have been forged. It
    must carry the marker (so later runs find it again), fit a comment, and it is made inert again."""
    data = read_limited(path, MAX_CHARS * 4)  # UTF-8 takes at most four bytes a character
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MicromomentError(f"{path}: not UTF-8; pass the file pr-note --out wrote") from None
    if not text.startswith(MARKER):
        raise MicromomentError(f"{path}: does not start with {MARKER}; pass the file pr-note --out wrote")
    if len(text) > MAX_CHARS:
        raise MicromomentError(
            f"{path}: {len(text):,} characters, over the {MAX_CHARS:,} a note may have; "
            "pass the file pr-note --out wrote"
        )
    return MARKER + neutralise(text.removeprefix(MARKER))
