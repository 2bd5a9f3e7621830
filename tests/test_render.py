"""The Markdown record: escaped, deterministic, overridable, sandboxed; and `micromoment render`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from conftest import PATIENCE, Cli, write

HOSTILE = [
    "pipes | split | cells",
    "`code` and ``more``",
    "**bold** and *emphasis* and _under_",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "line one\nline two\n\n# heading?",
    "[click](javascript:alert(1)) and ![img](http://x/y.png)",
    "1. not a list",
    "- not a bullet",
    "&amp; entities &lt;b&gt;",
    "back\\slash and trailing \\",
]


def record_with_note(cli: Cli, repo: Path, note: str) -> Path:
    answers = write(
        repo / "answers.yaml",
        "data-kind: none\n"
        + "facts-checked:\n  answer: no\n  note: "
        + _yaml_string(note)
        + "\n  evidence: "
        + _yaml_string(note)
        + "\n  follow_up: {action: "
        + _yaml_string(note)
        + ", owner: "
        + _yaml_string(note)
        + "}\n"
        + "reviewer: {answer: skip, reason: "
        + _yaml_string(note)
        + "}\n",
    )
    result = cli("review", "mini", "--answers", str(answers), "--subject", note.replace("\n", " "))
    assert result.exit_code == 0, result.output
    [path] = sorted((repo / ".micromoment/reviews").glob("*.md"))
    return path


def _yaml_string(text: str) -> str:
    import json

    return json.dumps(text)  # JSON strings are YAML strings


def GFM() -> MarkdownIt:
    """CommonMark with GitHub's tables and strikethrough, as GitHub renders a record."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def table_rows(tokens: list[Token]) -> list[list[str]]:
    rows, current = [], None
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            current = []
        elif token.type in ("td_open", "th_open"):
            assert current is not None
            current.append(tokens[index + 1].content)
        elif token.type == "tr_close":
            rows.append(current)
    return rows


def html_tags(tokens: list[Token]) -> list[str]:
    found = []
    for token in tokens:
        for child in [token, *(token.children or [])]:
            if child.type in ("html_inline", "html_block"):
                found.append(child.content)
    return found


@pytest.mark.parametrize("note", HOSTILE)
def test_hostile_text_stays_in_its_cell_and_never_becomes_html(cli: Cli, mini: Path, note: str) -> None:
    markdown = record_with_note(cli, mini, note).read_text(encoding="utf-8")
    tokens = GFM().parse(markdown)
    assert set(html_tags(tokens)) <= {"<br>"}, html_tags(tokens)
    rows = table_rows(tokens)
    assert all(len(row) == 5 for row in rows)  # no text ever adds or removes a cell
    answers_header = rows.index(["#", "Question", "Answer", "Note", "Evidence"])
    follow_up_header = rows.index(["#", "Action", "Owner", "Due", "Status"])
    facts_row = next(
        row for row in rows[answers_header:follow_up_header] if row[1].startswith("Did you check the facts")
    )
    assert facts_row[2] == "no"
    assert len(rows) - follow_up_header == 2 and rows[-1][4] == "open"
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [t.tag for t in headings].count("h1") == 1  # the note's "# heading?" did not make one
    rendered = GFM().render(markdown)
    assert "<script" not in rendered and "<img" not in rendered and 'href="javascript' not in rendered


def test_the_same_record_renders_to_the_same_bytes(cli: Cli, mini: Path) -> None:
    path = record_with_note(cli, mini, "a note")
    original = path.read_bytes()
    result = cli("render", path.stem)
    assert result.exit_code == 0, result.output
    assert "0 of 1 record rendered; the rest were up to date" in result.stderr
    assert path.read_bytes() == original
    out = cli("render", str(path.with_suffix(".yaml")), "--out", "-")
    assert out.stdout.encode() == original
    short = cli("render", path.stem.rsplit("-", 1)[1], "--out", "-")  # the id's random end names it
    assert short.exit_code == 0, short.output
    assert short.stdout.encode() == original


