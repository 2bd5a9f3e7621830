"""A review in progress: which items are asked, the answers so far, and the record it becomes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from micromoment.capture.guard import Typed
from micromoment.checklists import Checklist, Item
from micromoment.checklists.answers import BARE_YES_NO, ItemRule, is_asked, item_rule, text_answer, unanswered
from micromoment.clock import utc_now
from micromoment.errors import FileProblems, Problem
from micromoment.identity import GitContext, Person
from micromoment.limits import MAX_YAML_BYTES
from micromoment.locations import display_path
from micromoment.records import SKIP, Answer, ChecklistRef, FollowUp, ReviewRecord, SampleLink, ScanResult
from micromoment.validation import StrictModel, problems_from
from micromoment.yamlio import Located, parse_yaml, read_yaml

_CONFIRM_WORDS = {"yes": "yes", "y": "yes", "no": "no", "n": "no", "na": "na", "n/a": "na"}


def option_matches(options: list[str], text: str) -> list[str]:
    """The options `text` picks: by number (1-based), by whole name, else by unique start of a name."""
    text = text.strip()
    if text.isascii() and text.isdigit():  # "²" is a digit to str.isdigit, but no number to int()
        number = int(text)
        return [options[number - 1]] if 1 <= number <= len(options) else []
    folded = text.casefold()
    exact = [option for option in options if option.casefold() == folded]
    if exact or not folded:
        return exact
    return [option for option in options if option.casefold().startswith(folded)]


def normalize_answer(item: Item, raw: str) -> str | None:
    """The canonical answer for what a person typed, or None when it does not fit the item."""
    text = raw.strip()
    if not text:
        return None
    if item.kind == "confirm":
        return _CONFIRM_WORDS.get(text.lower())
    if item.kind == "choice":
        matches = option_matches(item.options or [], text)
        return matches[0] if len(matches) == 1 else None
    return text_answer(text)


def answer_problem(item: Item, raw: str) -> str:
    """Why `raw` is not an answer to `item`, said so the person knows what to type instead."""
    if item.kind == "choice":
        matches = option_matches(item.options or [], raw)
        if len(matches) > 1:
            return f"{raw.strip()!r} could be " + " or ".join(repr(m) for m in matches) + "; type more of it"
    if item.kind == "text" and raw.strip().lower() in BARE_YES_NO:
        return f"this item asks for words, not just {raw.strip()!r}; answer {describe_answers(item)}"
    return f"{raw.strip()!r} is not an answer to this item; use {describe_answers(item)}"


def describe_answers(item: Item) -> str:
    if item.kind == "confirm":
        return "yes, no or na"
    if item.kind == "choice":
        return "one of " + ", ".join(repr(o) for o in item.options or []) + " (or its number, or its start)"
    return "a few words (not just yes or no)"


def item_fingerprint(item: Item) -> str:
    """Changes whenever anything about the item changes, so an old draft's answer is asked again."""
    text = json.dumps(item.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def still_to_do(plan: list[str], done: list[str], current: str) -> list[str]:
    """The checklists chosen together that are neither recorded yet nor the one being answered."""
    finished = {*done, current}
    return [checklist_id for checklist_id in plan if checklist_id not in finished]


@dataclass
class ReviewSession:
    """One checklist being answered: the walk-through and the answers file both drive this.

    `plan` is every checklist chosen together with this one, in order, and `done` those of
    them already recorded: the draft keeps both, so a resumed review goes on with the rest.
    """

    checklist: Checklist
    subject: str
    draft_id: str
    started_at: dt.datetime = field(default_factory=utc_now)
    answers: dict[str, Answer] = field(default_factory=dict)
    plan: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)

    # The checklist in the words people read (a translation's); what is recorded is `checklist`'s.
    read_as: Checklist | None = None

    def still_to_do(self) -> list[str]:
        return still_to_do(self.plan, self.done, self.checklist.id)

    def shown(self, item: Item) -> Item:
        """`item` in the words people read it in."""
        return self.read_as.items[self.checklist.items.index(item)] if self.read_as else item

    def answer_for(self, item: Item, text: str) -> str | None:
        """The checklist's own answer for what was typed, in the words read or the checklist's."""
        shown = self.shown(item)
        picked = normalize_answer(shown, text)
        if picked is not None and item.kind == "choice":
            return (item.options or [])[(shown.options or []).index(picked)]
        return picked or normalize_answer(item, text)

    # The outputs read for the items that take a sample (evidence: sample), and, in a terminal,
    # how to draw and read one on the spot.
    sample: SampleLink | None = None
    offer_sample: Callable[[], SampleLink | None] | None = field(default=None, repr=False)

    def sample_items(self) -> list[str]:
        return [item.id for item in self.checklist.items if item.evidence == "sample"]

    def link_sample(self, link: SampleLink) -> None:
        """Make `link` the evidence of every item that takes a sample, answered already or still to come."""
        self.sample = link
        for item_id in self.sample_items():
            given = self.answers.get(item_id)
            if given is not None and not given.skipped:
                self.answers[item_id] = given.model_copy(update={"sample": link})

    def sample_flagged(self) -> bool:
        """Whether the sample linked as evidence flagged any of the outputs read."""
        return self.sample is not None and any(self.sample.flags.values())

    def yes_despite_flags(self) -> list[str]:
        """The items answered yes although the sample linked as their evidence flagged outputs."""
        if not self.sample_flagged():
            return []
        given = [self.answers.get(item_id) for item_id in self.sample_items()]
        return [answer.item for answer in given if answer is not None and answer.answer == "yes"]

    @cached_property
    def rules(self) -> dict[str, ItemRule]:
        """Each item as the rule the gate judges a record by (checklists.answers) reads it."""
        return {item.id: item_rule(item) for item in self.checklist.items}

    def is_asked(self, item: Item) -> bool:
        return is_asked(self.rules[item.id], self.given())

    def given(self) -> dict[str, str]:
        return {item_id: answer.answer for item_id, answer in self.answers.items()}

    def asked_items(self) -> list[Item]:
        return [item for item in self.checklist.items if self.is_asked(item)]

    def next_item(self) -> Item | None:
        return next((item for item in self.asked_items() if item.id not in self.answers), None)

    def item_after(self, current: Item) -> Item | None:
        """The next item asked after `current`, answered or not (walking forward after going back)."""
        later = self.checklist.items[self.checklist.items.index(current) + 1 :]
        return next((item for item in later if self.is_asked(item)), None)

    def item_before(self, current: Item) -> Item | None:
        """The answered item asked just before `current`, the one `b` goes back to."""
        earlier = self.checklist.items[: self.checklist.items.index(current)]
        return next(
            (item for item in reversed(earlier) if self.is_asked(item) and item.id in self.answers), None
        )

    def left_out_after(self, item: Item) -> list[str]:
        """The follow-up questions `item`'s answer leaves out, and theirs in turn."""
        left_out = [item.id]
        for other in self.checklist.items:
            if other.ask_if is not None and other.ask_if.item in left_out and not self.is_asked(other):
                left_out.append(other.id)
        return left_out[1:]

    def number(self, item: Item) -> str:
        """An item's display number, or else its place in its checklist: the one number it has in
        the walk-through, the Markdown, the PR note and the report, whatever is left out before it."""
        return item.number or str(self.checklist.items.index(item) + 1)

    def give(self, answer: Answer) -> None:
        self.answers[answer.item] = answer
        self.prune()

    def prune(self) -> None:
        """Drop answers to items whose ask_if no longer holds (after an earlier answer changed).

        An ask_if names an earlier item, so one pass in order settles every chain of them."""
        for item in self.checklist.items:
            if item.id in self.answers and not self.is_asked(item):
                del self.answers[item.id]

    def missing_required(self) -> list[str]:
        """The rule the gate judges a record by (checklists.answers), so what the review calls
        complete is exactly what the gate counts."""
        return unanswered(list(self.rules.values()), self.given())

    def ordered_answers(self) -> list[Answer]:
        return [self.answers[item.id] for item in self.checklist.items if item.id in self.answers]

    def to_record(
        self, record_id: str, who: Person, git: GitContext | None, scan: ScanResult, finished_at: dt.datetime
    ) -> ReviewRecord:
        missing = self.missing_required()
        return ReviewRecord(
            id=record_id,
            checklist=ChecklistRef.of(self.checklist),
            subject=self.subject,
            git=git,
            who=who,
            started_at=self.started_at,
            finished_at=finished_at,
            answers=self.ordered_answers(),
            status="incomplete" if missing else "complete",
            missing=missing,
            scan=scan,
        )


