"""Content triggers and `scan`: the hook for a one-file code change that triggers nothing, with
the content detectors on (target: at most 4x `python -c pass`); 5,000 staged code files against
that one-file change (at most 2.5x), alike and, with no target, each with its own content (git
then reads every blob); `scan` over a 50,000-file repository (under 10 s)."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path

from _harness import (
    PYTHON_PASS,
    commit_all,
    git,
    interleaved_medians,
    report,
    run,
    scratch_repo,
    script_command,
    write_files,
)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15

# A small module of plain application code (15 lines, 420 bytes): none of the detectors'
# keywords, so nothing triggers. The content read grows with the bytes a change adds.
CODE = "def total(order):\n    return sum(line.price * line.quantity for line in order.lines)\n\n" * 5
GENAI = 'from openai import OpenAI\n\nclient = OpenAI()\nreply = client.responses.create(model="gpt-4.1", input=q)\n'


def change(repo: Path, many: bool, detectors_on: bool, distinct: bool = False) -> None:
    """A repository of ten modules, then one module edited or 5,000 added, staged: alike (one
    content, as a bulk-added fixture or stub), or each with a name of its own."""
    write_files(repo, [f"src/pkg{i}/m{i}.py" for i in range(10)], CODE)
    if not detectors_on:
        write_files(
            repo, [".micromoment/config.yaml"], "checklists:\n  genai-output-review: {applies_when: []}\n"
        )
    commit_all(repo)
    if many and distinct:
        for i in range(5_000):
            write_files(repo, [f"src/feature{i // 500}/f{i}.py"], CODE.replace("total", f"total_{i}"))
    elif many:
        write_files(repo, [f"src/feature{i // 500}/f{i}.py" for i in range(5_000)], CODE)
    else:
        write_files(repo, ["src/pkg1/m1.py"], CODE + "def empty(order):\n    return not order.lines\n")
    git(repo, "add", "-A")


def main() -> None:
    command = [*script_command(), "hook"]
    with ExitStack() as stack:
        cases: dict[str, tuple[list[str], Path, int]] = {}
        for many in (False, True):
            for on in (True, False):
                repo = stack.enter_context(scratch_repo(f"{'many' if many else 'one'}-{on}"))
                change(repo, many, on)
                cases[f"{'many' if many else 'one'}{'' if on else ' off'}"] = (command, repo, 0)
        distinct = stack.enter_context(scratch_repo("many-distinct"))
        change(distinct, True, True, distinct=True)
        cases["many distinct"] = (command, distinct, 0)
        medians = interleaved_medians({"baseline": (PYTHON_PASS, cases["one"][1], 0), **cases}, RUNS)
        big = stack.enter_context(scratch_repo("scan"))
        write_files(big, [f"src/pkg{i // 500}/m{i}.py" for i in range(49_500)], CODE)
        write_files(big, [f"src/ai{i // 100}/a{i}.py" for i in range(500)], GENAI)
        commit_all(big)
        scan = [*script_command(), "scan", "--json"]
        run(scan, big)  # warm the file system cache, as a second scan of a checkout would
        scans = []
        for _ in range(3):
            started = time.perf_counter()
            run(scan, big)
            scans.append(time.perf_counter() - started)
    one_ratio = medians["one"] / medians["baseline"]
    report(
        "hook, one-file code change, content detectors on",
        f"{one_ratio:.2f}x python -c pass ({medians['one'] * 1000:.0f} ms vs {medians['baseline'] * 1000:.0f} ms, median of {RUNS})",
        "<= 4x",
        one_ratio <= 4,
    )
    many_ratio = medians["many"] / medians["one"]
    report(
        "hook, 5,000 staged code files, content detectors on",
        f"{many_ratio:.2f}x the one-file change ({medians['many'] * 1000:.0f} ms)",
        "<= 2.5x",
        many_ratio <= 2.5,
    )
    print(
        f"hook, 5,000 staged code files each with its own content | "
        f"{medians['many distinct'] / medians['one']:.2f}x the one-file change "
        f"({medians['many distinct'] * 1000:.0f} ms) | no target | -"
    )
    for name in ("one", "many"):
        print(
            f"hook, {name} change, content detectors on vs off | {medians[name] / medians[name + ' off']:.2f}x "
            f"({medians[name] * 1000:.0f} ms vs {medians[name + ' off'] * 1000:.0f} ms) | no target | -"
        )
    best = sorted(scans)[1]
    report("scan, 50,000 files (500 with generative AI)", f"{best:.2f} s (median of 3)", "< 10 s", best < 10)


if __name__ == "__main__":
    main()
