"""import-deon: deon's sections and lines become a micromoment checklist that lints clean."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, Cli, write
from micromoment.checklists import load_checklist
from micromoment.checklists.deon import slugify

DEON = FIXTURES / "deon-checklist.yaml"


def test_import_prints_a_checklist_with_stable_slugs(cli: Cli, repo: Path) -> None:
    result = cli("import-deon", str(DEON))
    assert result.exit_code == 0, result.output
    out = write(repo / "imported.yaml", result.stdout)
    checklist = load_checklist(out)
    assert checklist.id == "model-launch-ethics"
    assert [item.id for item in checklist.items] == [
        "informed-consent",
        "collection-bias",
        "informed-consent-2",
        "roll-back",
    ]
    assert [item.number for item in checklist.items] == ["A.1", "A.2", "B.1", "B.2"]
    first = checklist.items[0]
    assert first.question == "If people's data is used, did they agree to this use?"
    assert [(r.framework, r.id) for r in first.references] == [("deon", "A.1")]
    assert "Data Collection" in first.guidance
    assert result.stdout.startswith("# yaml-language-server: $schema=checklist.schema.json\n")


def test_import_to_a_repo_file_lints_clean_and_shows_in_list(cli: Cli, repo: Path) -> None:
    target = ".micromoment/checklists/ethics.yaml"
    result = cli(
        "import-deon", str(DEON), "--id", "ethics", "--owner", "data owner", "--minutes", "3", "--out", target
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {target} (4 items)" in result.stderr
    assert cli("lint", target).exit_code == 0
    listed = cli("list", "--json")
    assert '"id": "ethics"' in listed.stdout
    shown = cli("show", "ethics", "--json")
    assert '"owner": "data owner"' in shown.stdout and '"minutes": 3' in shown.stdout
    again = cli("import-deon", str(DEON), "--out", target)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert cli("import-deon", str(DEON), "--out", target, "--force").exit_code == 0


def test_bad_deon_input_is_located(cli: Cli, repo: Path) -> None:
    bad = write(
        repo / "bad.yaml",
        "title: T\nsections:\n  - title: S\n    section_id: A\n    lines:\n      - line_id: A.1\n        line: no summary\n",
    )
    result = cli("import-deon", str(bad))
    assert result.exit_code == 2
    assert result.stderr.strip() == "bad.yaml:6:9: sections[0].lines[0].line_summary: is required but missing"
    assert cli("import-deon", "missing.yaml").exit_code == 2


def test_slugify() -> None:
    assert slugify("Informed consent") == "informed-consent"
    assert slugify("  Données personnelles! ") == "donnees-personnelles"
    assert slugify("???") == "item"
    assert len(slugify("word " * 40)) <= 48


DEON_PT = """\
title: Ética no lançamento do modelo
sections:
  - title: Coleta de dados
    section_id: A
    lines:
      - line_id: A.1
        line_summary: Consentimento informado
        line: Se usamos dados de pessoas, elas concordaram com esse uso?
      - line_id: A.2
        line_summary: Viés na coleta
        line: Consideramos os vieses introduzidos quando os dados foram coletados?
  - title: Implantação
    section_id: B
    lines:
      - line_id: B.1
        line_summary: Consentimento informado
        line: As pessoas sabem que o recurso usa um modelo, e podem recusá-lo?
      - line_id: B.2
        line_summary: Voltar atrás
        line: Conseguimos desligar o modelo depressa se ele se comportar mal?
"""


def test_deons_translated_checklist_becomes_a_translation_that_lints_clean(cli: Cli, repo: Path) -> None:
    assert (
        cli(
            "import-deon", str(DEON), "--id", "ethics", "--out", ".micromoment/checklists/ethics.yaml"
        ).exit_code
        == 0
    )
    deon_pt = write(repo.parent / "deon.pt-BR.yml", DEON_PT)
    target = ".micromoment/checklists/ethics.pt-BR.yaml"
    done = cli("import-deon", str(deon_pt), "--translation-of", "ethics", "--out", target)
    assert done.exit_code == 0, done.output
    assert cli("lint").exit_code == 0
    shown = cli("show", "ethics", "--json", "--lang", "pt-BR").stdout
    assert "Ética no lançamento do modelo" in shown
    assert "Se usamos dados de pessoas, elas concordaram com esse uso?" in shown
    assert "Coleta de dados (A): Consentimento informado." in shown

    one_line_short = write(repo.parent / "short.yml", DEON_PT.split("  - title: Implantação")[0])
    refused = cli("import-deon", str(one_line_short), "--translation-of", "ethics")
    assert refused.exit_code == 2
    assert "items: no translation of informed-consent-2, roll-back" in refused.stderr
    unknown = write(repo.parent / "unknown.yml", DEON_PT.replace("line_id: B.2", "line_id: C.1"))
    refused = cli("import-deon", str(unknown), "--translation-of", "ethics")
    assert refused.exit_code == 2
    assert refused.stderr.endswith(
        "unknown.yml: line C.1 is no item of ethics; translate the deon checklist ethics was imported from\n"
    )