def test_the_real_process_hands_over_every_byte_before_it_ends(cli: Cli, mini: Path) -> None:
    # `render` ends without the interpreter's teardown: its output, held in Python's buffer when
    # it goes to a pipe, is flushed first. `show` and `list` end as any command does.
    path = record_with_note(cli, mini, "a note")
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "micromoment", *args]
        return subprocess.run(
            command, cwd=mini, env=buffered, capture_output=True, text=True, timeout=PATIENCE
        )

    done = run("render", path.stem, "--out", "-")
    assert (done.returncode, done.stdout.encode()) == (0, path.read_bytes())
    for command in (["show", "mini"], ["list"]):
        assert run(*command).stdout == cli(*command).stdout


def test_the_markdown_numbers_items_by_their_place_and_names_what_was_left_out(cli: Cli, mini: Path) -> None:
    markdown = record_with_note(cli, mini, "a note").read_text(encoding="utf-8")
    table = markdown.split("## Answers\n\n")[1].split("\n\n")[0].splitlines()[2:]
    # data-masked, asked only for customer data, keeps its number 2 to itself
    assert [row.split(" | ")[0] for row in table] == ["| 1", "| 3", "| 4"]
    assert (
        "\nLeft out, as an earlier answer made them not apply: 2. Did you mask the customer data?\n"
        in markdown
    )


def test_render_restores_missing_and_stale_markdown(cli: Cli, mini: Path) -> None:
    path = record_with_note(cli, mini, "a note")
    original = path.read_bytes()
    path.unlink()
    result = cli("render")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == original
    path.write_text("edited by hand\n", encoding="utf-8")
    assert cli("render").exit_code == 0
    assert path.read_bytes() == original


def test_a_team_template_wins_by_name(cli: Cli, mini: Path) -> None:
    write(
        mini / ".micromoment/templates/review.md.j2",
        "# {{ view.record.subject }} ({{ view.summary.no }} no)\n",
    )
    path = record_with_note(cli, mini, "note")
    assert path.read_text(encoding="utf-8") == "# note (1 no)\n"
    write(mini / "other.j2", "{% for row in view.rows %}{{ row.item }}={{ row.answer }};{% endfor %}")
    out = cli("render", path.stem, "--template", "other.j2", "--out", "-")
    assert out.stdout == "data-kind=none;facts-checked=no;reviewer=skipped;\n"


@pytest.mark.parametrize(
    "attack",
    [
        "{{ view.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ view.rows.append(1) }}",
    ],
)
def test_sandbox_escapes_are_refused_with_the_template_line(cli: Cli, mini: Path, attack: str) -> None:
    path = record_with_note(cli, mini, "note")
    write(mini / ".micromoment/templates/review.md.j2", "# fine\n\n" + attack + "\n")
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 2
    assert result.stderr.startswith(".micromoment/templates/review.md.j2:3:")
    assert "uid=" not in result.output


def test_template_syntax_and_name_errors_name_the_template(cli: Cli, mini: Path) -> None:
    path = record_with_note(cli, mini, "note")
    write(mini / ".micromoment/templates/review.md.j2", "line\n{% if %}\n")
    result = cli("render", path.stem)
    assert result.exit_code == 2 and result.stderr.startswith(
        ".micromoment/templates/review.md.j2:2: template error"
    )
    write(mini / ".micromoment/templates/review.md.j2", "one\ntwo\n{{ view.nothing_here }}\n")
    result = cli("render", path.stem)
    assert result.exit_code == 2 and result.stderr.startswith(
        ".micromoment/templates/review.md.j2:3: template error"
    )
    missing = cli("render", path.stem, "--template", "nope.j2")
    assert missing.exit_code == 2 and "no template 'nope.j2'" in missing.stderr


