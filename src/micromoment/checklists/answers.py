"""Which answers count: one rule for the review that records them, the gate that judges a
record by them, and lint.

Light on purpose (standard library only): the commit hook applies it to every record it judges.
A record says whether it is complete, but a record can be written by hand; the gate counts a
review as complete only when this rule, applied to the checklist the base branch has, agrees.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

CONFIRM_ANSWERS = ("yes", "no", "na")
SKIP = "skip"
# A text item asks for words (a name, a place): a bare y or n says nothing a reader can use.
BARE_YES_NO = frozenset({"y", "yes", "n", "no"})


class ItemRule(NamedTuple):
    """One item, as the rule needs it; a plain tuple, so the gate's memo keeps it as JSON."""

    id: str
    required: bool
    kind: str
    options: list[str]
    ask_item: str | None  # the earlier item whose answer decides whether this one is asked
    ask_values: list[str]


class Dumped(Protocol):
    """A checklist item (`checklists.model.Item`) as the rule reads it: its fields, dumped as JSON."""

    def model_dump(self, *, mode: str, by_alias: bool, exclude_none: bool) -> dict[str, Any]: ...


def item_rule(item: Dumped) -> ItemRule:
    """What the gate keeps of a checklist item to judge answers to it."""
    fields = item.model_dump(mode="json", by_alias=True, exclude_none=True)
    ask_if = fields.get("ask_if")
    return ItemRule(
        str(fields["id"]),
        bool(fields.get("required", True)),
        str(fields.get("kind", "confirm")),
        [str(option) for option in fields.get("options") or []],
        str(ask_if["item"]) if ask_if else None,
        [str(value) for value in ask_if["is"]] if ask_if else [],
    )


def accepts(kind: str, options: list[str], answer: str) -> bool:
    """Whether `answer`, as a record stores it, answers an item of this kind. A skip (which the
    record reader only accepts with its reason) answers any item."""
    if answer == SKIP:
        return True
    if kind == "confirm":
        return answer in CONFIRM_ANSWERS
    if kind == "choice":
        return answer in options
    return text_answer(answer) is not None


def text_answer(raw: str) -> str | None:
    """A text item's answer as it is recorded, or None when it does not count: the walk-through,
    the answers file and the gate all judge text by this. A text item asks for words (a name, a
    place): blank, or a bare y or n, says nothing a reader can use."""
    text = raw.strip()
    return text if text and text.lower() not in BARE_YES_NO else None


def is_asked(rule: ItemRule, answers: dict[str, str]) -> bool:
    """An item with an ask_if is asked only when the earlier item's answer is one of its values."""
    if rule.ask_item is None:
        return True
    given = answers.get(rule.ask_item)
    return given is not None and given != SKIP and given in rule.ask_values


def unanswered(items: list[ItemRule], answers: dict[str, str]) -> list[str]:
    """The required items that are asked and have no answer the item accepts, in checklist order."""
    return [
        rule.id
        for rule in items
        if rule.required
        and is_asked(rule, answers)
        and not accepts(rule.kind, rule.options, answers.get(rule.id, ""))
    ]


class AnswerCounts(NamedTuple):
    """One record's answers as every output counts them: the Markdown, the PR note, the report,
    `stats` and `export` all take these numbers, so they never disagree."""

    answered: int  # items with an answer; a skip is no answer
    yes: int
    no: int
    na: int
    skipped: int


def count_answers(answers: list[str]) -> AnswerCounts:
    """The counts of a record's answers, as its record stores them."""
    skipped = answers.count(SKIP)
    yes, no, na = (answers.count(word) for word in CONFIRM_ANSWERS)
    return AnswerCounts(len(answers) - skipped, yes, no, na, skipped)


def held_status(
    status: str, items: list[ItemRule] | None, answers: dict[str, str]
) -> tuple[str, tuple[str, ...]]:
    """What a record that says `status` is counted as, held to the items of the very checklist
    version it answered (None when that version is not at hand: the record keeps its word), and
    the required items that make a claimed "complete" incomplete."""
    if status != "complete" or items is None:
        return status, ()
    missing = tuple(unanswered(items, answers))
    return ("incomplete", missing) if missing else (status, ())