class AnswerInput(StrictModel):
    """One entry of an answers file, in its long form."""

    answer: str = Field(description="yes / no / na, an option (or its number), text, or skip.")
    note: str | None = None
    evidence: str | None = None
    reason: str | None = Field(default=None, description="Why, when the answer is skip.")
    follow_up: FollowUp | None = None

    @field_validator("answer", mode="before")
    @classmethod
    def _plain_words(cls, value: Any) -> Any:
        # `a: yes` reaches us as True: people mean the answer, not a boolean.
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return str(value)
        return value


STDIN = "standard input"


def answers_name(path: Path) -> str:
    """How messages name an answers file: `-` is standard input."""
    return STDIN if str(path) == "-" else display_path(path)


def _read_answers(path: Path) -> Located:
    if str(path) != "-":
        return read_yaml(path, display_path(path))
    # One byte past the limit is enough for the reader to refuse the whole as too large.
    return parse_yaml(sys.stdin.buffer.read(MAX_YAML_BYTES + 1) if sys.stdin is not None else b"", STDIN)


def apply_answers_file(session: ReviewSession, path: Path) -> list[str]:
    """Fill `session` from a YAML mapping of item id to answer (`-`: from standard input);
    every problem is reported at once.

    Returns warnings: answers to items whose ask_if does not hold are not needed, and ignored.
    """
    located = _read_answers(path)
    data = located.data
    if not isinstance(data, dict):
        raise FileProblems([located.problem((), "must map item ids to answers, e.g. data-into-tool: 'yes'")])
    checklist = session.checklist
    problems: list[Problem] = [
        located.problem(
            (key,),
            f"no item {key!r} in checklist {checklist.id!r} (micromoment show {checklist.id} lists them)",
            key=True,
        )
        for key in data
        if checklist.item(key) is None
    ]
    now = utc_now()
    warnings: list[str] = []
    for item in session.checklist.items:
        if item.id not in data:
            continue
        if not session.is_asked(item):
            # Answering every item `show` lists is a natural way to fill the file; an extra
            # answer is harmless, so it is set aside with a word rather than refused.
            warnings.append(str(located.problem((item.id,), _not_needed(item), key=True)))
            continue
        raw = data[item.id]
        try:
            entry = AnswerInput.model_validate(raw if isinstance(raw, dict) else {"answer": raw})
        except ValidationError as exc:
            problems += problems_from(exc, located, prefix=(item.id,) if isinstance(raw, dict) else ())
            continue
        if problem := _entry_problem(item, entry):
            problems.append(located.problem((item.id,), problem))
            continue
        answer = SKIP if entry.answer.strip() == SKIP else str(normalize_answer(item, entry.answer))
        given = {**dict(entry), "answer": answer}  # with its note, evidence, reason and follow-up
        session.give(Answer(item=item.id, question=item.question, answered_at=now, **given))
    if problems:
        raise FileProblems(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return warnings


def _not_needed(item: Item) -> str:
    condition = item.ask_if
    assert condition is not None  # only items with a condition can be not needed
    wanted = " or ".join(repr(value) for value in condition.is_)
    return f"not needed: asked only when {condition.item} is {wanted}; this answer is ignored"


def _entry_problem(item: Item, entry: AnswerInput) -> str | None:
    if entry.answer.strip() == SKIP:
        return None if (entry.reason or "").strip() else "skip needs a reason: {answer: skip, reason: ...}"
    if normalize_answer(item, entry.answer) is None:
        return answer_problem(item, entry.answer)
    return None


def person_texts(session: ReviewSession) -> list[Typed]:
    """Everything typed into the review, each named as messages name it."""
    texts = [Typed("the subject", session.subject, partial(setattr, session, "subject"))]
    for answer in session.ordered_answers():
        item = session.checklist.item(answer.item)
        fields = {"note": answer.note, "evidence": answer.evidence, "reason": answer.reason}
        if item is not None and item.kind == "text" and not answer.skipped:
            fields = {"answer": answer.answer, **fields}
        if answer.follow_up:
            fields |= {"follow_up.action": answer.follow_up.action, "follow_up.owner": answer.follow_up.owner}
        texts += [
            Typed(
                f"{answer.item} {name.replace('_', '-')}", text, partial(_replace, session, answer.item, name)
            )
            for name, text in fields.items()
            if text
        ]
    return texts


def _replace(session: ReviewSession, item_id: str, name: str, text: str) -> None:
    answer = session.answers[item_id]
    if name.startswith("follow_up.") and answer.follow_up is not None:
        follow_up = answer.follow_up.model_copy(update={name.split(".", 1)[1]: text})
        session.answers[item_id] = answer.model_copy(update={"follow_up": follow_up})
    else:
        session.answers[item_id] = answer.model_copy(update={name: text})
