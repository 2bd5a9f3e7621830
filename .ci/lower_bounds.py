"""Print each direct dependency's lower bound beside the version installed, and fail unless they match.

Run by .ci/run in the environment built with `--resolution lowest-direct`: it proves that run
really tested the floor of every range in pyproject.toml, not some newer release.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def lower_bounds(pyproject: Path) -> dict[str, str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    bounds = {}
    for requirement in wanted:
        found = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*(?:>=\s*([^,;\s]+))?", requirement)
        if found and found.group(2):
            bounds[found.group(1)] = found.group(2)
    return bounds


def _release(text: str) -> tuple[int, ...]:
    """'3' and '3.0.0' are the same release; a local part (+cpu) is not part of it."""
    parts = [int(part) for part in re.findall(r"\d+", text.split("+")[0])]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def main() -> int:
    wrong = 0
    for name, floor in sorted(lower_bounds(Path(sys.argv[1])).items()):
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        same = _release(installed) == _release(floor)
        wrong += not same
        print(f"{name:>16} >= {floor:<10} installed {installed}{'' if same else '   <- not the lower bound'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
