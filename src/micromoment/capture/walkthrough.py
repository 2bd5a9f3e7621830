"""The guided review in a terminal: one item at a time, every answer saved as a draft at once."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from functools import partial

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from micromoment.capture.guard import Finding, Typed, redact, scan_text
from micromoment.capture.prompts import Prompter
from micromoment.capture.session import ReviewSession, answer_problem
from micromoment.checklists import Catalog, Item, format_minutes
from micromoment.checklists.translations import answer_in
from micromoment.clock import utc_now
from micromoment.errors import plural
from micromoment.messages import _
from micromoment.records import SKIP, Answer, FollowUp
from micromoment.records.samples import describe

HELP_KEYS = "? help · b back · s skip"
NOTE_EXAMPLE = "n -- the refund window is wrong"


def new_draft_id() -> str:
    return secrets.token_hex(4)


def choose_checklists(
    prompter: Prompter, catalog: Catalog, suggested: Sequence[str], default: str
) -> list[str]:
    """Offer every checklist, marking those the current changes call for."""
    table = Table(title=_("Which checklist?"), title_justify="left", show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("title")
    table.add_column("items", justify="right")
    table.add_column("min", justify="right")
    numbers = {str(number): entry.checklist for number, entry in enumerate(catalog, start=1)}
    for number, checklist in numbers.items():
        marker = " *" if checklist.id in suggested else ""
        table.add_row(
            number,
            checklist.id + marker,
            checklist.title,
            str(len(checklist.items)),
            format_minutes(checklist.minutes),
        )
    if suggested:
        table.caption = "* suggested by your changes"
        table.caption_justify = "left"
    prompter.console.print(table)
    fallback = " ".join(suggested) if suggested else default
    while True:
        reply = prompter.ask(_("Checklists (ids or numbers, space-separated)"), default=fallback)
        words = reply.replace(",", " ").split()
        unknown = [word for word in words if word not in numbers and word not in catalog]
        if unknown:
            prompter.console.print(Text(f"No checklist {unknown[0]!r}.", style="red"))
        elif words:
            return list(dict.fromkeys(numbers[word].id if word in numbers else word for word in words))


def walk(session: ReviewSession, prompter: Prompter, on_answer: Callable[[ReviewSession], None]) -> bool:
    """Ask every item that applies; True when the person confirms saving the record.

    `on_answer` keeps the session (the draft) each time an answer, or a detail of one, is taken:
    so whatever was accepted with Enter survives any stop at the prompts that follow."""
    console = prompter.console
    checklist = session.read_as or session.checklist
    console.print(
        Panel(
            Text.assemble(
                (checklist.title, "bold"),
                f"  ·  {plural(len(checklist.items), 'item')}  ·  about {format_minutes(checklist.minutes)} min\n",
                (f"Subject: {session.subject}\n", ""),
                (
                    f"Answer y, n or na, an option's number or words; a note after --, as in {NOTE_EXAMPLE}\n",
                    "dim",
                ),
                (f"At every prompt: {HELP_KEYS}", "dim"),
            ),
            expand=True,  # as wide as the terminal, whatever its width
        )
    )
    item = session.next_item()
    while item is not None:
        if _ask_item(session, item, prompter, partial(on_answer, session)):
            item = session.item_after(item)
        elif (earlier := session.item_before(item)) is not None:
            item = earlier
        else:
            console.print(_("This is the first question."))
    _summary(session, prompter)
    if missing := session.missing_required():
        console.print(Text(f"{_('Required items without an answer:')} {', '.join(missing)}", style="yellow"))
    return prompter.confirm(_("Save this review?"), default=True)


def _show_item(session: ReviewSession, item: Item, prompter: Prompter) -> None:
    console = prompter.console
    console.print()
    number, total = session.number(item), len(session.checklist.items)
    item = session.shown(item)
    console.print(Text(f"item {number} of {total}  {item.question}", style="bold"))
    console.print(Text(f"owner: {item.owner} · about {format_minutes(item.minutes)} min", style="dim"))
    if item.guidance.strip():
        console.print(Text(item.guidance.strip().splitlines()[0], style="italic"))
    if item.kind == "choice":
        for index, option in enumerate(item.options or [], start=1):
            console.print(f"  {index}. {option}", markup=False, highlight=False)
    _sample_evidence(session, item, prompter)


def _ask_item(session: ReviewSession, item: Item, prompter: Prompter, keep: Callable[[], None]) -> bool:
    """Ask one item on one line (the answer, then an optional note after --); True when it has an
    answer (new, or the earlier one kept), False for back. The answer is kept (`keep`) at once,
    before the few details that only some answers ask for."""
    _show_item(session, item, prompter)
    while True:
        earlier = session.answers.get(item.id)
        shown = _shown_answer(session, item, earlier) if earlier else _flagged_default(session, item)
        reply = prompter.ask(_prompt_for(item), default=shown)
        if earlier is not None and reply == shown:
            return True  # kept as it was, with its note, evidence and follow-up
        key = reply.lower()
        if key == "?":
            _full_guidance(session.shown(item), prompter)
        elif key == "d" and item.evidence == "sample" and session.offer_sample is not None:
            if (link := session.offer_sample()) is not None:
                session.link_sample(link)
            _sample_evidence(session, item, prompter)
        elif key == "b":
            return False
        elif _take(session, item, reply, prompter):
            keep()
            if _details(session, item, prompter, keep):
                return True
            _show_item(session, item, prompter)  # back from a detail: this item's answer again


def _take(session: ReviewSession, item: Item, reply: str, prompter: Prompter) -> bool:
    """Record what one answer line says; False (and why) when it is no answer."""
    text, note = split_note(reply)
    if text.lower() == "s":
        reason = note or _detail(
            prompter, session.shown(item), _("Why skip it? (recorded with the review)"), required=True
        )
        if reason is None:
            return False
        session.give(_answer(item, SKIP, reason=reason))
        return True
    answer = session.answer_for(item, text)
    if answer is None:
        problem = answer_problem(session.shown(item), text)
        prompter.console.print(Text(f"{problem}; or {HELP_KEYS}.", style="yellow"))
        return False
    sample = session.sample if item.evidence == "sample" else None
    session.give(_answer(item, answer, note=note or None, sample=sample))
    left_out = session.left_out_after(item)
    if left_out:  # say why numbers are about to be passed over
        verb = "is" if len(left_out) == 1 else "are"
        message = f"{plural(len(left_out), 'follow-up question')} {verb} left out after this answer."
        prompter.console.print(Text(message, style="dim"))
    return True


def split_note(reply: str) -> tuple[str, str]:
    """An answer line's answer and its note: `n -- the refund window is wrong`."""
    answer, _, note = f"{reply} ".partition(" -- ")
    return answer.strip(), note.strip()


