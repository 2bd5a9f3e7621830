"""A large outputs log (200 MB in CI) is sampled in one streamed pass: memory stays bounded, time linear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PATIENCE

ROWS_PER_BLOCK = 1000
# CI (MICROMOMENT_FULL_TESTS=1) samples 200 MB against 50 MB; a developer's run 64 MB against 16 MB:
# the same fourfold step for time, and for memory the peak must not grow with the 48 MB more read.
LARGE_MB = 200 if os.environ.get("MICROMOMENT_FULL_TESTS") else 64
SMALL_MB = LARGE_MB // 4
PEAK_GROWTH_MB = 20

# Runs the real command in a child and reports the child's own peak memory and CPU time (CPU time,
# not wall time: other work on a shared machine does not change how much work the pass itself does).
MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "micromoment", "sample", sys.argv[1], "--json", "--seed", "11"],
                      capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
seconds = usage.ru_utime + usage.ru_stime
peak_kb = usage.ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "code": done.returncode,
                  "stderr": done.stderr, "draw": json.loads(done.stdout) if done.returncode == 0 else None}))
"""


def write_log(path: Path, megabytes: int) -> int:
    """A JSON Lines log of about `megabytes` MB, written as one repeated block; the number of rows."""
    rows = [
        json.dumps(
            {
                "id": f"r{i}",
                "prompt": "What is the refund window for an opened item? " * 2,
                "output": ("Opened items can be returned within 30 days of delivery. " * 16)[:900],
            }
        )
        for i in range(ROWS_PER_BLOCK)
    ]
    block = ("\n".join(rows) + "\n").encode()
    blocks = megabytes * 2**20 // len(block)
    with path.open("wb") as handle:
        for _ in range(blocks):
            handle.write(block)
    return blocks * ROWS_PER_BLOCK


def measure(path: Path, cwd: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_large_log_is_sampled_in_bounded_memory_and_linear_time(repo: Path) -> None:
    small, large = repo / "small.jsonl", repo / "large.jsonl"
    small_rows, large_rows = write_log(small, SMALL_MB), write_log(large, LARGE_MB)
    assert large.stat().st_size > LARGE_MB * 10**6
    try:
        first = measure(small, repo)
        second = measure(large, repo)
    finally:
        small.unlink()
        large.unlink()
    for outcome, rows in ((first, small_rows), (second, large_rows)):
        assert outcome["code"] == 0, outcome["stderr"]
        draw = outcome["draw"]
        assert isinstance(draw, dict)
        assert draw["source"]["rows"] == rows and len(draw["outputs"]) == 5
    assert isinstance(second["peak_mb"], float) and second["peak_mb"] < 100, second["peak_mb"]
    assert isinstance(first["peak_mb"], float)
    assert second["peak_mb"] - first["peak_mb"] < PEAK_GROWTH_MB, (first["peak_mb"], second["peak_mb"])
    # Four times the data may take about four times as long; a pass that re-reads or sorts would not fit.
    assert isinstance(first["seconds"], float) and isinstance(second["seconds"], float)
    assert second["seconds"] < 6 * first["seconds"], (first["seconds"], second["seconds"])
