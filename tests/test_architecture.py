"""The layout keeps its promises: no import cycles, a core that knows nothing of the CLI,
and one seam through which every git, gh and glab command runs."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "micromoment"
SEAM = "micromoment.git.run"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(tree: ast.Module, *, top_level_only: bool) -> set[str]:
    """Modules a module imports: at import time only, or anywhere (lazy imports included)."""
    found: set[str] = set()
    nodes = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        if top_level_only and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nodes.extend(ast.iter_child_nodes(node))
    return found


def test_no_import_cycles_at_import_time() -> None:
    trees = modules()
    graph = {
        name: {m for m in imports(tree, top_level_only=True) if m in trees and m != name}
        for name, tree in trees.items()
    }
    # A package imports its own submodules to export them; that is not a cycle.
    for name in graph:
        graph[name] = {m for m in graph[name] if not m.startswith(name + ".")}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_core_never_imports_the_cli_or_typer() -> None:
    for name, tree in modules().items():
        if name.startswith("micromoment.cli") or name == "micromoment.__main__":
            continue
        used = imports(tree, top_level_only=False)
        offending = sorted(
            m for m in used if m.split(".")[0] in ("typer", "click") or m.startswith("micromoment.cli")
        )
        assert not offending, f"{name} imports {offending}"


def test_only_the_git_seam_starts_processes() -> None:
    for name, tree in modules().items():
        if name == SEAM:
            continue
        used = imports(tree, top_level_only=False)
        assert not {"subprocess", "os.system", "os.popen"} & used, f"{name} starts processes itself"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in {
                    ("os", "system"),
                    ("os", "popen"),
                    ("os", "execvp"),
                }, name


def test_each_subpackage_says_what_it_is_for() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) <= 3, f"{init.parent.name}/__init__.py needs a short docstring"


def test_functions_and_modules_stay_small() -> None:
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 400:
            too_long.append(f"{path.relative_to(PACKAGE)}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno:
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, too_long
