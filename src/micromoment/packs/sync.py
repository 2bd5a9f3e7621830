"""`micromoment pack sync`: the config's git packs, fetched into the git directory at the commits
it pins, so that `check` and the commit hook read them with no network."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from micromoment.checklists.packs import STATE, SYNCED, git_folder
from micromoment.config import Config, PackPin
from micromoment.errors import MicromomentError
from micromoment.files import write_atomic
from micromoment.git.run import GitFailed, run_git
from micromoment.locations import Project
from micromoment.memo import common_dir


def sync_packs(project: Project, config: Config) -> list[str]:
    """Fetch each git pack the config pins, remove those it no longer names; a line says each."""
    own = git_folder(str(project.root))
    if own is None:
        raise MicromomentError(
            "packs are synced into the git directory; run micromoment pack sync in a git repository"
        )
    top = Path(common_dir(own), SYNCED)
    pins = {name: pin for name, pin in (config.packs or {}).items() if pin.git}
    done = []
    for name, pin in sorted(pins.items()):
        _fetch(top, name, pin)  # every time: a tag that moved since the last sync is refused
        done.append(f"{name}: synced {pin.tag or ''} {pin.commit} from {pin.git}".replace("  ", " "))
    for folder in sorted(top.iterdir()) if top.is_dir() else []:
        if folder.is_dir() and folder.name not in pins:
            shutil.rmtree(folder)
            done.append(f"{folder.name}: removed (no longer under packs: in the config)")
    return done


def _fetch(top: Path, name: str, pin: PackPin) -> None:
    """The repository's files at the pinned commit, in place of the pack's folder."""
    assert pin.git is not None and pin.commit is not None  # PackPin's rule for a git pack
    top.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=top) as scratch:
        store, files = Path(scratch, "store"), Path(scratch, "files")
        run_git(["init", "-q", "--bare", str(store)], scratch)
        every = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
        wanted = [f"refs/tags/{pin.tag}"] if pin.tag else every
        # After --end-of-options a URL written like an option (--upload-pack=...) is a URL to git.
        run_git(["fetch", "-q", "--no-tags", "--end-of-options", pin.git, *wanted], store)
        try:
            head = "FETCH_HEAD" if pin.tag else pin.commit
            asked = ["rev-parse", "--verify", "-q", "--end-of-options", head + "^{commit}"]
            found = run_git(asked, store).decode().strip()
        except GitFailed:
            found = ""
        if found != pin.commit and not pin.tag:
            raise MicromomentError(
                f"pack {name}: {pin.git} has no commit {pin.commit} on a branch or tag; "
                "check the pinned commit"
            )
        if found != pin.commit:
            raise MicromomentError(
                f"pack {name}: tag {pin.tag} of {pin.git} now points at {found}, not at the pinned commit "
                f"{pin.commit}; a moved tag is a policy change: if the pack's owners meant it, pin the new "
                "commit in .micromoment/config.yaml and have that change reviewed"
            )
        files.mkdir()
        run_git(["--work-tree", str(files), "checkout", "-q", "-f", pin.commit, "--", "."], store)
        state = {"git": pin.git, "tag": pin.tag or "", "commit": pin.commit}
        write_atomic(files / STATE, json.dumps(state, indent=2) + "\n")
        shutil.rmtree(top / name, ignore_errors=True)
        files.rename(top / name)
