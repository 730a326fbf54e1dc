"""The package's import graph, and the rules a newcomer's house keeps (#43).

    python tools/import_graph.py [--json]

Reads every module of `indexer/` with `ast` (imports inside functions count: a lazy
import is still a dependency) and prints:
- import circles (strongly connected modules);
- modules over MAX_LINES lines;
- modules outside `indexer/store/whoosh_ext*` that use a private Whoosh name: an attribute
  `_name` read from an object that came from Whoosh, found as a `._name` access in a
  module that imports Whoosh, or an import of a `_name` from a Whoosh module.
tests/test_static_checks.py holds each figure at or below what the code has reached, so
the redesign only moves one way.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "indexer"
MAX_LINES = 600
# what may use Whoosh's private names: the one home for extending Whoosh
WHOOSH_HOME = re.compile(r"^indexer\.store\.whoosh_ext(\.|$)")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
                break
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def whoosh_private_names() -> set[str]:
    """The private names Whoosh defines: its functions, methods, classes and the
    attributes it assigns whose names start with one underscore."""
    import whoosh

    names: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        try:
            with warnings.catch_warnings():  # Whoosh's own invalid escapes
                warnings.simplefilter("ignore")
                tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def _whoosh_bound(tree: ast.Module) -> set[str]:
    """The names a module binds to something of Whoosh's (imports from it)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            bound.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                         if alias.name.startswith("whoosh"))
    return bound


def _subclasses_whoosh(node: ast.ClassDef, bound: set[str]) -> bool:
    for base in node.bases:
        root = base
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in bound:
            return True
    return False


def private_whoosh_uses(path: Path, private: set[str]) -> int:
    """Uses of Whoosh's private names in a module that imports Whoosh: a name imported
    from it (`_DEF_INDEX_NAME`); an attribute of another object (`ix._segments()`); in a
    subclass of a Whoosh class, its methods that override one (`def _read_toc`) and its
    own attributes of those names. Names are told apart by name alone: one that this
    package and Whoosh both use, read from another object, is counted (`shard._ix`), and
    a self's attribute outside a Whoosh subclass is taken for ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound = _whoosh_bound(tree)
    if not bound:
        return 0
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            count += sum(alias.name.startswith("_") for alias in node.names)
        elif isinstance(node, ast.Attribute) and node.attr in private and not (
                isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            count += 1
        elif isinstance(node, ast.ClassDef) and _subclasses_whoosh(node, bound):
            for item in ast.walk(node):
                if isinstance(item, ast.FunctionDef) and item.name in private \
                        and item in node.body:
                    count += 1
                elif isinstance(item, ast.Attribute) and item.attr in private \
                        and isinstance(item.value, ast.Name) and item.value.id == "self":
                    count += 1
    return count


def measure() -> dict:
    found = modules()
    known = set(found)
    graph = {name: imports_of(name, path, known) for name, path in found.items()}
    lines = {name: len(path.read_text(encoding="utf-8").splitlines())
             for name, path in found.items()}
    names = whoosh_private_names()
    private = {name: private_whoosh_uses(path, names) for name, path in found.items()
               if not WHOOSH_HOME.match(name)}
    return {
        "circles": circles(graph),
        "over_max_lines": {name: n for name, n in sorted(lines.items()) if n > MAX_LINES},
        "private_whoosh_outside_home": {name: n for name, n in sorted(private.items()) if n},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    found = measure()
    if args.json:
        print(json.dumps(found, indent=2))
        return
    print(f"circles: {len(found['circles'])}")
    for circle in found["circles"]:
        print("  " + " <-> ".join(circle))
    print(f"modules over {MAX_LINES} lines: {len(found['over_max_lines'])}")
    for name, n in found["over_max_lines"].items():
        print(f"  {name} {n}")
    uses = found["private_whoosh_outside_home"]
    print(f"private Whoosh names outside indexer.store.whoosh_ext: {sum(uses.values())} in "
          f"{len(uses)} modules")
    for name, n in uses.items():
        print(f"  {name} {n}")


if __name__ == "__main__":
    main()
