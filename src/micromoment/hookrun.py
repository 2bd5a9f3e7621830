"""The commit-hook entry: exit 0 at once when nothing is triggered or everything is covered.

This is the fast path that runs on every commit, so it imports only the standard library
(and PyYAML when a record in the change must be read). typer, rich, pydantic, jinja2 and
GitPython are loaded only when something is missing and a person has to be asked or told.
"""

from __future__ import annotations

import os
import sys

from micromoment.errors import EXIT_INTERRUPTED, MicromomentError, report
from micromoment.gate import Rules, Verdict, cached_rules, evaluate, missing
from micromoment.gitcli import Repo, find_repo, range_paths, read_blobs, staged_paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    Reader = Callable[[list[str]], Mapping[str, bytes]]


def reader_at(repo: Repo, revision: str) -> Reader:
    """Reads records as the change has them: from the index (`:path`) or from a ref (`REV:path`)."""

    def read(paths: list[str]) -> dict[str, bytes]:
        blobs = read_blobs(repo, [f"{revision}:{path}" for path in paths])
        return {spec.split(":", 1)[1]: blob for spec, blob in blobs.items()}

    return read


def relative_paths(repo: Repo, names: list[str]) -> list[str]:
    root = os.path.realpath(repo.root)
    paths = []
    for name in names:
        path = os.path.relpath(os.path.realpath(name), root)
        paths.append(name if path.startswith("..") else path.replace(os.sep, "/"))
    return paths


def check_change(repo: Repo, files: list[str]) -> tuple[Rules, list[Verdict]]:
    """The hook's verdicts. Paths come from FILES (the pre-commit framework passes them), else
    PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF, else the staged change.

    Records are looked for in the whole change even when the framework passes files in
    batches, so a record is never missed because it landed in another batch.
    """
    rules = cached_rules(repo.root, repo.git_dir)
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if from_ref and to_ref:

        def whole() -> list[str]:
            return range_paths(repo, from_ref, to_ref)

        reader = reader_at(repo, to_ref)
    else:

        def whole() -> list[str]:
            return staged_paths(repo)

        reader = reader_at(repo, "")
    triggering = relative_paths(repo, files) if files else whole()
    return rules, evaluate(rules, triggering, reader, whole if files else None)


def run(files: list[str]) -> int:
    repo = find_repo()
    rules, verdicts = check_change(repo, files)
    for verdict in verdicts:
        if verdict.outdated and verdict.record:
            sys.stderr.write(
                f"micromoment: {verdict.record.path} answered an older version of {verdict.rule.id}; "
                "it still counts, but the checklist has changed since\n"
            )
    gaps = missing(verdicts)
    if not gaps:
        return 0
    from micromoment.hook_prompt import handle_missing  # the slow path: a person must be asked or told

    return handle_missing(repo, rules, gaps)


def main(files: list[str]) -> int:
    try:
        return run(files)
    except MicromomentError as exc:
        return report(exc)
    except KeyboardInterrupt:
        sys.stderr.write("micromoment: interrupted\n")
        return EXIT_INTERRUPTED
