"""The hook at scale: 5,000 staged files in a 50,000-file repository, against 1 staged file in a
10-file repository (target: at most 2x). A second line times the same large change when 100 of
its files trigger checklists that skip records in the change cover (no target: it shows what
reading records costs)."""

from __future__ import annotations

import sys

from _harness import (
    commit_all,
    git,
    interleaved_medians,
    micromoment,
    report,
    scratch_repo,
    script_command,
    write_files,
)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def main() -> None:
    with scratch_repo("small") as small, scratch_repo("large") as large, scratch_repo("covered") as covered:
        write_files(small, [f"src/m{i}.py" for i in range(9)])
        commit_all(small)
        write_files(small, ["src/new.py"])
        git(small, "add", "-A")

        for repo in (large, covered):
            write_files(repo, [f"src/pkg{i // 500}/m{i}.py" for i in range(45_000)])
            commit_all(repo)
            write_files(repo, [f"src/feature/f{i}.py" for i in range(5_000)])
        write_files(covered, [f"prompts/p{i}.txt" for i in range(50)] + [f"data/d{i}.csv" for i in range(50)])
        for checklist in ("genai-output-review", "data-safeguards"):
            micromoment(covered, "skip", checklist, "--reason", "generated files for a benchmark run")
        for repo in (large, covered):
            git(repo, "add", "-A")

        command = [*script_command(), "hook"]
        medians = interleaved_medians(
            {"small": (command, small, 0), "large": (command, large, 0), "covered": (command, covered, 0)},
            RUNS,
        )
    ratio = medians["large"] / medians["small"]
    report(
        "hook, 5,000 staged in 50,000 files",
        f"{ratio:.2f}x 1 staged in 10 files ({medians['large'] * 1000:.0f} ms vs {medians['small'] * 1000:.0f} ms)",
        "<= 2x",
        ratio <= 2,
    )
    covered_ratio = medians["covered"] / medians["small"]
    print(
        f"hook, same change with 100 triggered files covered by records | {covered_ratio:.2f}x "
        f"({medians['covered'] * 1000:.0f} ms) | no target | -"
    )


if __name__ == "__main__":
    main()
