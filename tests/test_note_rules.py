"""The PR note's pure rules pinned down: the description section, and how a note too long for a comment is cut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from micromoment.errors import MicromomentError
from micromoment.forge.note import FIELD_CHARS, MARKER, _Cut, _inert, cut_line, render_note
from micromoment.forge.sections import SECTION_END, SECTION_START, BrokenSection, upsert_section
from micromoment.locations import Project
from micromoment.records.markdown import ZERO_WIDTH, shorten

START, END = SECTION_START, SECTION_END
REVIEWS = ".micromoment/reviews"  # where the records are, as the view names the folder
SHORTENED = "**Shortened to fit a comment** (the full note is"

# A small template whose output the tests can write out by hand: one line per block.
TEMPLATE = """\
{{ note.reviews|length }} reviews
{% for r in note.reviews %}
{% if r.show %}
## {{ r.title }}
{% if r.show_details %}
{{ r.body }}
{% endif %}
{% endif %}
{% endfor %}
{% for s in note.skips %}
skip: {{ s.reason }}
{% endfor %}
"""


# ---------------------------------------------------------------- the description section


@pytest.mark.parametrize(
    ("body", "updated"),
    [
        ("", f"{START}\nnote\n{END}\n"),
        ("intro", f"intro\n\n{START}\nnote\n{END}\n"),
        ("intro\n", f"intro\n\n{START}\nnote\n{END}\n"),
        ("intro\n\n", f"intro\n\n\n{START}\nnote\n{END}\n"),
        (f"a{START}old{END}b", f"a{START}\nnote\n{END}b"),
        (f"a\n{START}\nold\n{END}\n", f"a\n{START}\nnote\n{END}\n"),
    ],
)
def test_upsert_section_exactly(body: str, updated: str) -> None:
    assert upsert_section(body, "note\n\n") == updated


@pytest.mark.parametrize("marker", [START, END])
def test_a_note_holding_a_marker_is_refused(marker: str) -> None:
    with pytest.raises(MicromomentError) as raised:
        upsert_section("body", f"text {marker}")
    assert not isinstance(raised.value, BrokenSection)
    assert raised.value.message == (f"the note itself holds {START} or {END}; remove it from the template")


def test_the_broken_section_message_names_the_text_and_the_fix() -> None:
    with pytest.raises(BrokenSection) as raised:
        upsert_section(f"{END}", "note")
    assert raised.value.message == (
        f"the text has 0 start markers {START} and 1 end marker {END}, so micromoment cannot tell which text is its own "
        f"and changes nothing; edit it so that one {START} comes before one {END} around "
        "micromoment's section (or delete the markers and the old section), then run pr-note again"
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (f"{START}{START}", f"has 2 start markers {START} and 0 end markers {END}"),
        (f"{END}{END}", f"has 0 start markers {START} and 2 end markers {END}"),
        (f"{END}{START}{END}{START}", f"has 2 start markers {START} and 2 end markers {END}"),
        (f"{START}{START}{END}", f"has 2 start markers {START} and 1 end marker {END}"),
    ],
)
def test_counts_of_markers(body: str, problem: str) -> None:
    with pytest.raises(BrokenSection) as raised:
        upsert_section(body, "note", "the description")
    assert raised.value.message.startswith(f"the description {problem}, so")


# ---------------------------------------------------------------- what is made inert


def test_inert_leaves_own_keys_and_web_evidence_alone() -> None:
    view = {
        "link": "@a",
        "path": "@b",
        "record": "@c",
        "marker": "@d",
        "evidence": "https://x.io/@e",
        "note": "@f",
        "rows": [{"evidence": "see @g", "n": 3}, "@h"],
        "paths": ["@i"],
    }
    assert _inert(view) == {
        "link": "@a",
        "path": "@b",
        "record": "@c",
        "marker": "@d",
        "evidence": "https://x.io/@e",
        "note": f"@{ZERO_WIDTH}f",
        "rows": [{"evidence": f"see @{ZERO_WIDTH}g", "n": 3}, f"@{ZERO_WIDTH}h"],
        "paths": [f"@{ZERO_WIDTH}i"],
    }
    assert _inert(["@x", 5, None]) == [f"@{ZERO_WIDTH}x", 5, None]


# ---------------------------------------------------------------- the line that says what was cut


def _review(number: int, body: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "title": f"R{number}",
        "body": body,
        "path": f".micromoment/reviews/r{number}.yaml",
        "link": f"../blob/c/.micromoment/reviews/r{number}.md",
        "rows": [],
        "show": True,
        "show_details": True,
        **extra,
    }


def _skip(number: int, reason: str = "why") -> dict[str, Any]:
    path = f".micromoment/reviews/s{number}.yaml"
    return {"reason": reason, "path": path, "link": f"../blob/c/{path}"}


def _md(number: int) -> str:
    return f"[.micromoment/reviews/r{number}.md](<../blob/c/.micromoment/reviews/r{number}.md>)"


def _skip_link(number: int) -> str:
    return f"[.micromoment/reviews/s{number}.yaml](<../blob/c/.micromoment/reviews/s{number}.yaml>)"


def test_cut_line_names_each_kind_of_cut_and_the_files() -> None:
    reviews = [
        _review(1, show=False, show_details=False),
        _review(2, show=True, show_details=False),
        _review(3, show=False, show_details=False),
        _review(4),
    ]
    skips = [_skip(1)]
    cut = _Cut(full_chars=123_456, limit=60_000, fields=1, records=[reviews[3], reviews[1]], tail_chars=0)
    assert cut_line({"reviews_dir": REVIEWS, "reviews": reviews, "skips": skips}, cut) == (
        "**Shortened to fit a comment** (the full note is 123,456 characters, the limit 60,000): "
        f"1 long text cut to {FIELD_CHARS} characters (ending in …); the answers of 1 review left out; "
        "2 whole review sections left out. "
        f"Read them in full in the records' files: {_md(1)}, {_md(3)}, {_md(2)}, {_md(4)}, "
        "under `.micromoment/reviews/`."
    )


def test_cut_line_lists_five_files_then_counts_the_rest() -> None:
    reviews = [_review(n, show=False, show_details=False) for n in range(1, 8)]
    skips = [_skip(1), _skip(2)]
    cut = _Cut(full_chars=5000, limit=1000, tail_chars=1234)
    line = cut_line({"reviews_dir": REVIEWS, "reviews": reviews, "skips": skips}, cut)
    assert line == (
        "**Shortened to fit a comment** (the full note is 5,000 characters, the limit 1,000): "
        "7 whole review sections left out; the last 1,234 characters left out. "
        f"Read them in full in the records' files: {', '.join(_md(n) for n in range(1, 6))} and 4 more, "
        "under `.micromoment/reviews/`."
    )


def test_the_last_resort_names_every_record_after_the_cut_ones() -> None:
    reviews = [_review(1), _review(2, show_details=False)]
    cut = _Cut(full_chars=10, limit=5, fields=2, records=[reviews[0]], tail_chars=1)
    line = cut_line({"reviews_dir": REVIEWS, "reviews": reviews, "skips": [_skip(1)]}, cut)
    assert line.endswith(f"files: {_md(2)}, {_md(1)}, {_skip_link(1)}, under `.micromoment/reviews/`.")
    assert f"2 long texts cut to {FIELD_CHARS} characters" in line
    assert "the answers of 1 review left out; the last 1 characters left out." in line


def test_cut_line_without_files_ends_at_the_parts() -> None:
    cut = _Cut(full_chars=1000, limit=999, fields=3)
    assert cut_line({"reviews_dir": REVIEWS, "reviews": [], "skips": []}, cut) == (
        "**Shortened to fit a comment** (the full note is 1,000 characters, the limit 999): "
        f"3 long texts cut to {FIELD_CHARS} characters (ending in …)."
    )


@pytest.mark.parametrize(
    ("path", "link", "shown"),
    [
        ("r.yaml", "", "r.md"),
        ("r.yaml", "a<b", "r.md"),
        ("r.yaml", "a>b", "r.md"),
        ("r.yaml", "a\nb", "r.md"),
        ("r_1.yaml", "x/r_1.md", "[r\\_1.md](<x/r_1.md>)"),
        ("X.yaml", "x/X.md", "[X.md](<x/X.md>)"),
    ],
)
def test_a_file_is_linked_only_when_its_link_is_safe(path: str, link: str, shown: str) -> None:
    reviews = [{**_review(1), "path": path, "link": link, "show": False}]
    line = cut_line({"reviews_dir": REVIEWS, "reviews": reviews, "skips": []}, _Cut(full_chars=2, limit=1))
    assert line.endswith(f"files: {shown}, under `.micromoment/reviews/`.")


def test_a_skip_keeps_its_yaml_name() -> None:
    skip = {**_skip(1), "link": ""}
    line = cut_line(
        {"reviews_dir": REVIEWS, "reviews": [], "skips": [skip]}, _Cut(full_chars=2, limit=1, records=[skip])
    )
    assert line.endswith("files: .micromoment/reviews/s1.yaml, under `.micromoment/reviews/`.")


# ---------------------------------------------------------------- cutting a note to a limit


@pytest.fixture
def template(tmp_path: Path) -> str:
    path = tmp_path / "note.md.j2"
    path.write_text(TEMPLATE, encoding="utf-8")
    return str(path)


def _note(reviews: list[dict[str, Any]], skips: list[dict[str, Any]]) -> str:
    """What TEMPLATE renders, written out by hand."""
    lines = [f"{MARKER}", f"{len(reviews)} reviews"]
    for review in reviews:
        if review["show"]:
            lines.append(f"## {review['title']}")
            if review["show_details"]:
                lines.append(review["body"])
    lines += [f"skip: {skip['reason']}" for skip in skips]
    return "\n".join(lines) + "\n"


def _words(count: int, word: str) -> str:
    return " ".join([word] * count)


def _render(template: str, reviews: list[dict[str, Any]], skips: list[dict[str, Any]], limit: int) -> str:
    return render_note(
        Project(Path(template).parent),
        {"reviews_dir": REVIEWS, "reviews": reviews, "skips": skips},
        template,
        limit,
    )


def test_a_note_that_fits_is_left_whole(template: str) -> None:
    reviews, skips = [_review(1, _words(300, "abcd"))], [_skip(1, _words(280, "wxyz"))]
    full = _note(reviews, skips)
    assert _render(template, reviews, skips, len(full)) == full
    assert _render(template, reviews, skips, len(full) - 1).startswith(f"{MARKER}\n1 reviews\n## R1\nabcd")


def test_long_texts_are_cut_first(template: str) -> None:
    long, longer = _words(300, "abcd"), _words(280, "wxyz")
    reviews, skips = [_review(1, long), _review(2, "short")], [_skip(1, longer)]
    full = _note(reviews, skips)
    note = _render(template, reviews, skips, len(full) - 1)
    cut_reviews = [_review(1, shorten(long, FIELD_CHARS)), _review(2, "short")]
    assert note == (
        _note(cut_reviews, [_skip(1, shorten(longer, FIELD_CHARS))])
        + f"\n{SHORTENED} {len(full):,} characters, the limit {len(full) - 1:,}): "
        f"2 long texts cut to {FIELD_CHARS} characters (ending in …). "
        f"Read them in full in the records' files: {_md(1)}, {_skip_link(1)}, under `.micromoment/reviews/`.\n"
    )
    assert shorten(long, FIELD_CHARS) == long[: FIELD_CHARS - 1] + "…"  # the cut falls on a space


def test_the_same_long_text_twice_in_a_record_counts_once(template: str) -> None:
    long = _words(300, "abcd")
    reviews = [_review(1, long, note_copy=long)]
    full = _note(reviews, [])
    note = _render(template, reviews, [], len(full) - 1)
    assert f"1 long text cut to {FIELD_CHARS} characters" in note
    assert reviews[0]["note_copy"] == shorten(long, FIELD_CHARS)
    assert reviews[0]["link"] == "../blob/c/.micromoment/reviews/r1.md"


def _fitting(body: str, tail: str) -> int:
    """The limit that `body` and the cut line `tail` (which names that limit) just meet."""
    limit = 0
    while len(body + tail.format(limit=limit)) != limit:
        limit = len(body + tail.format(limit=limit))
    return limit


def test_details_go_from_the_last_review_first(template: str) -> None:
    bodies = [_words(50, f"r{n:03}")[:250] for n in range(1, 7)]
    reviews = [_review(n, body) for n, body in enumerate(bodies, 1)]
    full = _note(reviews, [])
    for keep in range(5):  # with five, the note and its cut line would outgrow the full note
        expected_reviews = [_review(n, body, show_details=n <= keep) for n, body in enumerate(bodies, 1)]
        body = _note(expected_reviews, [])
        dropped = 6 - keep
        tail = (
            f"\n{SHORTENED} {len(full):,} characters, the limit {{limit:,}}): "
            f"the answers of {dropped} review{'s' if dropped > 1 else ''} left out. "
            "Read them in full in the records' files: "
            + ", ".join(_md(n) for n in range(keep + 1, min(6, keep + 5) + 1))
            + (f" and {dropped - 5} more" if dropped > 5 else "")
            + ", under `.micromoment/reviews/`.\n"
        )
        # The note with `keep` reviews' details just fits: one more would not.
        limit = _fitting(body, tail)
        assert limit < len(full)
        fresh = [_review(n, b) for n, b in enumerate(bodies, 1)]
        assert _render(template, fresh, [], limit) == body + tail.format(limit=limit)
        fresh = [_review(n, b) for n, b in enumerate(bodies, 1)]
        tighter = _render(template, fresh, [], limit - 1)
        assert len(tighter) <= limit - 1
        assert bodies[keep - 1] not in tighter if keep else "6 whole review sections left out" in tighter


def test_whole_sections_go_when_details_are_not_enough(template: str) -> None:
    bodies = [_words(50, f"r{n:03}")[:250] for n in range(1, 4)]
    reviews = [_review(n, body, title=f"R{n} " + "t" * 200) for n, body in enumerate(bodies, 1)]
    full = _note(reviews, [])
    shown = [{**r, "show": n == 1, "show_details": False} for n, r in enumerate(reviews, 1)]
    body = _note(shown, [])
    tail = (
        f"\n{SHORTENED} {len(full):,} characters, the limit {{limit:,}}): the answers of 1 review left out; "
        f"2 whole review sections left out. Read them in full in the records' files: {_md(2)}, {_md(3)}, "
        f"{_md(1)}, under `.micromoment/reviews/`.\n"
    )
    limit = _fitting(body, tail)
    fresh = [_review(n, b, title=f"R{n} " + "t" * 200) for n, b in enumerate(bodies, 1)]
    assert _render(template, fresh, [], limit) == body + tail.format(limit=limit)


BLOCKS = "<details>\n\n```\n{% for s in note.skips %}\n{{ s.reason }}\n\n{% endfor %}\n```\n\n</details>\n"


@pytest.mark.parametrize(
    ("limit", "kept", "dropped"),
    [
        (628, 8, 0),
        (627, 3, 373),
        (621, 3, 373),  # exactly the limit
        (620, 2, 444),
        (550, 2, 444),
        (549, 1, 515),
        (479, 1, 515),
        (478, 0, 590),  # the open <details> alone is kept, and closed
        (300, 0, 628),
    ],
)
def test_the_last_resort_cuts_between_blocks_and_closes_them(
    tmp_path: Path, limit: int, kept: int, dropped: int
) -> None:
    template = tmp_path / "blocks.md.j2"
    template.write_text(BLOCKS, encoding="utf-8")
    reasons = [f"reason {n} " + "x" * 60 for n in range(1, 9)]
    skips = [{**_skip(n, reason), "link": ""} for n, reason in enumerate(reasons, 1)]
    note = render_note(
        Project(tmp_path), {"reviews_dir": REVIEWS, "reviews": [], "skips": skips}, str(template), limit
    )
    if not dropped:
        assert (
            note
            == f"{MARKER}\n<details>\n\n```\n" + "".join(f"{r}\n\n" for r in reasons) + "```\n\n</details>\n"
        )
        return
    files = ", ".join(f".micromoment/reviews/s{n}.yaml" for n in range(1, 6))
    line = (
        f"{SHORTENED} 628 characters, the limit {limit}): the last {dropped} characters left out. "
        f"Read them in full in the records' files: {files} and 3 more, under `.micromoment/reviews/`.\n"
    )
    blocks = "\n\n".join(reasons[:kept])
    if kept:  # the open code fence and <details> are closed after the last whole block
        head = f"<details>\n\n```\n{blocks}\n```\n\n</details>"
    else:
        head = "<details>\n\n</details>" if dropped < 628 else ""
    assert note == f"{MARKER}\n{head}\n\n{line}"
    assert len(note) <= limit or dropped == 628  # nothing but the line is left: it is said in full


def test_shortened_cuts_only_long_typed_text_and_counts_each_text_once() -> None:
    from micromoment.forge.note import _shortened

    long = "@team " + _words(70, "word")  # 355 characters
    other = _words(61, "text")  # 304
    url = "https://example.com/" + "a" * 300
    view = {
        **{key: "p" * 400 for key in ("path", "link", "record", "marker")},
        "evidence": url,
        "note": long,
        "exact": "x" * FIELD_CHARS,
        "over": "y" * (FIELD_CHARS + 1),
        "rows": [{"evidence": other, "n": 1}, long],
        "count": 7,
    }
    shortened: set[str] = set()
    assert _shortened(view, "", shortened) == {
        **{key: "p" * 400 for key in ("path", "link", "record", "marker")},
        "evidence": url,
        "note": f"@{ZERO_WIDTH}" + shorten(long, FIELD_CHARS)[1:],
        "exact": "x" * FIELD_CHARS,
        "over": "y" * (FIELD_CHARS - 1) + "…",
        "rows": [
            {"evidence": shorten(other, FIELD_CHARS), "n": 1},
            f"@{ZERO_WIDTH}" + shorten(long, FIELD_CHARS)[1:],
        ],
        "count": 7,
    }
    assert shortened == {long, other, "y" * (FIELD_CHARS + 1)}
    assert _shortened(["z" * 301], "path", set()) == ["z" * 301]  # a list under an own key stays whole


NESTED = (
    "<details>\n\n```\nclosed\n```\n\n</details>\n\n<details>\n\n```\n"
    "{% for s in note.skips %}\n{{ s.reason }}\n\n{% endfor %}\n```\n\n</details>\n"
)
LINES = "{% for s in note.skips %}\n{{ s.reason }}\n{% endfor %}\n"


def _last_resort(tmp_path: Path, template: str, reasons: list[str], limit: int) -> str:
    path = tmp_path / "t.md.j2"
    path.write_text(template, encoding="utf-8")
    skips = [{**_skip(n, reason), "link": ""} for n, reason in enumerate(reasons, 1)]
    return render_note(
        Project(tmp_path), {"reviews_dir": REVIEWS, "reviews": [], "skips": skips}, str(path), limit
    )


def _resort_line(full: int, limit: int, dropped: int, files: int) -> str:
    named = ", ".join(f".micromoment/reviews/s{n}.yaml" for n in range(1, min(files, 5) + 1))
    more = f" and {files - 5} more" if files > 5 else ""
    return (
        f"{SHORTENED} {full:,} characters, the limit {limit:,}): the last {dropped:,} characters left out. "
        f"Read them in full in the records' files: {named}{more}, under `.micromoment/reviews/`.\n"
    )


@pytest.mark.parametrize("kept", [1, 2, 3])
def test_the_last_resort_closes_an_open_fence_and_only_the_open_details(tmp_path: Path, kept: int) -> None:
    reasons = [f"reason {n} " + "x" * 60 for n in range(1, 13)]
    opening = f"{MARKER}\n<details>\n\n```\nclosed\n```\n\n</details>\n\n<details>\n\n```\n"
    full = opening + "".join(f"{r}\n\n" for r in reasons) + "```\n\n</details>\n"
    assert _last_resort(tmp_path, NESTED, reasons, len(full)) == full
    head = opening + "\n\n".join(reasons[:kept])
    dropped = len(full) - len(head)
    closed = head + "\n```\n\n</details>"
    limit = len(closed + "\n\n" + _resort_line(len(full), 1000, dropped, 12))
    assert _last_resort(tmp_path, NESTED, reasons, limit) == closed + "\n\n" + _resort_line(
        len(full), limit, dropped, 12
    )


def test_the_last_resort_keeps_closed_fences_as_they_are(tmp_path: Path) -> None:
    reasons = [f"reason {n} " + "x" * 60 for n in range(1, 13)]
    opening = f"{MARKER}\n<details>\n\n```\nclosed\n```\n\n</details>\n\n<details>"
    full = opening + "\n\n```\n" + "".join(f"{r}\n\n" for r in reasons) + "```\n\n</details>\n"
    closed = opening + "\n\n</details>\n\n"
    limit = len(closed + _resort_line(len(full), 1000, len(full) - len(opening), 12))
    line = _resort_line(len(full), limit, len(full) - len(opening), 12)
    assert _last_resort(tmp_path, NESTED, reasons, limit) == closed + line


@pytest.mark.parametrize("slack", [0, 20])  # a limit that falls mid-line keeps whole lines only
@pytest.mark.parametrize("end", ["  ", "X", ""])  # what the template writes after each line
@pytest.mark.parametrize("kept", [1, 4])
def test_without_blank_lines_the_last_resort_cuts_between_lines(
    tmp_path: Path, kept: int, end: str, slack: int
) -> None:
    reasons = [f"reason {n:02} " + "x" * 40 for n in range(1, 21)]
    full = f"{MARKER}\n" + "".join(f"{r}{end}\n" for r in reasons)
    head = f"{MARKER}\n" + "\n".join(r + end for r in reasons[:kept])
    dropped = len(full) - len(head)
    limit = len(head + "\n\n" + _resort_line(len(full), 100, dropped, 20)) + slack
    expected = head + "\n\n" + _resort_line(len(full), limit, dropped, 20)
    template = LINES.replace("{{ s.reason }}", "{{ s.reason }}" + end)
    assert _last_resort(tmp_path, template, reasons, limit) == expected


# A team template that shows every review's answers whatever show_details says, and reads note.cut.
TEAM = """\
{% for r in note.reviews %}
{% if r.show %}
## {{ r.title }}
{{ r.body }}
{% endif %}
{% endfor %}
{% if note.cut %}
cut: {{ note.cut.details }} {{ note.cut.reviews }} {{ note.cut.fields }}
{% endif %}
end  
"""  # noqa: W291 - the trailing spaces are the template's own and must survive the cut line


def test_a_template_that_ignores_show_details_loses_whole_sections_instead(tmp_path: Path) -> None:
    path = tmp_path / "team.md.j2"
    path.write_text(TEAM, encoding="utf-8")
    bodies = [_words(50, f"r{n:03}")[:250] for n in range(1, 7)]
    reviews = [_review(n, body) for n, body in enumerate(bodies, 1)]
    full = render_note(
        Project(tmp_path),
        {"reviews_dir": REVIEWS, "reviews": reviews, "skips": [], "cut": None},
        str(path),
        10**6,
    )
    assert full == MARKER + "\n" + "".join(f"## R{n}\n{b}\n" for n, b in enumerate(bodies, 1)) + "end  \n"
    shown = 2
    body = MARKER + "\n" + "".join(f"## R{n}\n{b}\n" for n, b in enumerate(bodies[:shown], 1))
    body += f"cut: 0 {6 - shown} 0\nend  "
    tail = (
        f"\n\n{SHORTENED} {len(full):,} characters, the limit {{limit:,}}): "
        f"{6 - shown} whole review sections left out. Read them in full in the records' files: "
        + ", ".join(_md(n) for n in range(shown + 1, 7))
        + ", under `.micromoment/reviews/`.\n"
    )
    limit = _fitting(body, tail)
    fresh = [_review(n, b) for n, b in enumerate(bodies, 1)]
    view = {"reviews_dir": REVIEWS, "reviews": fresh, "skips": [], "cut": None}
    assert render_note(Project(tmp_path), view, str(path), limit) == body + tail.format(limit=limit)
    assert [r["show_details"] for r in fresh] == [True] * 6  # put back: the template never used it


def test_the_cut_a_team_template_reads_counts_each_kind(tmp_path: Path) -> None:
    path = tmp_path / "team.md.j2"
    path.write_text(TEAM.replace("{{ r.body }}", "{% if r.show_details %}{{ r.body }}{% endif %}"), "utf-8")
    bodies = [_words(50, f"r{n:03}")[:250] for n in range(1, 7)]
    view = {
        "reviews_dir": REVIEWS,
        "reviews": [_review(n, b) for n, b in enumerate(bodies, 1)],
        "skips": [],
        "cut": None,
    }
    note = render_note(Project(tmp_path), view, str(path), 1400)
    assert "\ncut: 3 0 0\nend  \n\n" in note  # three reviews keep their answers, three lose them
    kept = [(True, True)] * 3 + [(True, False)] * 3
    assert [(r["show"], r["show_details"]) for r in view["reviews"]] == kept


def test_a_note_cut_to_exactly_the_limit_is_kept(template: str) -> None:
    long = _words(300, "abcd")
    reviews = [_review(1, long), _review(2, "short")]
    cut = _note([_review(1, shorten(long, FIELD_CHARS)), _review(2, "short")], [])
    tail = (
        f"\n{SHORTENED} {len(_note(reviews, [])):,} characters, the limit {{limit:,}}): "
        f"1 long text cut to {FIELD_CHARS} characters (ending in …). "
        f"Read them in full in the records' files: {_md(1)}, under `.micromoment/reviews/`.\n"
    )
    limit = _fitting(cut, tail)
    assert _render(template, reviews, [], limit) == cut + tail.format(limit=limit)


def test_lists_under_own_keys_stay_as_they_are() -> None:
    assert _inert({"path": ["@a", "@b"], "links": ["@c"]}) == {
        "path": ["@a", "@b"],
        "links": [f"@{ZERO_WIDTH}c"],
    }
    assert _inert("@x", "link") == "@x"


def test_a_long_path_and_link_are_never_cut(template: str) -> None:
    long = _words(300, "abcd")
    folder = "/".join(["folder"] * 50)  # 349 characters, longer than FIELD_CHARS
    review = {**_review(1, long), "path": f"{folder}/r1.yaml", "link": f"../blob/c/{folder}/r1.md"}
    note = _render(template, [review], [], len(_note([review], [])) - 1)
    assert f"[{folder}/r1.md](<../blob/c/{folder}/r1.md>)" in note
    assert review["path"] == f"{folder}/r1.yaml"
