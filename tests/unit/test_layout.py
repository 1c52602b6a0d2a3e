"""The house rules of the layout (DESIGN.md, "Architecture"), read from the source.

Arrows point down: the domain imports no framework and no storage, handlers reach storage only
through the unit of work, the workers in ``bot/workers`` import no handler, the emulator imports
nothing of the bot. No import circle between the project's modules, and no module borrows
another module's ``_private`` name. Only module-level imports count (an import inside a function
or under ``TYPE_CHECKING`` runs late or never, so it cannot close a circle at import time).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agendas", "storage", "handlers", "bot", "bot_api_emulator", "web")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = project_modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
    return found


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if MODULES[module].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str) -> dict[str, list[str]]:
    """The modules ``module`` imports at load time, with the names it takes from each."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    result: dict[str, list[str]] = {}
    for node in _top_level_imports(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                result.setdefault(alias.name, [])
            continue
        source = _resolve(module, node)
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in MODULES:
                result.setdefault(submodule, [])
            else:
                result.setdefault(source, []).append(alias.name)
    return result


GRAPH = {module: imports_of(module) for module in MODULES}


def _project_targets(module: str) -> set[str]:
    """Project modules loaded by ``module``'s imports (a package's ``__init__`` included)."""
    targets: set[str] = set()
    for imported in GRAPH[module]:
        parts = imported.split(".")
        for end in range(1, len(parts) + 1):
            name = ".".join(parts[:end])
            # A package this module lives in is being loaded already: no edge back to it.
            if name in MODULES and not _starts(module, name):
                targets.add(name)
    return targets


def _starts(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def offenders(source: str, forbidden: tuple[str, ...], exempt: tuple[str, ...] = ()) -> list[str]:
    return sorted(
        f"{module} imports {imported}"
        for module in MODULES
        if _starts(module, source) and module not in exempt
        for imported in GRAPH[module]
        if any(_starts(imported, f) for f in forbidden)
    )


def test_the_scan_sees_the_layout() -> None:
    """The scan is not vacuous: it finds modules of every package and their known imports."""
    assert {m.split(".")[0] for m in MODULES} == set(PACKAGES)
    assert "agendas.ports" in GRAPH["storage.uow"]
    assert "aiogram" in GRAPH["handlers.chat"] or any(
        _starts(m, "aiogram") for m in GRAPH["handlers.chat"]
    )


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("agendas", ("aiogram", "sqlmodel", "sqlalchemy", "storage", "handlers", "bot", "web")),
        ("storage", ("handlers", "bot", "web")),
        ("handlers", ("storage", "sqlmodel", "sqlalchemy", "bot", "web")),
        ("web", ("storage", "sqlmodel", "sqlalchemy", "bot", "handlers", "aiogram")),
        ("bot.workers", ("handlers", "web")),
        ("bot_api_emulator", ("agendas", "storage", "handlers", "bot", "web")),
    ],
)
def test_arrows_point_down(source: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(source, forbidden) == []


def test_storage_speaks_aiogram_only_as_the_dialog_state_backend() -> None:
    """``storage.fsm`` is aiogram's dialog-state storage on our database; nothing else in
    storage knows the framework."""
    assert offenders("storage", ("aiogram",), exempt=("storage.fsm",)) == []
    assert offenders("storage.fsm", ("aiogram",)) != []


def test_no_import_circle() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(_project_targets(module)):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_no_module_borrows_a_private_name() -> None:
    borrowed = sorted(
        f"{module} takes {name} from {source}"
        for module, imported in GRAPH.items()
        for source, names in imported.items()
        if source.split(".")[0] in PACKAGES
        for name in names
        if name.startswith("_") and not name.startswith("__")
    )
    private_modules = sorted(
        f"{module} imports {source}"
        for module, imported in GRAPH.items()
        for source in imported
        if source.split(".")[0] in PACKAGES
        and any(p.startswith("_") and not p.startswith("__") for p in source.split("."))
    )
    assert borrowed == []
    assert private_modules == []