def _details(session: ReviewSession, item: Item, prompter: Prompter, keep: Callable[[], None]) -> bool:
    """The few prompts an answer calls for, each kept as soon as it is given; False for back."""
    given, shown = session.answers[item.id], session.shown(item)
    asks: list[tuple[str, Callable[[], object]]] = []
    if given.answer == "na" and not given.note:
        asks.append(("note", partial(_detail, prompter, shown, _("Why does it not apply? (optional)"))))
    if given.answer == "no":
        save = partial(_keep_detail, session, item, keep, "follow_up")
        asks.append(("follow_up", partial(_ask_follow_up, shown, prompter, save)))
    if item.evidence is not None and session.sample is None and not given.skipped:
        asks.append(("evidence", partial(_detail, prompter, shown, _("Evidence link (optional)"))))
    for name, ask in asks:
        value = ask()
        if value is None:  # `b`: back to the answer, which stays as it is until changed
            return False
        if value:
            _keep_detail(session, item, keep, name, value)
    return True


def _keep_detail(
    session: ReviewSession, item: Item, keep: Callable[[], None], name: str, value: object
) -> None:
    session.give(session.answers[item.id].model_copy(update={name: value}))
    keep()


def _detail(
    prompter: Prompter, item: Item, prompt: str, *, default: str | None = None, required: bool = False
) -> str | None:
    return ask_detail(prompter, prompt, partial(_full_guidance, item, prompter), default, required)


def ask_detail(
    prompter: Prompter,
    prompt: str,
    show_help: Callable[[], None],
    default: str | None,
    required: bool = False,
) -> str | None:
    """One more line about an answer (a review's or a sample's): `?` shows help and `b` goes
    back (None), as at every prompt; `s` or Enter leave an optional detail out."""
    while True:
        reply = prompter.ask(prompt, default=default)
        if reply == "?":
            show_help()
        elif reply.lower() == "b":
            return None
        elif reply and reply.lower() != "s":
            return reply
        elif not required:
            return ""
        else:
            prompter.console.print(_("A skip is recorded with its reason; please say in a few words why."))


def _shown_answer(session: ReviewSession, item: Item, answer: Answer) -> str:
    """An earlier answer as the person would type it, an option in the words they read."""
    shown = answer_in(item, session.shown(item), answer.answer)
    words, note = ("s", answer.reason) if answer.skipped else (shown, answer.note)
    return f"{words} -- {note}" if note else words


def _flagged_default(session: ReviewSession, item: Item) -> str | None:
    """ "no" for an item whose evidence is a sample that flagged outputs: the reader found
    problems, so Enter does not say all is well."""
    flagged = item.evidence == "sample" and session.sample_flagged()
    return "no" if flagged and item.kind == "confirm" else None


def _sample_evidence(session: ReviewSession, item: Item, prompter: Prompter) -> None:
    """For an item a sample of outputs answers: the linked sample (and, when it flagged outputs,
    the question whether the answer still holds), or how to draw one now."""
    if item.evidence != "sample":
        return
    console = prompter.console
    if session.sample is not None:
        flagged = session.sample_flagged()
        console.print(Text(f"Evidence: {describe(session.sample)}", style="yellow" if flagged else "green"))
        if flagged:
            console.print(Text("Does your answer still hold after what it found? Enter: no", style="yellow"))
    elif session.offer_sample is not None:
        console.print(Text("d draws a few real outputs to read now, linked as evidence", style="dim"))


