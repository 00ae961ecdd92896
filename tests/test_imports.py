"""No import cycles between octavo's modules, counting function-local imports too.

A cycle hidden inside a function still couples the two modules: neither can be read, tested or
moved without the other, and the import order decides whether a name exists yet. The graph is read
from the source with `ast`, so it sees every import statement wherever it sits.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scripts" / "octavo"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of `from <dots><module> import ...` written in `importer`."""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def import_edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Every module -> the octavo modules it imports, from any statement anywhere in its source."""
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = resolve(name, is_package, node.level, node.module) if node.level else (node.module or "")
                # `from . import x` / `from .checks import scan` name submodules; otherwise the module itself.
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    targets.append(candidate if candidate in modules else base)
            elif isinstance(node, ast.Import):
                targets.extend(alias.name for alias in node.names)
            for target in targets:
                if target in modules and target != name:
                    edges[name].add(target)
                # Importing octavo.checks.scan from outside runs octavo/checks/__init__.py first: an
                # edge to the package too (from inside it, the package is already being imported).
                parts = target.split(".")
                for end in range(2, len(parts)):
                    package = ".".join(parts[:end])
                    if package in modules and not (name == package or name.startswith(package + ".")):
                        edges[name].add(package)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def all_modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def test_no_import_cycles():
    edges = import_edges(all_modules())
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_graph_sees_function_local_imports(tmp_path):
    # The detector itself must see an import written inside a function, or the test above proves nothing.
    pkg = tmp_path / "octavo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n    from octavo.c import y\n")
    (pkg / "c.py").write_text("import octavo.a\n")
    edges = import_edges(all_modules(pkg))
    assert edges["octavo.b"] == {"octavo.a", "octavo.c"}
    assert find_cycle(edges) == ["octavo.a", "octavo.b", "octavo.a"]


def test_importing_a_submodule_runs_its_package(tmp_path):
    # d imports p.leaf, which runs p/__init__, which imports d: a cycle. Inside p, leaf's import of
    # its sibling is not one.
    pkg = tmp_path / "octavo"
    (pkg / "p").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "d.py").write_text("def f():\n    from .p.leaf import x\n")
    (pkg / "p" / "__init__.py").write_text("from ..d import f\nfrom .leaf import x\n")
    (pkg / "p" / "leaf.py").write_text("from .other import y\n")
    (pkg / "p" / "other.py").write_text("y = 1\n")
    edges = import_edges(all_modules(pkg))
    assert edges["octavo.d"] == {"octavo.p.leaf", "octavo.p"}
    assert edges["octavo.p.leaf"] == {"octavo.p.other"}
    assert find_cycle(edges) == ["octavo.d", "octavo.p", "octavo.d"]


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_the_layers_the_split_promised():
    # Issue 10: layout never reaches pdf (the editions sit on top of layout, not beside it);
    # config never reaches checks (the rules it validates live in the leaf rules.py); errors
    # and rules are leaves everything may import.
    edges = import_edges(all_modules())
    assert "octavo.pdf" not in reachable(edges, "octavo.layout")
    assert "octavo.checks" not in reachable(edges, "octavo.config")
    assert "octavo.pdf" not in reachable(edges, "octavo.cover")
    assert edges["octavo.rules"] == set() and edges["octavo.errors"] == set()
