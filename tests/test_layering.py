"""The package's folders are its layers: a module imports only from its own layer or those above.

The order is the table in ``docs/architecture.md``. The walk reads every import statement (also
those inside functions) with :mod:`ast`, so a lazy import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "fake_dataverse"

# Top to bottom; a module may import from its own layer and every layer listed before it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("model", ("_model",)),
    ("storage", ("_storage",)),
    ("query", ("_query",)),
    ("messages", ("_messages",)),
    ("webapi", ("_webapi",)),
    ("interception", ("_interception",)),
    ("facade", ("_fake", "errors", "")),
    ("cli", ("_cli", "__main__")),
    ("strategies", ("strategies",)),
)


def layer_of(module: str) -> int:
    """Return the layer index of a dotted module name inside the package (``""`` is the root)."""
    first = module.split(".", 1)[0] if module else ""
    for index, (_, prefixes) in enumerate(LAYERS):
        if first in prefixes:
            return index
    raise LookupError(f"module {module!r} belongs to no layer: add it to LAYERS and the docs")


def imported_modules(tree: ast.AST, package: str) -> set[str]:
    """Return the package-relative names of every package module the tree imports."""
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name == package:
                found.add("")
            elif name.startswith(package + "."):
                found.add(name[len(package) + 1 :])
    return found


def violations(root: pathlib.Path) -> list[str]:
    """Return one line per import that runs upwards against :data:`LAYERS`."""
    package = root.name
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = ".".join(p for p in parts if p != "__init__")
        own = layer_of(module)
        for target in imported_modules(ast.parse(path.read_text(encoding="utf-8")), package):
            # `from pkg import name` names a module or an attribute; judge only real modules.
            if target and not _is_module(root, target):
                continue
            if layer_of(target) > own:
                found.append(
                    f"{module} ({LAYERS[own][0]}) imports {target or package} "
                    f"({LAYERS[layer_of(target)][0]})"
                )
    return found


def _is_module(root: pathlib.Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def test_no_module_imports_a_lower_layer() -> None:
    """Every import in the package follows the documented layer order."""
    assert [] == violations(PACKAGE)


def test_an_upward_import_is_caught(tmp_path: pathlib.Path) -> None:
    """A model module importing the Web API is reported, naming both modules and layers."""
    root = tmp_path / "fake_dataverse"
    for folder in ("_model", "_webapi"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "_webapi" / "_http.py").write_text("X = 1\n")
    (root / "_model" / "_bad.py").write_text(
        "def later():\n    from fake_dataverse._webapi._http import X\n    return X\n"
    )
    assert ["_model._bad (model) imports _webapi._http (webapi)"] == violations(root)


def test_every_folder_has_a_layer() -> None:
    """A new folder in the package must be placed in the order before it can hold code."""
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        layer_of(".".join(p for p in parts if p != "__init__"))


def test_unknown_folder_is_refused() -> None:
    """A module outside every layer is an error that says what to do."""
    with pytest.raises(LookupError, match="add it to LAYERS"):
        layer_of("_somewhere._new")
