"""The layout keeps its promises: layers that hold with every import counted, a core that knows
nothing of the CLI, and one seam through which every git, gh and glab command runs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "micromoment"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SEAM = "micromoment.git.run"
# Being folded into yamlio; it has no layer, and the test does not miss it once it is gone.
LEAVING = {"micromoment.yamlfast"}


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


def layer_map() -> dict[str, int]:
    """Unit -> layer, read from the table under "## Layers" in docs/architecture.md, so the map
    people read and the one the code is held to are the same. A unit is a subpackage (`cli/`),
    a top-level module (`config.py`), or the package root (`__init__.py`)."""
    text = ARCHITECTURE.read_text(encoding="utf-8").split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, int] = {}
    for row in re.finditer(r"^\| (\d+) \| ([^|]+) \|", text, re.MULTILINE):
        for unit in re.findall(r"`([^`]+)`", row[2]):
            name = unit.removesuffix("/").removesuffix(".py")
            layers["micromoment" if name == "__init__" else f"micromoment.{name}"] = int(row[1])
    return layers


def unit_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def import_edges(name: str, tree: ast.Module, known: set[str]) -> list[tuple[str, int]]:
    """Every micromoment module `name` imports, with the line: at the top, inside functions and
    under `if TYPE_CHECKING:` alike (a type-only import of a higher layer still depends on it)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert not node.level, f"{name} (line {node.lineno}): relative import"
            targets = [
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                for alias in node.names
            ]
        else:
            continue
        found += [
            (target, node.lineno) for target in dict.fromkeys(targets) if target in known and target != name
        ]
    return found


def test_each_unit_imports_only_lower_layers_and_no_module_cycles() -> None:
    trees = {name: tree for name, tree in modules().items() if name not in LEAVING}
    layers = layer_map()
    unplaced = sorted({unit_of(name) for name in trees} - set(layers))
    assert not unplaced, f"units with no layer in docs/architecture.md: {unplaced}"
    offending: list[str] = []
    inside: dict[str, dict[str, int]] = {name: {} for name in trees}
    for name, tree in trees.items():
        for target, line in import_edges(name, tree, set(trees)):
            if unit_of(target) == unit_of(name):
                # A package imports its own submodules to export them; that is not a cycle.
                if not target.startswith(name + "."):
                    inside[name].setdefault(target, line)
            elif layers[unit_of(target)] >= layers[unit_of(name)]:
                offending.append(f"{name} -> {target} (line {line})")
    offending += _cycles(inside)
    assert not offending, "imports against the layers:\n" + "\n".join(offending)


def _cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    """Each import that closes a cycle between modules, as `module -> imported (line N)`."""
    state: dict[str, int] = {}
    found: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        for nxt, line in sorted(graph[node].items()):
            if state.get(nxt) == 1:
                found.append(f"{node} -> {nxt} (line {line}) closes a cycle")
            elif nxt not in state:
                visit(nxt)
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


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
