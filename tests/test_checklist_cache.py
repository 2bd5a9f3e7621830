"""The checklist cache behind `list` and `show`: the same answer as a full load, never a stale or damaged one."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli, write
from micromoment.checklists import DEFAULT_CHECKLIST, load_catalog
from micromoment.checklists.cache import CACHE_FILE, cache_key
from micromoment.cli import checklist_commands
from micromoment.locations import Project

OWN = 'id: own\ntitle: {title}\nversion: "1"\nitems:\n  - {{id: a, question: Q?, owner: pm, minutes: 1.5}}\n'


def cache_file(repo: Path) -> Path:
    return repo / ".git" / "micromoment" / CACHE_FILE


def listed(cli: Cli) -> list[dict[str, object]]:
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def test_cached_list_and_show_print_what_a_full_load_prints(cli: Cli, repo: Path) -> None:
    write(repo / ".micromoment/checklists/own.yaml", OWN.format(title="Own"))
    first = listed(cli)
    assert cache_file(repo).is_file()
    assert listed(cli) == first
    assert [
        (e["id"], e["items"], e["minutes"], e["source"]) for e in first if e["id"] in ("own", "quick")
    ] == [
        ("own", 1, 1.5, "repo"),
        ("quick", 4, 2, "built-in"),
    ]
    catalog = load_catalog(Project(repo))
    shown = json.loads(cli("show", "quick", "--json").output)
    checklist = catalog.get("quick")
    assert shown == {
        **checklist.model_dump(mode="json", by_alias=True, exclude_none=True),
        "minutes": checklist.minutes,
        "content_hash": checklist.content_hash(),
        "source": "built-in",
        "path": str(catalog.entry("quick").path),
    }
    text = cli("show", "own").output
    assert "Own (own 1) · 1 items · about 1.5 min" in text
    assert "owner: pm · 1.5 min · confirm" in text


def test_an_edit_of_the_same_size_is_seen_at_once(cli: Cli, repo: Path) -> None:
    own = write(repo / ".micromoment/checklists/own.yaml", OWN.format(title="Alpha"))
    assert [e["title"] for e in listed(cli) if e["id"] == "own"] == ["Alpha"]
    stat = own.stat()
    own.write_text(OWN.format(title="Gamma"), encoding="utf-8")
    import os

    os.utime(own, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime: only content differs
    assert [e["title"] for e in listed(cli) if e["id"] == "own"] == ["Gamma"]


def test_a_damaged_cache_is_rebuilt_not_believed(cli: Cli, repo: Path) -> None:
    first = listed(cli)
    path = cache_file(repo)
    path.write_text(path.read_text(encoding="utf-8").replace("Two-minute check", "Two-minute chuck"), "utf-8")
    assert listed(cli) == first
    assert "Two-minute chuck" not in path.read_text(encoding="utf-8")
    path.write_text("{not json", encoding="utf-8")
    assert listed(cli) == first
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == cache_key(repo)


def test_a_broken_checklist_is_reported_even_after_a_good_cache(cli: Cli, repo: Path) -> None:
    own = write(repo / ".micromoment/checklists/own.yaml", OWN.format(title="Own"))
    listed(cli)
    own.write_text(OWN.format(title="Own").replace("minutes: 1.5", "minutes: 0"), encoding="utf-8")
    for args in (["list"], ["show", "quick"]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "own.yaml:5" in result.output and "minutes" in result.output


def test_an_unknown_id_names_the_closest(cli: Cli, repo: Path) -> None:
    result = cli("show", "quik")
    assert result.exit_code == 2
    assert "no checklist with id 'quik'; did you mean quick?" in result.output


def test_outside_a_repository_the_user_cache_holds_it(cli: Cli, outside: Path) -> None:
    first = listed(cli)
    folder = Path(__import__("os").environ["XDG_CACHE_HOME"]) / "micromoment"
    assert len(list(folder.glob("checklists-*.json"))) == 1
    assert listed(cli) == first


def test_the_commands_default_is_the_checklists_default() -> None:
    assert checklist_commands.DEFAULT_CHECKLIST == DEFAULT_CHECKLIST