def test_a_template_error_during_review_writes_nothing(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/templates/review.md.j2", "{{ view.missing_key }}\n")
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    result = cli("review", "mini", "--answers", str(answers))
    assert result.exit_code == 2
    assert (
        not list((mini / ".micromoment/reviews").glob("*"))
        if (mini / ".micromoment/reviews").exists()
        else True
    )


def test_render_names_unknown_records(cli: Cli, mini: Path) -> None:
    result = cli("render", "2020-01-01-nothing")
    assert result.exit_code == 2 and "no such record" in result.stderr


RUNAWAY = [
    (
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
        "range limit of 10,000 items",
    ),
    (
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "loop limit of 100,000 iterations",
    ),
    (
        "{% set s = 'ab' * 500 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "loop limit of 100,000 iterations",
    ),
    (
        "{{ 'a' * 3000000000 }}",
        "size limit of 1,000,000 characters or items (a `*` would make 3,000,000,000)",
    ),
    ("{{ [1, 2] * 600000 }}", "size limit of 1,000,000 characters or items (a `*` would make 1,200,000)"),
    ("{{ 10 ** 3000000 }}", "number limit of 4,000 digits"),
    ("{{ ('9' * 4000)|int * ('9' * 4000)|int }}", "number limit of 4,000 digits"),
    (
        "{% set s = 'a' * 600000 %}{{ s + s }}",
        "size limit of 1,000,000 characters or items (a `+` would make 1,200,000)",
    ),
    (
        "{{ (['a' * 100000] * 100)|join }}",
        "size limit of 1,000,000 characters or items (a `*` would make 10,000,100)",
    ),
    (
        "{{ ('a,' * 400000).split(',')|join('xyz') }}",
        "size limit of 1,000,000 characters or items (`join` would make 1,600,003)",
    ),
    (
        "{{ 'x'.ljust(2000000000) }}",
        "size limit of 1,000,000 characters or items (`ljust` would make 2,000,000,000)",
    ),
    (
        "{{ 'x'.zfill(2000000000) }}",
        "size limit of 1,000,000 characters or items (`zfill` would make 2,000,000,000)",
    ),
    (
        "{{ ('x' * 1000).replace('', 'y' * 1000) }}",
        "size limit of 1,000,000 characters or items (`replace` would make 1,002,000)",
    ),
    (
        "{{ ('a' * 999999)|replace('a', 'bb') }}",
        "size limit of 1,000,000 characters or items (a filter would make 1,999,998)",
    ),
    (
        "{{ 'a'|center(3000000000) }}",
        "size limit of 1,000,000 characters or items (`center` would make 3,000,000,000)",
    ),
    (
        "{{ '%3000000000s' % 'a' }}",
        "size limit of 1,000,000 characters or items (a format width would make 3,000,000,000)",
    ),
    (
        "{{ '{:>3000000000}'.format('a') }}",
        "size limit of 1,000,000 characters or items (a format width would make 3,000,000,000)",
    ),
    (
        "{{ '{:>{}}'.format('a', 3000000000) }}",
        "size limit: widths taken from arguments (`{:{}}`) are not allowed; write the width",
    ),
    (
        "{{ '%*s' % (3000000000, 'a') }}",
        "size limit: `%*` widths are not allowed in templates; write the width",
    ),
]


@pytest.mark.parametrize(("body", "limit"), RUNAWAY)
def test_a_runaway_template_stops_at_its_named_limit(cli: Cli, mini: Path, body: str, limit: str) -> None:
    path = record_with_note(cli, mini, "note")
    write(mini / ".micromoment/templates/review.md.j2", "# fine\n" + body + "\n")
    started = time.perf_counter()
    result = cli("render", path.stem, "--out", "-")
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2
    assert result.stderr == (
        f".micromoment/templates/review.md.j2:2: the template went over its {limit}; "
        "make it loop, repeat or print less\n"
    )
    assert result.stdout == ""


def test_long_output_stops_at_the_output_limit(cli: Cli, mini: Path) -> None:
    path = record_with_note(cli, mini, "note")
    write(
        mini / ".micromoment/templates/review.md.j2",
        "# fine\n{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}\n",
    )
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 2
    assert result.stderr == (
        ".micromoment/templates/review.md.j2: the template went over its output limit of 1,000,000 "
        "characters; make it loop, repeat or print less\n"
    )


def test_the_limits_let_a_large_honest_template_through(cli: Cli, mini: Path) -> None:
    path = record_with_note(cli, mini, "note")
    write(
        mini / ".micromoment/templates/review.md.j2",
        "{% for i in range(10000) %}{% for j in range(9) %}{% endfor %}{% endfor %}"
        "{{ 'x' * 999000 }}{{ ('%10s' | format('y'))|length }}{{ '{:>5}'.format('z')|length }}\n",
    )
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == "x" * 999000 + "105\n"


def test_the_time_limit_stops_a_slow_render(cli: Cli, mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from micromoment.records import render

    path = record_with_note(cli, mini, "note")
    monkeypatch.setattr(render, "LIMITS", render.RenderLimits(seconds=0))
    write(mini / ".micromoment/templates/review.md.j2", "# fine\n{{ view.rows|length }}\n")
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 2
    assert "the template went over its time limit of 0 seconds" in result.stderr


def test_render_with_no_arguments_passes_over_skip_records(cli: Cli, mini: Path) -> None:
    answers = write(mini / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers), "--subject", "s").exit_code == 0
    skipped = cli("skip", "quick", "--reason", "only the README wording changed in this commit")
    assert skipped.exit_code == 0, skipped.output
    [review_md] = (mini / ".micromoment/reviews").glob("*-mini-*.md")
    review_md.unlink()
    result = cli("render")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"rendered .micromoment/reviews/{review_md.name}",
        "1 of 1 record rendered; the rest were up to date",
    ]
    assert not list((mini / ".micromoment/reviews").glob("*-skip-*.md"))
    named = cli("render", next((mini / ".micromoment/reviews").glob("*-skip-*.yaml")).stem)
    assert named.exit_code == 2 and "is a skip record, not a review" in named.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (
            b"{{ view.id }}\n" + b"x" * (1024 * 1024),
            "not a readable file of at most 1,048,576 bytes; make it smaller, or remove it to use the built-in",
        ),
        (b"\xff\xfe{{ view.id }}\n", "not UTF-8 text; save the template as UTF-8"),
    ],
    ids=["too-big", "not-utf8"],
)
def test_a_team_template_too_big_or_not_text_is_named_not_read(
    cli: Cli, mini: Path, content: bytes, says: str
) -> None:
    path = record_with_note(cli, mini, "note")
    (mini / ".micromoment/templates").mkdir(parents=True, exist_ok=True)
    (mini / ".micromoment/templates/review.md.j2").write_bytes(content)
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f".micromoment/templates/review.md.j2: {says}"]


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("{{ lipsum(1000000) }}", "template error: 'lipsum' is undefined"),
        ("{{ (1).to_bytes(2000000000, 'big') }}", "the template tried something the sandbox forbids"),
        ("{{ 'ab'.translate({97: 'x' * 999999}) }}", "the template tried something the sandbox forbids"),
        ("{{ ('\t' * 100000).expandtabs(1000) }}", "the template tried something the sandbox forbids"),
        ("{{ ('x'|safe).ljust(2000000000) }}", "the template went over its size limit"),
    ],
)
def test_no_method_or_global_is_a_way_around_the_budget(
    cli: Cli, mini: Path, body: str, refused: str
) -> None:
    path = record_with_note(cli, mini, "note")
    write(mini / ".micromoment/templates/review.md.j2", "# fine\n" + body + "\n")
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 2
    assert result.stderr.startswith(f".micromoment/templates/review.md.j2:2: {refused}"), result.stderr


def test_the_methods_templates_use_still_work(cli: Cli, mini: Path) -> None:
    path = record_with_note(cli, mini, "note")
    body = "{{ 'a b'.split()|join(', ') }} {{ 'x'.upper() }} {{ 'abc'.replace('b', 'B') }} {{ '7'.zfill(3) }}"
    write(mini / ".micromoment/templates/review.md.j2", body + "\n")
    result = cli("render", path.stem, "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == "a, b X aBc 007\n"
