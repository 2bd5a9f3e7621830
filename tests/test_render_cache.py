"""`render`'s cache under the git directory: a warm run prints what a cold one does, and anything
that shapes the Markdown (the record, a template, a checklist, the config) or a damaged entry
means rendering afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, write
from micromoment.records import record_files
from micromoment.records.render_cache import REVIEW, SKIP, digest, record_paths

CACHE = Path(".git/micromoment/rendered")


def new_record(cli: Cli, repo: Path, subject: str = "the summary prompt") -> Path:
    answers = write(repo / "answers.yaml", "data-kind: none\nfacts-checked: no\n")
    result = cli("review", "mini", "--answers", str(answers), "--subject", subject)
    assert result.exit_code in (0, 1), result.output
    return sorted((repo / ".micromoment/reviews").glob("*-mini-*.yaml"))[-1]


def entries(repo: Path) -> dict[str, Path]:
    """Every cached record entry by name (the hash of the record's bytes)."""
    return {p.name: p for p in (repo / CACHE).glob("*/*") if p.name != "reviews-dir"}


def cold(cli: Cli, repo: Path, *args: str) -> str:
    """What `render ARGS --out -` prints with no cache at all."""
    import shutil

    shutil.rmtree(repo / CACHE, ignore_errors=True)
    result = cli("render", *args, "--out", "-")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_warm_render_prints_the_bytes_a_cold_one_does(cli: Cli, mini: Path) -> None:
    path = new_record(cli, mini)
    beside = path.with_suffix(".md").read_text(encoding="utf-8")  # what `review` wrote
    first = cold(cli, mini, path.stem)
    assert first == beside
    [entry] = entries(mini).values()
    assert entry.name == digest(path.read_bytes())
    assert entry.read_text(encoding="utf-8") == f"{REVIEW} {digest(first.encode())}\n{first}"
    for ref in (path.stem, str(path), str(path.with_suffix(".md")), path.stem[:-2]):
        warm = cli("render", ref, "--out", "-")
        assert warm.exit_code == 0, warm.output
        assert warm.stdout == first, ref


def test_warm_renders_to_files_write_the_same_bytes_and_messages(
    cli: Cli, mini: Path, tmp_path: Path
) -> None:
    path = new_record(cli, mini)
    markdown = path.with_suffix(".md")
    expected = markdown.read_bytes()
    for attempt in ("cold", "warm"):
        markdown.unlink()
        result = cli("render")
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == [
            f"rendered .micromoment/reviews/{markdown.name}",
            "1 of 1 record rendered; the rest were up to date",
        ], attempt
        assert markdown.read_bytes() == expected, attempt
        again = cli("render", path.stem)
        assert again.stderr.splitlines() == ["0 of 1 record rendered; the rest were up to date"], attempt
        target = tmp_path / f"{attempt}.md"
        assert cli("render", path.stem, "--out", str(target)).exit_code == 0
        assert target.read_bytes() == expected, attempt
    assert len(entries(mini)) == 1


def test_a_changed_record_renders_afresh(cli: Cli, mini: Path) -> None:
    path = new_record(cli, mini)
    before = cold(cli, mini, path.stem)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("subject: the summary prompt", "subject: the search prompt"), encoding="utf-8"
    )
    warm = cli("render", path.stem, "--out", "-")
    assert warm.exit_code == 0, warm.output
    assert "the search prompt" in warm.stdout and warm.stdout != before
    assert warm.stdout == cold(cli, mini, path.stem)


def test_a_changed_team_template_renders_afresh(cli: Cli, mini: Path) -> None:
    path = new_record(cli, mini)
    template = write(mini / ".micromoment/templates/review.md.j2", "# {{ view.record.subject }}\n")
    assert cold(cli, mini, path.stem) == "# the summary prompt\n"
    template.write_text("## {{ view.record.subject }} ({{ view.summary.no }} no)\n", encoding="utf-8")
    assert cli("render", path.stem, "--out", "-").stdout == "## the summary prompt (1 no)\n"
    # A template the first one includes counts as much as the one named.
    template.write_text('{% include "part.j2" %}', encoding="utf-8")
    part = write(mini / ".micromoment/templates/part.j2", "part one\n")
    assert cli("render", path.stem, "--out", "-").stdout == "part one\n"
    part.write_text("part two\n", encoding="utf-8")
    assert cli("render", path.stem, "--out", "-").stdout == "part two\n"


