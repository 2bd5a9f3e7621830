"""Translations beside a checklist: held to it by lint, read by show in the chosen language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, Cli, answer_item, ended, git, spawn_micromoment, write
from micromoment.checklists import checklist_files
from micromoment.checklists.translations import check_translation, translations_of
from micromoment.locations import shipped_dir
from micromoment.records import load_record

MINI_PT = (FIXTURES / "mini.pt-BR.yaml").read_text(encoding="utf-8")


def test_every_built_in_ships_in_brazilian_portuguese_and_spanish_matching_it() -> None:
    for path in checklist_files(shipped_dir("checklists")):
        translations = translations_of(path)
        assert [p.name for p in translations] == [f"{path.stem}.es.yaml", f"{path.stem}.pt-BR.yaml"]
        for translation in translations:
            check_translation(path.with_name(translation.name))


def test_lint_names_a_missing_item_options_out_of_order_and_a_stale_version(cli: Cli, mini: Path) -> None:
    broken = (
        MINI_PT.replace('version: "1"', 'version: "0.9"')
        .replace(
            "{none: nenhum, customer data: dados de clientes}",
            "{customer data: dados de clientes, none: nenhum}",
        )
        .replace("  reviewer:\n    question: Quem mais olhou as respostas?\n", "")
    )
    write(mini / ".micromoment/checklists/mini.pt-BR.yaml", broken)
    done = cli("lint")
    assert done.exit_code == 2
    path = ".micromoment/checklists/mini.pt-BR.yaml"
    assert [line for line in done.output.splitlines() if line.startswith(path)] == [
        f"{path}:2:10: version: stale: translates version 0.9 of mini, which is now version 1; "
        "translate what changed and set version: '1'",
        f"{path}:4:1: items: no translation of reviewer",
        f"{path}:7:5: items.data-kind.options: options must be the checklist's, in its order: none, customer data",
    ]
    named = cli("lint", path)
    assert named.exit_code == 2 and named.output.count(path) == 3


def test_show_reads_the_chosen_language_and_falls_back_to_the_checklists_words(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/checklists/mini.pt-BR.yaml", MINI_PT)
    assert cli("lint").exit_code == 0
    shown = json.loads(cli("show", "mini", "--json", "--lang", "pt-BR").stdout)
    assert shown["title"] == "Checagem mínima"
    assert [item["question"] for item in shown["items"]][:2] == [
        "Que dados entram?",
        "Você mascarou os dados de clientes?",
    ]
    assert shown["items"][0]["options"] == ["nenhum", "dados de clientes"]
    assert shown["items"][0]["guidance"] == "Look at one real prompt."  # not translated: as written
    by_env = json.loads(cli("show", "mini", "--json", env={"MICROMOMENT_LANG": "pt-BR"}).stdout)
    assert by_env["title"] == "Checagem mínima" and by_env["content_hash"] == shown["content_hash"]
    by_locale = json.loads(cli("show", "mini", "--json", env={"LC_ALL": "", "LANG": "pt_BR.UTF-8"}).stdout)
    assert by_locale["title"] == "Checagem mínima"
    assert json.loads(cli("show", "mini", "--json", "--lang", "es").stdout)["title"] == "Mini check"

    write(mini / ".micromoment/checklists/mini.pt.yaml", MINI_PT.replace('version: "1"', 'version: "0"'))
    stale = cli("show", "mini", "--json", "--lang", "pt")
    assert json.loads(stale.stdout)["title"] == "Mini check"
    assert stale.stderr == (
        ".micromoment/checklists/mini.pt.yaml:2:10: version: stale: translates version 0 of mini, which is "
        "now version 1; translate what changed and set version: '1' (shown as written; micromoment lint "
        "lists every problem)\n"
    )


def _verdict(cli: Cli) -> list[tuple[str, bool]]:
    data = json.loads(cli("check", "--json").stdout)
    return [(v["checklist"], v["covered"]) for v in data["checklists"]]


def test_a_walk_in_portuguese_is_recorded_and_judged_as_the_english_one(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/checklists/mini.pt-BR.yaml", MINI_PT)
    write(mini / "prompts/support.txt", "Você ajuda com reembolsos.\n")
    child = spawn_micromoment(mini, "review", "mini", "--subject", "Refund prompt", "--lang", "pt-BR")
    child.expect_exact("Checagem mínima")
    child.expect_exact("Que dados entram?")
    child.expect_exact("2. dados de clientes")
    answer_item(child, "1-2", "dados")  # the start of the option as read: "dados de clientes"
    child.expect_exact("Você mascarou os dados de clientes?")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "y / n / na", "y")
    answer_item(child, "Answer", "Sam from support")
    child.expect_exact("Checagem mínima: your answers")
    answer_item(child, "Save this review?", "")
    ended(child, 0)
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    in_portuguese = load_record(path)
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    assert "Checagem mínima: Refund prompt" in markdown and "dados de clientes" in markdown
    assert "Que dados entram?" in markdown
    git(mini, "add", "-A")
    judged = _verdict(cli)

    git(mini, "rm", "-q", "--cached", str(path), str(path.with_suffix(".md")))
    path.unlink()
    path.with_suffix(".md").unlink()
    english = "data-kind: customer data\ndata-masked: yes\nfacts-checked: yes\nreviewer: Sam from support\n"
    answers = write(mini.parent / "answers.yaml", english)
    done = cli("review", "mini", "--answers", str(answers), "--subject", "Refund prompt")
    assert done.exit_code == 0, done.output
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    in_english = load_record(path)
    assert "What data goes in?" in path.with_suffix(".md").read_text(encoding="utf-8")
    assert in_portuguese.checklist == in_english.checklist
    assert [(a.item, a.question, a.answer) for a in in_portuguese.answers] == [
        (a.item, a.question, a.answer) for a in in_english.answers
    ]
    assert in_portuguese.answer("data-kind").answer == "customer data"  # type: ignore[union-attr]
    git(mini, "add", "-A")
    assert _verdict(cli) == judged and ("mini", True) in judged


def test_render_and_the_report_follow_the_language_item_by_item(cli: Cli, mini: Path) -> None:
    # The reviewer's question left out: it is read in the checklist's own words.
    without_reviewer = MINI_PT.replace(
        "  reviewer:\n    question: Quem mais olhou as respostas?\n", "  reviewer: {}\n"
    )
    write(mini / ".micromoment/checklists/mini.pt-BR.yaml", without_reviewer)
    assert cli("lint").exit_code == 0
    answers = write(
        mini.parent / "answers.yaml", "data-kind: customer data\ndata-masked: no\nreviewer: Sam\n"
    )
    done = cli("review", "mini", "--answers", str(answers), "--subject", "Refund prompt")
    assert done.exit_code == 1, done.output  # facts-checked left unanswered
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    written = path.with_suffix(".md").read_text(encoding="utf-8")
    assert cli("render", path.stem, "--out", "-").stdout == written  # as it was written: no language asked
    shown = cli("render", path.stem, "--out", "-", "--lang", "pt-BR").stdout
    assert "Checagem mínima: Refund prompt" in shown
    assert "| Que dados entram? | dados de clientes |" in shown
    assert "Você conferiu os fatos em cinco respostas?" in shown  # among the unanswered
    assert "| Who else looked at the outputs? | Sam |" in shown
    assert cli("render", path.stem, "--out", "-", env={"MICROMOMENT_LANG": "pt-BR"}).stdout == shown
    assert load_record(path).answer("data-kind").answer == "customer data"  # type: ignore[union-attr]

    out = mini.parent / "site"
    assert cli("report", "--html", str(out), "--lang", "pt-BR").exit_code == 0
    [page] = (out / "reviews").rglob("*.html")
    assert "Que dados entram?" in page.read_text(encoding="utf-8")


def test_a_review_with_a_stale_translation_says_so_and_reads_as_written(cli: Cli, mini: Path) -> None:
    write(mini / ".micromoment/checklists/mini.pt-BR.yaml", MINI_PT.replace('version: "1"', 'version: "0"'))
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    done = cli("review", "mini", "--answers", str(answers), "--lang", "pt-BR")
    assert done.exit_code == 0, done.output
    assert done.stderr.startswith(".micromoment/checklists/mini.pt-BR.yaml:2:10: version: stale: translates")
    assert "(shown as written; micromoment lint lists every problem)" in done.stderr
    [path] = (mini / ".micromoment/reviews").glob("*.yaml")
    assert "Mini check" in path.with_suffix(".md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "es",
            [
                "Tema de esta revisión",
                "Seguimiento: ¿qué hay que hacer? (Enter: nada)",
                "Respuesta",
                "tus respuestas",
                "¿Guardar esta revisión? [Y/n]",
            ],
        ),
        (
            "pt-BR",
            [
                "Assunto desta revisão",
                "Próximo passo: o que precisa ser feito? (Enter: nada)",
                "Resposta",
                "suas respostas",
                "Salvar esta revisão? [Y/n]",
            ],
        ),
    ],
)
def test_the_walk_through_asks_in_the_language_micromoment_lang_names(
    mini: Path, monkeypatch: pytest.MonkeyPatch, lang: str, words: list[str]
) -> None:
    subject, follow_up, answer, yours, save = words
    monkeypatch.setenv("MICROMOMENT_LANG", lang)
    child = spawn_micromoment(mini, "review", "mini")
    answer_item(child, subject, "Prompt de reembolsos")
    answer_item(child, "1-2", "1")
    answer_item(child, "y / n / na", "n")
    answer_item(child, follow_up, "")
    answer_item(child, answer, "Sam")
    child.expect_exact(yours)
    answer_item(child, save, "")
    ended(child, 0)