def _prompt_for(item: Item) -> str:
    return {"confirm": "y / n / na", "choice": f"1-{len(item.options or [])}"}.get(item.kind, _("Answer"))


def _full_guidance(item: Item, prompter: Prompter) -> None:
    body = item.guidance.strip() or "No guidance for this item."
    if item.references:
        body += "\n\nReferences: " + "; ".join(ref.label() for ref in item.references)
    body += f"\n\n{HELP_KEYS}; a note goes after the answer: {NOTE_EXAMPLE}"
    prompter.console.print(Panel(Text(body), title=item.id, expand=False))


def _ask_follow_up(item: Item, prompter: Prompter, save: Callable[[FollowUp], None]) -> FollowUp | str | None:
    """The follow-up for a "no" (what, who, by when), each part kept (`save`) as it is given;
    "" for none, None for back."""
    action = _detail(prompter, item, _("Follow-up: what needs to happen? (Enter: none)"))
    if not action:
        return action
    save(FollowUp(action=action, owner=item.owner))
    owner = _detail(prompter, item, _("Who owns it (a role or a name)?"), default=item.owner)
    if owner is None:
        return None
    owner = owner or item.owner
    save(FollowUp(action=action, owner=owner))
    while True:
        due = _detail(prompter, item, _("Due date, YYYY-MM-DD (optional)"))
        if not due:
            return None if due is None else FollowUp(action=action, owner=owner)
        try:
            day = dt.date.fromisoformat(due)
        except ValueError:
            prompter.console.print(_("Please write the date as YYYY-MM-DD, or leave it empty."))
            continue
        # A date already gone is most often a typo (last year, a swapped digit): check once.
        if day >= utc_now().date() or prompter.confirm(f"{day} is in the past; keep it?", default=False):
            return FollowUp(action=action, owner=owner, due=day)


def _answer(item: Item, answer: str, **details: object) -> Answer:
    return Answer(item=item.id, question=item.question, answer=answer, answered_at=utc_now(), **details)  # type: ignore[arg-type]


def _summary(session: ReviewSession, prompter: Prompter) -> None:
    """One line per item, cut to the terminal's width, so the whole review fits on a screen."""
    table = Table(
        title=f"{(session.read_as or session.checklist).title}: {_('your answers')}",
        title_justify="left",
        box=None,
        padding=(0, 1),
        expand=True,
    )
    # Fixed room for the number and the answer; the question and the note share the rest.
    table.add_column("#", justify="right", no_wrap=True, width=2)
    table.add_column("question", no_wrap=True, overflow="ellipsis", ratio=3)
    table.add_column("answer", no_wrap=True, overflow="ellipsis", min_width=6, max_width=16)
    table.add_column("note / follow-up", no_wrap=True, overflow="ellipsis", ratio=2)
    for item in session.asked_items():
        number, shown = session.number(item), session.shown(item)
        given = session.answers.get(item.id)
        if given is None:
            table.add_row(number, Text(shown.question), Text("—", style="yellow"), "")
            continue
        details = [(given.reason if given.skipped else given.note) or ""]
        if given.follow_up:
            details.append(f"→ {given.follow_up.action} ({given.follow_up.owner})")
        style = {"no": "red", SKIP: "yellow", "yes": "green"}.get(given.answer, "")
        detail = " ".join(part for part in details if part)
        answer = Text(answer_in(item, shown, given.answer), style=style)
        table.add_row(number, Text(shown.question), answer, Text(detail))
    prompter.console.print(table)


def settle_in_terminal(
    prompter: Prompter, found: list[tuple[Typed, list[Finding]]], label: str = "{}"
) -> list[str]:
    """Let the person redact, keep or rewrite each text that looks sensitive (`label` words its
    name); the kinds they kept."""
    kept: set[str] = set()
    for typed, first in found:
        text, findings = typed.text, first
        while findings:
            kinds = ", ".join(sorted({f"{f.kind} {f.preview}" for f in findings}))
            prompter.console.print(
                Text(f"{label.format(typed.where)} looks like it holds: {kinds}", style="yellow")
            )
            choice = prompter.ask("[r]edact it, [k]eep it, or [e]dit the text?", default="r").lower()
            if choice.startswith("r"):
                text, findings = redact(text, findings), []
            elif choice.startswith("k"):
                kept.update(f.kind for f in findings)
                findings = []
            elif choice.startswith("e"):
                # Show what is being edited: the person rewrites it, so they need to see it whole.
                prompter.console.print(Text("The text now:", style="dim"))
                prompter.console.print(Text(text), soft_wrap=True)
                text = prompter.ask("New text (Enter keeps it as it is)") or text
                findings = scan_text(text)
        if text != typed.text:
            typed.replace(text)
    return sorted(kept)
