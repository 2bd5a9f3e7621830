"""`micromoment pack new NAME`: a ready pack (a Python package with its entry point, a checklist
to start from and a test that lints it), from the shipped templates' `pack/` folder."""

from __future__ import annotations

from pathlib import Path

from micromoment.checklists.packs import GROUP
from micromoment.errors import MicromomentError
from micromoment.files import write_atomic
from micromoment.locations import shipped_dir


def new_pack(name: str, folder: Path) -> list[Path]:
    """Write the pack `name` into `folder` (which must not exist yet); the files written."""
    if folder.exists():
        raise MicromomentError(f"{folder} already exists; name a new folder with --dir")
    module = name.replace("-", "_")
    written = {
        "pyproject.toml": folder / "pyproject.toml",
        "checklist.yaml": folder / "src" / module / f"{name}.yaml",
        "test_pack.py": folder / "tests" / "test_pack.py",
        "__init__.py": folder / "src" / module / "__init__.py",
    }
    for template, path in written.items():
        text = (shipped_dir("templates") / "pack" / f"{template}.in").read_text(encoding="utf-8")
        write_atomic(path, text.format(name=name, module=module, group=GROUP), overwrite=False)
    return list(written.values())