def test_a_changed_checklist_or_config_renders_afresh(cli: Cli, mini: Path) -> None:
    path = new_record(cli, mini)
    before = cold(cli, mini, path.stem)
    checklist = mini / ".micromoment/checklists/mini.yaml"
    checklist.write_text(
        checklist.read_text(encoding="utf-8").replace("Did you check the facts", "Did you verify the facts"),
        encoding="utf-8",
    )
    warm = cli("render", path.stem, "--out", "-")
    # The record answered the checklist as it was; its Markdown now says the checklist changed.
    assert "since changed" in warm.stdout and "since changed" not in before
    write(mini / ".micromoment/config.yaml", "version: 1\nreviews_dir: elsewhere/reviews\n")
    moved = cli("render", path.stem, "--out", "-")
    assert moved.exit_code == 2  # the id is now looked for where the config says records live
    assert "no such record in elsewhere/reviews" in moved.stderr


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace("the summary prompt", "a wrong answer"),
        lambda text: text[: len(text) // 2],
        lambda text: "",
        lambda text: SKIP + "\n",
        lambda text: "\ufffd" + text,
    ],
)
def test_a_damaged_cache_entry_renders_afresh_and_is_mended(cli: Cli, mini: Path, damage: object) -> None:
    path = new_record(cli, mini)
    right = cold(cli, mini, path.stem)
    [entry] = entries(mini).values()
    good = entry.read_bytes()
    entry.write_text(damage(good.decode()), encoding="utf-8")  # type: ignore[operator]
    warm = cli("render", path.stem, "--out", "-")
    assert warm.exit_code == 0, warm.output
    assert warm.stdout == right
    assert entry.read_bytes() == good


def test_a_damaged_reviews_dir_entry_is_not_trusted(cli: Cli, mini: Path) -> None:
    path = new_record(cli, mini)
    right = cold(cli, mini, path.stem)
    [where] = (mini / CACHE).glob("*/reviews-dir")
    where.write_text(where.read_text(encoding="utf-8").replace(".micromoment/reviews", "x"), encoding="utf-8")
    assert cli("render", path.stem, "--out", "-").stdout == right


def test_a_record_that_fails_validation_is_never_cached(cli: Cli, mini: Path) -> None:
    path = new_record(cli, mini)
    cold(cli, mini, path.stem)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("kind: review", "kind: review\nunknown_key: 1"), encoding="utf-8")
    messages = set()
    for _ in range(2):
        result = cli("render", path.stem, "--out", "-")
        assert result.exit_code == 2
        assert "unknown_key" in result.stderr and "Traceback" not in result.stderr
        messages.add(result.stderr)
    assert len(messages) == 1
    assert digest(path.read_bytes()) not in entries(mini)


def test_a_named_skip_record_keeps_its_message_and_no_arguments_pass_it_over(cli: Cli, mini: Path) -> None:
    new_record(cli, mini)
    assert cli("skip", "quick", "--reason", "only the README wording changed in this commit").exit_code == 0
    [skip] = (mini / ".micromoment/reviews").glob("*-skip-*.yaml")
    for _ in range(2):
        all_records = cli("render")
        assert all_records.exit_code == 0, all_records.output
        assert all_records.stderr.splitlines() == ["0 of 1 record rendered; the rest were up to date"]
    assert entries(mini)[digest(skip.read_bytes())].read_text(encoding="utf-8") == SKIP + "\n"
    for _ in range(2):
        named = cli("render", skip.stem)
        assert named.exit_code == 2 and "is a skip record, not a review" in named.stderr


def test_a_template_given_as_a_file_and_a_folder_outside_git_use_no_cache(
    cli: Cli, mini: Path, tmp_path: Path
) -> None:
    path = new_record(cli, mini)
    template = write(tmp_path / "own.j2", "{{ view.record.subject }}\n")
    assert (
        cli("render", path.stem, "--template", str(template), "--out", "-").stdout == "the summary prompt\n"
    )
    template.write_text("changed {{ view.record.subject }}\n", encoding="utf-8")
    out = cli("render", path.stem, "--template", str(template), "--out", "-")
    assert out.stdout == "changed the summary prompt\n"
    assert not entries(mini)


def test_outside_a_repository_nothing_is_cached(cli: Cli, outside: Path, tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "mini.yaml"
    write(outside / ".micromoment/checklists/mini.yaml", fixtures.read_text(encoding="utf-8"))
    answers = write(outside / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    assert cli("review", "mini", "--answers", str(answers), "--no-git").exit_code == 0
    for _ in range(2):
        result = cli("render", "--out", "-")
        assert result.exit_code == 0, result.output
    assert not [p for p in tmp_path.rglob("*") if "rendered" in p.parts]


@pytest.mark.xfail(
    strict=True,
    reason="render_cache.record_paths still globs *.yaml alone; it should call records.listing.record_files",
)
def test_record_paths_lists_what_record_files_does(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yaml", ".hidden.yaml", "c.yml", "d.md", "e.yaml.tmp"):
        write(tmp_path / name, "x\n")
    (tmp_path / "folder.yaml").mkdir()
    assert list(record_paths(tmp_path)) == list(record_files(tmp_path))
    assert [p.name for p in record_paths(tmp_path)] == ["a.yaml", "b.yaml", "folder.yaml"]
    assert list(record_paths(tmp_path / "missing")) == []


def test_the_cli_and_the_renderer_name_the_same_built_in_template() -> None:
    from micromoment.cli.render_commands import REVIEW_TEMPLATE as CLI_TEMPLATE
    from micromoment.records.render import REVIEW_TEMPLATE

    assert CLI_TEMPLATE == REVIEW_TEMPLATE
