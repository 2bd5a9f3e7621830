"""`micromoment report --html` over 20,000 records in 50 repositories: time, and the size of the site.

Target: at most 10 s on 2 cores and a folder under 20 MB. Shown beside `stats --json` over
the same repositories (the baseline, measured in the same run), cold (no ledger cache:
every record parsed, as in a fresh CI clone) and warm (the caches under .git/ filled).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _harness import MICROMOMENT, git, report, run
from stats_scale import generate

REPOSITORIES, PER_REPOSITORY = 50, 400
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    top = Path(tempfile.mkdtemp(prefix="micromoment-bench-report-"))
    try:
        repos = []
        for number in range(REPOSITORIES):
            repo = top / f"repo-{number:02d}"
            repo.mkdir()
            git(repo, "init", "-q", "-b", "main")
            generate(repo, PER_REPOSITORY)
            repos.append(repo)
        args = [arg for repo in repos for arg in ("--repo", str(repo))]
        stats = [*MICROMOMENT, "stats", "--json", *args]
        build = [*MICROMOMENT, "report", "--html", str(top / "site"), *args]
        results: dict[str, tuple[float, float]] = {}
        for mode in ("cold", "warm"):
            times: dict[str, list[float]] = {"stats": [], "report": []}
            for _ in range(RUNS):
                for name, command in (("stats", stats), ("report", build)):
                    if mode == "cold":
                        for repo in repos:
                            (repo / ".git" / "micromoment" / "ledger.sqlite3").unlink(missing_ok=True)
                    times[name].append(run(command, top))
            results[mode] = (statistics.median(times["report"]), statistics.median(times["stats"]))
        size = folder_size(top / "site") / 1e6
        for mode in ("warm", "cold"):
            seconds, baseline = results[mode]
            report(
                f"report --html, 20,000 records in 50 repositories ({mode})",
                f"{seconds:.2f} s ({seconds / baseline:.2f}x stats --json, {baseline:.2f} s); site {size:.1f} MB",
                "<= 10 s, < 20 MB",
                seconds <= 10 and size < 20,
            )
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
