"""`micromoment sample`: reproducible draws from JSONL, CSV and promptfoo results, judgements, masking, and the record."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Cli, git, write
from micromoment.capture.sample import LEAK_MASK, DrawRequest, clean_text, draw, excerpt
from micromoment.locations import display_path
from micromoment.records import load_record
from micromoment.records.samples import load_sample

SECRET = "AKIAIOSFODNN7EXAMPLE"
EMAIL = "jane.doe@acme-corp.com"


def jsonl_rows(count: int, **extra: Any) -> str:
    return "".join(
        json.dumps({"id": f"q{i}", "prompt": f"question {i}", "output": f"answer {i}", **extra}) + "\n"
        for i in range(1, count + 1)
    )


def csv_text(count: int) -> str:
    lines = ["id,question,answer"]
    lines += [f'c{i},"question {i}, with a comma","answer {i}"' for i in range(1, count + 1)]
    return "\n".join(lines) + "\n"


def promptfoo_text(count: int) -> str:
    """A results file as `promptfoo eval -o results.json` writes it (the parts micromoment reads, and others)."""
    rows = [
        {
            "promptIdx": 0,
            "testIdx": i,
            "testCase": {"vars": {"question": f"question {i}"}, "assert": [{"type": "contains"}]},
            "prompt": {"raw": f"Answer briefly: question {i}", "label": "brief"},
            "vars": {"question": f"question {i}", "lang": "en" if i % 2 else "de"},
            "response": {"output": f"answer {i}", "tokenUsage": {"total": 12}},
            "success": True,
            "score": 1,
            "latencyMs": 20,
        }
        for i in range(count)
    ]
    document = {
        "evalId": "eval-2026-11-22",
        "results": {"version": 3, "timestamp": "2026-11-22T10:00:00Z", "prompts": [], "results": rows},
        "config": {"description": "refund bot"},
        "shareableUrl": None,
    }
    return json.dumps(document, indent=2) + "\n"


MAKERS = {
    "jsonl": (jsonl_rows, "run.jsonl"),
    "csv": (csv_text, "run.csv"),
    "promptfoo": (promptfoo_text, "results.json"),
}


def drawn_ids(cli: Cli, *args: str) -> list[str]:
    result = cli("sample", *args, "--json")
    assert result.exit_code == 0, result.output
    return [o["id"] for o in json.loads(result.stdout)["outputs"]]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "promptfoo"])
def test_the_same_seed_draws_the_same_rows_and_another_seed_others(cli: Cli, repo: Path, fmt: str) -> None:
    make, name = MAKERS[fmt]
    path = write(repo / "evals" / name, make(200))
    first = drawn_ids(cli, str(path), "--seed", "7")
    assert len(first) == 5 and len(set(first)) == 5
    assert drawn_ids(cli, str(path), "--seed", "7") == first
    assert drawn_ids(cli, str(path), "--seed", "8") != first
    shown = json.loads(cli("sample", str(path), "--seed", "7", "--json").stdout)
    assert shown["source"]["format"] == fmt
    assert shown["source"]["rows"] == 200 and shown["source"]["matched"] == 200
    assert shown["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert shown["source"]["size"] == path.stat().st_size
    lines = [o["line"] for o in shown["outputs"]]
    assert lines == sorted(lines)  # shown in file order, whatever order the draw kept them in
    assert not (repo / ".micromoment").exists()  # --json writes nothing


def test_default_fields_for_each_layout(cli: Cli, repo: Path) -> None:
    pf = json.loads(
        cli("sample", str(write(repo / "r.json", promptfoo_text(3))), "--json", "--seed", "1").stdout
    )
    assert (pf["source"]["id_field"], pf["source"]["prompt_field"], pf["source"]["output_field"]) == (
        None,
        "prompt.raw",
        "response.output",
    )
    assert [o["id"] for o in pf["outputs"]] == ["row-1", "row-2", "row-3"]
    assert (
        pf["outputs"][0]["prompt"] == "Answer briefly: question 0"
        and pf["outputs"][0]["output"] == "answer 0"
    )
    cs = json.loads(cli("sample", str(write(repo / "r.csv", csv_text(2))), "--json").stdout)
    assert (cs["source"]["prompt_field"], cs["source"]["output_field"]) == ("question", "answer")
    assert [(o["id"], o["line"], o["prompt"]) for o in cs["outputs"]] == [
        ("c1", 2, "question 1, with a comma"),
        ("c2", 3, "question 2, with a comma"),
    ]
    log = write(
        repo / "log.jsonl", '{"input": "hi", "response": "hello"}\n\n{"input": "yo", "response": "hey"}\n'
    )
    js = json.loads(cli("sample", str(log), "--json").stdout)
    assert [(o["id"], o["prompt"], o["output"]) for o in js["outputs"]] == [
        ("line-1", "hi", "hello"),
        ("line-3", "yo", "hey"),
    ]
    named = json.loads(
        cli(
            "sample", str(write(repo / "r2.json", promptfoo_text(2))), "--json", "--id-field", "testIdx"
        ).stdout
    )
    assert [o["id"] for o in named["outputs"]] == ["0", "1"]


def test_each_row_is_drawn_equally_often() -> None:
    # Reservoir sampling keeps each of N rows with probability n/N; an off-by-one favours early or late rows.
    counts: Counter[str] = Counter()
    path = Path(__file__).parent / "fixtures" / "three-outputs.jsonl"
    for seed in range(3000):
        counts.update(d.id for d in draw(DrawRequest(path, "three.jsonl", n=1, seed=seed)).outputs)
    assert set(counts) == {"a", "b", "c"}
    assert all(880 <= count <= 1120 for count in counts.values()), counts
    pairs: Counter[tuple[str, ...]] = Counter()
    for seed in range(1500):
        pairs[tuple(d.id for d in draw(DrawRequest(path, "three.jsonl", n=2, seed=seed)).outputs)] += 1
    assert set(pairs) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert all(420 <= count <= 580 for count in pairs.values()), pairs


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 30), n=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_a_draw_is_min_n_rows_distinct_in_file_order_and_repeatable(
    tmp_path_factory: pytest.TempPathFactory, rows: int, n: int, seed: int
) -> None:
    path = tmp_path_factory.mktemp("draw") / "rows.jsonl"
    path.write_text(jsonl_rows(rows), encoding="utf-8")
    result = draw(DrawRequest(path, "rows.jsonl", n=n, seed=seed))
    lines = [d.line for d in result.outputs]
    assert len(lines) == min(n, rows) and lines == sorted(set(lines))
    assert all(1 <= line <= rows for line in lines)
    assert [d.id for d in result.outputs] == [f"q{line}" for line in lines]
    assert draw(DrawRequest(path, "rows.jsonl", n=n, seed=seed)).outputs == result.outputs


def test_without_a_seed_one_is_chosen_and_recorded(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(50))
    shown = json.loads(cli("sample", str(path), "--json").stdout)
    again = json.loads(cli("sample", str(path), "--json", "--seed", str(shown["seed"])).stdout)
    assert again["outputs"] == shown["outputs"]


def test_where_draws_only_matching_rows(cli: Cli, repo: Path) -> None:
    path = write(repo / "results.json", promptfoo_text(40))
    shown = json.loads(
        cli("sample", str(path), "--where", "vars.lang=de", "-n", "30", "--json", "--seed", "2").stdout
    )
    assert shown["source"]["matched"] == 20 and shown["source"]["where"] == ["vars.lang=de"]
    assert len(shown["outputs"]) == 20
    assert all(int(o["output"].split()[1]) % 2 == 0 for o in shown["outputs"])
    none = cli("sample", str(path), "--where", "vars.lang=fr", "--json")
    assert none.exit_code == 2 and "none of its 40 rows meet vars.lang=fr" in none.stderr
    bad = cli("sample", str(path), "--where", "lang", "--json")
    assert bad.exit_code == 2 and "write FIELD=VALUE" in bad.stderr


def test_a_missing_field_lists_the_fields_there_are(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(3))
    result = cli("sample", str(path), "--output-field", "reply", "--json")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "micromoment: run.jsonl: no field 'reply' in the rows (line 1 has: id, prompt, output); "
        "name one of those with --output-field"
    )
    odd = write(repo / "odd.jsonl", '{"text": "a", "meta": {"lang": "en"}}\n')
    guessed = cli("sample", str(odd), "--json")
    assert guessed.exit_code == 2
    assert "no output field found" in guessed.stderr and "line 1 has: text, meta.lang" in guessed.stderr
    assert "Traceback" not in guessed.output


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.jsonl", '{"output": "a"}\n{"output": "b"}\n{"output": oops}\n', "bad.jsonl:3: not valid JSON"),
        ("list.jsonl", '{"output": "a"}\n["b"]\n', "list.jsonl:2: must be a JSON object"),
        ("gap.jsonl", '{"output": "a"}\n{"prompt": "b"}\n', "gap.jsonl:2: no field 'output' in this row"),
        (
            "bad.csv",
            'id,output\n1,"two\nlines"\n2,b,extra\n',
            "bad.csv:4: has 3 fields where the header has 2",
        ),
        ("broken.json", '{\n  "results": {"results": [\n', "broken.json:3: not valid JSON"),
        ("other.json", '{\n  "rows": []\n}\n', "not a promptfoo results file"),
        ("empty.jsonl", "\n\n", "the file is empty"),
    ],
)
def test_malformed_files_exit_2_with_the_line(
    cli: Cli, repo: Path, name: str, text: str, message: str
) -> None:
    result = cli("sample", str(write(repo / name, text)), "--json")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_file_is_refused(cli: Cli, repo: Path) -> None:
    missing = cli("sample", "nowhere.jsonl", "--json")
    assert missing.exit_code == 2 and "nowhere.jsonl: no such file" in missing.stderr


def test_excerpts_are_clean_text_with_secrets_and_personal_data_masked() -> None:
    raw = f"Hi \x1b[31mthere\x1b[0m\u202e [bold red]markup[/] **md** key {SECRET} mail {EMAIL}\x07"
    assert clean_text(raw) == f"Hi there [bold red]markup[/] **md** key {SECRET} mail {EMAIL}"
    assert excerpt(raw) == (
        "Hi there [bold red]markup[/] **md** key [redacted AWS access key ID] mail [redacted email address]"
    )
    assert excerpt("word " * 100, limit=20) == "word word word word…"
    # The secret is masked before the cut, so a secret straddling the limit never shows in part.
    assert SECRET[:8] not in excerpt("x" * 150 + " " + SECRET, limit=160)


def judgments_for(repo: Path, text: str) -> Path:
    return write(repo.parent / "judgments.yaml", text)


def test_judgements_from_a_file_make_the_record(cli: Cli, repo: Path) -> None:
    path = write(repo / "evals/run-42.jsonl", jsonl_rows(3, model="m1"))
    judgments = judgments_for(
        repo, "q1: ok\nq2: {flag: wrong-fact, note: says 60 days}\nq3:\n  flag: invented-source\n"
    )
    result = cli("sample", str(path), "-n", "3", "--seed", "4", "--judgments", str(judgments))
    assert result.exit_code == 0, result.output
    assert "read 3 outputs from evals/run-42.jsonl: 1 wrong fact, 1 invented source or link" in result.stderr
    [yaml_path] = (repo / ".micromoment/samples").glob("*.yaml")
    record = load_sample(yaml_path)
    assert record.counts == {
        "ok": 1,
        "wrong-fact": 1,
        "invented-source": 1,
        "harmful": 0,
        "leaks-data": 0,
        "off-policy": 0,
        "other": 0,
    }
    assert [(o.id, o.line, o.verdict, o.category, o.note) for o in record.outputs] == [
        ("q1", 1, "ok", None, None),
        ("q2", 2, "flag", "wrong-fact", "says 60 days"),
        ("q3", 3, "flag", "invented-source", None),
    ]
    assert (record.seed, record.n, record.source.rows, record.source.path) == (4, 3, 3, "evals/run-42.jsonl")
    assert record.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record.who.name == "Pat Product" and record.git is not None and record.git.branch == "main"
    markdown = yaml_path.with_suffix(".md").read_text(encoding="utf-8")
    assert "**read 3 outputs from evals/run-42.jsonl: 1 wrong fact, 1 invented source or link**" in markdown
    assert "| q2 | **wrong fact** | answer 2 | says 60 days |" in markdown
    assert cli("lint").exit_code == 0


def test_judgements_for_rows_not_drawn_are_refused(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(20))
    drawn = drawn_ids(cli, str(path), "--seed", "5", "-n", "2")
    undrawn = next(f"q{i}" for i in range(1, 21) if f"q{i}" not in drawn)
    judgments = judgments_for(repo, f"{drawn[0]}: ok\n{drawn[1]}: ok\n{undrawn}: ok\n")
    result = cli("sample", str(path), "--seed", "5", "-n", "2", "--judgments", str(judgments))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{judgments}:3:1: {undrawn}: {undrawn!r} was not drawn in this sample "
        f"(drawn: {', '.join(drawn)}); judge only those"
    )
    assert not (repo / ".micromoment/samples").exists()
    short = cli(
        "sample",
        str(path),
        "--seed",
        "5",
        "-n",
        "2",
        "--judgments",
        str(judgments_for(repo, f"{drawn[0]}: ok\n")),
    )
    assert short.exit_code == 2 and f"no judgement for drawn row(s) {drawn[1]}" in short.stderr
    bad = judgments_for(repo, f"{drawn[0]}: ok\n{drawn[1]}: {{flag: rude}}\n")
    wrong = cli("sample", str(path), "--seed", "5", "-n", "2", "--judgments", str(bad))
    assert wrong.exit_code == 2 and f"{bad}:2:" in wrong.stderr and "wrong-fact" in wrong.stderr


def test_a_secret_and_an_email_in_a_drawn_output_are_masked_in_the_record(cli: Cli, repo: Path) -> None:
    row = {
        "id": "leaky",
        "prompt": f"email {EMAIL} please",
        "output": f"Use key {SECRET} or write to {EMAIL}.",
    }
    path = write(repo / "run.jsonl", json.dumps(row) + "\n")
    shown = cli("sample", str(path), "--json")
    assert SECRET not in shown.stdout and EMAIL not in shown.stdout
    judgments = judgments_for(repo, "leaky: {flag: other, note: the model repeats a key}\n")
    assert cli("sample", str(path), "--judgments", str(judgments)).exit_code == 0
    [yaml_path] = (repo / ".micromoment/samples").glob("*.yaml")
    for written in (yaml_path, yaml_path.with_suffix(".md")):
        text = written.read_text(encoding="utf-8")
        assert SECRET not in text and EMAIL not in text
        assert "redacted AWS access key ID" in text and "redacted email address" in text
    assert load_sample(yaml_path).outputs[0].output == (
        "Use key [redacted AWS access key ID] or write to [redacted email address]."
    )


def test_a_row_flagged_as_a_leak_is_masked_whole_in_every_output(cli: Cli, repo: Path) -> None:
    secret = "the vault passphrase is orange-tractor-4417"  # a form no guard rule knows
    rows = [
        {"id": "leaky", "prompt": f"repeat: {secret}", "output": f"Sure: {secret}"},
        {"id": "fine", "output": "ok"},
    ]
    path = write(repo / "run.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    assert "orange-tractor" in cli("sample", str(path), "-n", "2", "--seed", "1", "--json").stdout
    judgments = judgments_for(repo, "leaky: {flag: leaks-data, note: repeats the passphrase}\nfine: ok\n")
    assert cli("sample", str(path), "-n", "2", "--seed", "1", "--judgments", str(judgments)).exit_code == 0
    [yaml_path] = (repo / ".micromoment/samples").glob("*.yaml")
    shown = cli("sample", str(path), "-n", "2", "--seed", "1", "--json").stdout  # drawn again
    for text in (
        yaml_path.read_text(encoding="utf-8"),
        yaml_path.with_suffix(".md").read_text(encoding="utf-8"),
        shown,
    ):
        assert "orange-tractor" not in text and "masked whole: flagged as a leak" in text
    leaky, fine = load_sample(yaml_path).outputs
    assert (leaky.prompt, leaky.output) == (LEAK_MASK, LEAK_MASK)
    assert fine.output == "ok"  # only the flagged row
    assert [o["output"] for o in json.loads(shown)["outputs"]] == [LEAK_MASK, "ok"]


def test_a_note_with_personal_data_needs_allow_sensitive(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(1))
    judgments = judgments_for(repo, f"q1: {{flag: other, note: ask {EMAIL}}}\n")
    refused = cli("sample", str(path), "--judgments", str(judgments))
    assert refused.exit_code == 2 and "q1: email address" in refused.stderr
    assert not (repo / ".micromoment/samples").exists()
    kept = cli("sample", str(path), "--judgments", str(judgments), "--allow-sensitive")
    assert kept.exit_code == 0, kept.output
    [yaml_path] = (repo / ".micromoment/samples").glob("*.yaml")
    assert load_sample(yaml_path).scan.kept == ["email address"]


def test_without_a_terminal_it_says_what_to_run(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(3))
    result = cli("sample", str(path), "--seed", "3")
    assert result.exit_code == 2
    assert (
        "no terminal to read outputs on; see the draw with micromoment sample run.jsonl --seed 3 --json"
        in result.stderr
    )
    nothing = cli("sample", "--json")
    assert nothing.exit_code == 2 and "set samples.outputs in .micromoment/config.yaml" in nothing.stderr


def test_the_configured_outputs_glob_takes_the_newest_file(cli: Cli, repo: Path) -> None:
    write(repo / ".micromoment/config.yaml", "samples:\n  outputs: evals/run-*.jsonl\n")
    old = write(repo / "evals/run-1.jsonl", jsonl_rows(2))
    new = write(repo / "evals/run-2.jsonl", '{"id": "fresh", "output": "new"}\n')
    os.utime(old, ns=(2_000_000_000 * 10**9, 2_000_000_000 * 10**9))
    os.utime(new, ns=(1_900_000_000 * 10**9, 1_900_000_000 * 10**9))
    assert drawn_ids(cli) == ["q1", "q2"]
    os.utime(new, ns=(2_100_000_000 * 10**9, 2_100_000_000 * 10**9))
    assert drawn_ids(cli) == ["fresh"]
    write(repo / ".micromoment/config.yaml", "samples:\n  outputs: /etc/passwd\n")
    assert cli("lint").exit_code == 2


def test_lint_reads_sample_records_strictly(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(2))
    assert (
        cli("sample", str(path), "--judgments", str(judgments_for(repo, "q1: ok\nq2: ok\n"))).exit_code == 0
    )
    [yaml_path] = (repo / ".micromoment/samples").glob("*.yaml")
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("  ok: 2", "  ok: 1"), encoding="utf-8")
    result = cli("lint")
    assert result.exit_code == 2
    assert "counts must be the tally of the outputs' verdicts and categories" in result.stdout
    yaml_path.write_text(text + "extra: 1\n", encoding="utf-8")
    result = cli("lint", str(yaml_path))
    assert result.exit_code == 2 and f"{yaml_path.name}:" in result.stdout and "extra" in result.stdout


def test_stats_count_outputs_read_and_flags_by_category(cli: Cli, repo: Path) -> None:
    for judgments in (
        "q1: ok\nq2: {flag: wrong-fact}\n",
        "q1: {flag: wrong-fact}\nq2: {flag: harmful}\nq3: ok\n",
    ):
        count = judgments.count("\n")
        path = write(repo / f"run-{count}.jsonl", jsonl_rows(count))
        result = cli("sample", str(path), "-n", "5", "--judgments", str(judgments_for(repo, judgments)))
        assert result.exit_code == 0, result.output
    data = json.loads(cli("stats", "--json").stdout)
    assert data["samples"] == {
        "samples": 2,
        "outputs_read": 5,
        "flagged": 3,
        "flags": {
            "wrong-fact": 2,
            "invented-source": 0,
            "harmful": 1,
            "leaks-data": 0,
            "off-policy": 0,
            "other": 0,
        },
    }
    assert (
        "**5 real outputs read** in 2 samples · 3 flagged (wrong-fact 2, harmful 1)"
        in cli("stats", "--markdown").stdout
    )


def sample_of_five(cli: Cli, repo: Path) -> str:
    path = write(repo / "evals/run-42.jsonl", jsonl_rows(5))
    judgments = judgments_for(
        repo,
        "q1: ok\nq2: {flag: wrong-fact, note: wrong date}\nq3: ok\nq4: {flag: invented-source}\nq5: ok\n",
    )
    result = cli("sample", str(path), "-n", "5", "--judgments", str(judgments))
    assert result.exit_code == 0, result.output
    [yaml_path] = (repo / ".micromoment/samples").glob("*.yaml")
    return yaml_path.stem


SUMMARY = "read 5 outputs from evals/run-42.jsonl: 1 wrong fact, 1 invented source or link"
QUICK = "data-into-tool: none or public data only\noutputs-looked-at: yes\nfuller-checklist-decided: yes\n"


def test_a_review_with_sample_shows_it_in_the_markdown_and_the_pr_note(cli: Cli, repo: Path) -> None:
    write(repo / "README.md", "# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo / "prompts/support.txt", "You are helpful.\n")
    sample_id = sample_of_five(cli, repo)
    answers = write(repo.parent / "answers.yaml", QUICK)
    result = cli(
        "review", "quick", "--answers", str(answers), "--sample", sample_id, "--subject", "support prompt"
    )
    assert result.exit_code == 0, result.output
    # Answered yes although the sample flagged two outputs: said, not refused.
    assert (
        f"{answers}: outputs-looked-at is answered yes, but its evidence flagged outputs ({SUMMARY}); "
        in (result.stderr)
    )
    [review_path] = (repo / ".micromoment/reviews").glob("*.yaml")
    record = load_record(review_path)
    looked = record.answer("outputs-looked-at")
    assert looked is not None and looked.sample is not None
    assert looked.sample.record == f".micromoment/samples/{sample_id}.yaml"
    assert (looked.sample.read, looked.sample.flags) == (5, {"wrong-fact": 1, "invented-source": 1})
    assert all(a.sample is None for a in record.answers if a.item != "outputs-looked-at")
    markdown = review_path.with_suffix(".md").read_text(encoding="utf-8")
    assert f"| yes |  | {SUMMARY} |" in markdown
    assert f"## Outputs read\n\n- {SUMMARY} (sample record: .micromoment/samples/{sample_id}.md)" in markdown
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "prompt, sample and review")
    note = cli("pr-note", "--base", "main")
    assert note.exit_code == 0, note.output
    head = git(repo, "rev-parse", "HEAD").strip()
    assert (
        f"Outputs read: {SUMMARY} · [sample](../blob/{head}/.micromoment/samples/{sample_id}.md)"
        in note.stdout
    )


def test_sample_needs_a_checklist_that_takes_one(cli: Cli, mini: Path) -> None:
    sample_id = sample_of_five(cli, mini)
    answers = write(mini.parent / "answers.yaml", "data-kind: none\nfacts-checked: yes\n")
    result = cli("review", "mini", "--answers", str(answers), "--sample", sample_id)
    assert result.exit_code == 2
    assert "--sample: no item in mini takes a sample as evidence (evidence: sample)" in result.stderr
    unknown = cli(
        "review", "quick", "--answers", str(write(mini.parent / "q.yaml", QUICK)), "--sample", "nope"
    )
    assert unknown.exit_code == 2 and "nope: no such sample record" in unknown.stderr
    assert not (mini / ".micromoment/reviews").exists()


def test_a_skipped_item_gets_no_sample(cli: Cli, repo: Path) -> None:
    sample_id = sample_of_five(cli, repo)
    answers = write(
        repo.parent / "answers.yaml",
        QUICK.replace(
            "outputs-looked-at: yes", "outputs-looked-at: {answer: skip, reason: no outputs exist yet at all}"
        ),
    )
    assert cli("review", "quick", "--answers", str(answers), "--sample", sample_id).exit_code == 0
    [review_path] = (repo / ".micromoment/reviews").glob("*.yaml")
    looked = load_record(review_path).answer("outputs-looked-at")
    assert looked is not None and looked.skipped and looked.sample is None


def test_csv_lines_count_physical_lines(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "output"])
        writer.writerow(["a", "one\ntwo\nthree"])
        writer.writerow(["b", "four"])
    result = draw(DrawRequest(path, "multi.csv", n=5, seed=0))
    assert [(d.id, d.line, d.output) for d in result.outputs] == [
        ("a", 2, "one\ntwo\nthree"),
        ("b", 5, "four"),
    ]


def test_resume_refuses_a_file_that_changed_since_the_draw(cli: Cli, repo: Path) -> None:
    path = write(repo / "run.jsonl", jsonl_rows(4))
    stopped = cli("sample", str(path), "-n", "2", "--seed", "3", "--interactive", input="o\n")
    assert stopped.exit_code == 2
    assert (
        "input ended while reading outputs; draft kept — resume with micromoment sample --resume"
        in stopped.stderr
    )
    resumed = cli("sample", "--resume", "--interactive", input="o\n\n")
    assert resumed.exit_code == 0, resumed.output
    [record_path] = (repo / ".micromoment/samples").glob("*.yaml")
    assert [o.verdict for o in load_sample(record_path).outputs] == ["ok", "ok"]
    assert cli("sample", str(path), "-n", "2", "--seed", "3", "--interactive", input="o\n").exit_code == 2
    path.write_text(jsonl_rows(5), encoding="utf-8")
    changed = cli("sample", "--resume", "--interactive", input="o\n")
    assert changed.exit_code == 2
    assert (
        "run.jsonl: the file changed since this sample was drawn; start again with micromoment sample FILE"
        in changed.stderr
    )
    assert cli("sample", "--resume", str(path)).exit_code == 2


DEEP = "[" * 5000 + "]" * 5000
LONG = "9" * 5000


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "deep.jsonl",
            '{"input": "a", "output": "b"}\n{"input": "c", "output": ' + DEEP + "}\n",
            "deep.jsonl:2: nested too deep; model outputs are not nested hundreds of levels",
        ),
        (
            "long.jsonl",
            '{"input": "a", "output": "b"}\n{"input": "c", "output": "d", "score": ' + LONG + "}\n",
            "long.jsonl:2: a number 5,000 characters long; model outputs hold small numbers",
        ),
        (
            "deep.json",
            '{"results": {"results": [\n{"response": {"output": "a"}},\n{"response": {"output": '
            + DEEP
            + "}}\n]}}\n",
            "deep.json: nested too deep; model outputs are not nested hundreds of levels",
        ),
        (
            "long.json",
            '{"results": {"results": [\n{"response": {"output": "a"}},\n{"score": ' + LONG + "}\n]}}\n",
            "long.json: a number 5,000 characters long; model outputs hold small numbers",
        ),
    ],
)
def test_a_hostile_row_is_named_by_its_line_and_reason(
    cli: Cli, repo: Path, name: str, text: str, expected: str
) -> None:
    result = cli("sample", str(write(repo / name, text)), "--json")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [expected]


@pytest.mark.parametrize(
    ("fmt", "name"), [("jsonl", "run.jsonl.gz"), ("csv", "run.csv.gz"), ("jsonl", "run.log")]
)
def test_gzip_compressed_outputs_are_read_by_their_first_bytes(
    cli: Cli, repo: Path, fmt: str, name: str
) -> None:
    make, plain_name = MAKERS[fmt]
    plain = write(repo / plain_name, make(30))
    packed = repo / name
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert drawn_ids(cli, str(packed), "--seed", "3") == drawn_ids(cli, str(plain), "--seed", "3")


def test_a_file_it_cannot_read_is_named_as_what_it_is(cli: Cli, repo: Path) -> None:
    archive = repo / "run.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("run.jsonl", jsonl_rows(3))
    refused = cli("sample", str(archive), "--json")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"micromoment: {display_path(archive)}: a zip archive, not outputs micromoment reads; "
        "give JSON Lines, CSV or promptfoo results, as they are or gzip-compressed"
    )
    cut = repo / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(jsonl_rows(2000).encode())[:300])
    damaged = cli("sample", str(cut), "--json")
    assert damaged.exit_code == 2
    assert damaged.stderr.strip().endswith(": a gzip file that is damaged or cut short; compress it again")
