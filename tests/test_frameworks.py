"""Framework ids: references held to the lists micromoment ships, and counted per framework."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, write
from micromoment.checklists.frameworks import frameworks
from micromoment.ledger.frameworks import framework_section

CHECKLIST = """\
id: refs
title: References
version: "1"
items:
  - id: one
    question: Did you try to inject the prompt?
    owner: product manager
    minutes: 1
    references:
      - {framework: owasp-llm, id: LLM01, version: "2025"}
      - {framework: eu-ai-act, id: Art. 50(1), version: "2024/1689"}
      - {framework: mitre-atlas, id: AML.T0051.001, version: "4"}
      - {framework: nist-ai-600-1, id: MS-2.5-003, version: "2024"}
      - {framework: our-policy, id: anything at all}
"""


def test_listed_ids_their_paragraphs_and_sub_techniques_and_a_teams_own_framework_pass(
    cli: Cli, repo: Path
) -> None:
    write(repo / ".micromoment/checklists/refs.yaml", CHECKLIST)
    done = cli("lint")
    assert done.exit_code == 0, done.output


def test_an_unknown_id_or_another_edition_is_named_at_its_line(cli: Cli, repo: Path) -> None:
    text = (
        CHECKLIST.replace("id: LLM01,", "id: LLM11,")
        .replace("MS-2.5-003", "MS-25-003")
        .replace('Art. 50(1), version: "2024/1689"', 'Art. 50(1), version: "2021/0106"')
    )
    write(repo / ".micromoment/checklists/refs.yaml", text)
    done = cli("lint")
    assert done.exit_code == 2
    path = ".micromoment/checklists/refs.yaml"
    assert done.output.splitlines()[:3] == [
        f"{path}:10:36: items[0].references[0].id: 'LLM11' is not an id of OWASP Top 10 for LLM "
        "Applications 2025; did you mean 'LLM10'? (docs/checklists.md lists them)",
        f"{path}:11:57: items[0].references[1].version: micromoment's list of eu-ai-act is version "
        "'2024/1689'; give that version, or name another edition by a framework slug of your own",
        f"{path}:13:40: items[0].references[3].id: 'MS-25-003' is not an id of NIST AI 600-1 "
        "(Generative AI Profile); one of CBRN Information or Capabilities, Confabulation, "
        "Dangerous, Violent, or Hateful Content, Data Privacy, ... (docs/checklists.md lists them)",
    ]


def test_every_shipped_list_names_its_framework_version_and_ids() -> None:
    found = frameworks()
    assert sorted(found) == [
        "eu-ai-act",
        "iso-42001",
        "mitre-atlas",
        "nist-ai-600-1",
        "nist-ai-rmf",
        "owasp-llm",
    ]
    assert {slug: len(f.ids) for slug, f in found.items()} == {
        "eu-ai-act": 23,
        "iso-42001": 38,
        "mitre-atlas": 21,
        "nist-ai-600-1": 12,
        "nist-ai-rmf": 72,
        "owasp-llm": 10,
    }
    assert all(title.strip() for f in found.values() for title in f.ids.values())


def test_the_section_counts_answers_per_listed_id_with_the_last_day_and_the_people() -> None:
    references = {
        ("c", "a"): [("owasp-llm", "LLM01"), ("eu-ai-act", "Art. 50(2)"), ("ours", "X")],
        ("c", "b"): [("eu-ai-act", "Art. 50(1)"), ("nist-ai-600-1", "MS-2.5-003")],
    }
    looked = [
        ("c", "a", "Pat", "2026-11-20", 2),
        ("c", "b", "Sam", "2026-11-22", 1),
        ("c", "a", "Sam", "2026-11-18", 1),
        ("other", "a", "Dana", "2026-11-30", 5),  # an item no reference maps
    ]
    section = {f["framework"]: f for f in framework_section(looked, references)}
    assert section["eu-ai-act"]["looked_at"] == [
        {
            "id": "Art. 50",
            "title": section["eu-ai-act"]["looked_at"][0]["title"],
            "answers": 4,
            "last": "2026-11-22",
            "people": ["Pat", "Sam"],
        }
    ]
    assert [(r["id"], r["answers"], r["last"]) for r in section["owasp-llm"]["looked_at"]] == [
        ("LLM01", 3, "2026-11-20")
    ]
    assert [(r["id"], r["answers"]) for r in section["nist-ai-600-1"]["looked_at"]] == [("MS-2.5-003", 1)]
    assert "ours" not in section
    assert len(section["owasp-llm"]["never"]) == 9 and section["iso-42001"]["looked_at"] == []
