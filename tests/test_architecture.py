"""The layers only point down, and no module imports itself in a loop.

    portal, exemptions.apps                       wiring
    views, admin, management commands, forms      the web and the command line
    tasks, emails, documents (PDFs)               work done for a row, given its id
    services (writes), selectors (reads)          every state change and every non-trivial read
    rules                                         windows, workflow, identifiers, completeness, reasons, ...
    models

A module may import its own layer or any lower one. Every import counts, also one written inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Longest matching prefix wins.
LAYERS = {
    "exemptions.models": 0,
    "exemptions.windows": 1,
    "exemptions.urgency": 1,
    "exemptions.workflow": 1,
    "exemptions.identifiers": 1,
    "exemptions.csv_safe": 1,
    "exemptions.completeness": 1,
    "exemptions.reasons": 1,
    "exemptions.roles": 1,
    "exemptions.reminder_keys": 1,
    "exemptions.taxonomy": 1,
    "exemptions.nppes": 1,
    "exemptions.registry_sample": 1,
    "exemptions.contact": 1,
    "exemptions.facts": 1,
    "exemptions.payment_impact": 1,
    "exemptions.eligibility": 1,
    "exemptions.addresses": 1,
    "exemptions.progress": 1,
    "exemptions.selectors": 2,
    "exemptions.services": 2,
    "exemptions.tasks": 3,
    "exemptions.emails": 3,
    "exemptions.documents": 3,
    "exemptions.views": 4,
    "exemptions.admin": 4,
    "exemptions.management": 4,
    "exemptions.forms": 4,
    "exemptions.forms_groups": 4,
    "exemptions.forms_informal": 4,
    "exemptions.forms_tools": 4,
    "exemptions.form_fields": 4,
    "exemptions.forms_steps": 4,
    "exemptions.csv_import": 4,
    "exemptions.exports": 4,
    "exemptions.downloads": 4,
    "exemptions.outcomes": 4,
    "exemptions.paginators": 4,
    "exemptions.templatetags": 4,
    "exemptions.context_processors": 4,
    "exemptions.urls": 4,
    "exemptions.apps": 5,
    "exemptions": 5,  # the package's __init__
    "portal": 5,
}
NAMES = {0: "models", 1: "rules", 2: "services/selectors", 3: "tasks/emails/documents", 4: "web", 5: "wiring"}


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in ("exemptions", "portal"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules `module` imports, anywhere in the file (function-level imports included)."""
    found = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")[: len(module.split(".")) - (node.level - 1) - (0 if is_package else 1)]
                base = ".".join([*parts, base] if base else parts)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != module or target.startswith("bench"):
                found.add(target)
    # `from . import x` names the package itself too; the submodule is the real dependency.
    return {t for t in found if not any(o.startswith(t + ".") for o in found) or t.startswith("bench")}


def layer(module: str) -> int:
    best = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return LAYERS[best]


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def test_every_project_module_has_a_layer():
    for module in project_modules():
        assert layer(module) in NAMES, module


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{module} ({NAMES[layer(module)]}) imports {target} ({NAMES[layer(target)]})"
        for module, targets in graph().items()
        for target in targets
        if not target.startswith("bench") and layer(target) > layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_production_code_never_imports_the_benchmarks():
    assert [m for m, targets in graph().items() if any(t.startswith("bench") for t in targets)] == []


def test_no_import_loops():
    edges = graph()
    loops = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                loops.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not loops, "\n".join(loops)


def test_the_check_sees_an_upward_import_and_a_loop(tmp_path):
    """The checks above can fail: a service that imports a task, and two modules that import each other."""
    modules = {"exemptions.services.a": tmp_path / "a.py", "exemptions.tasks.b": tmp_path / "b.py"}
    modules["exemptions.services.a"].write_text("def f():\n    from ..tasks.b import g\n")
    modules["exemptions.tasks.b"].write_text("from ..services.a import f\n")
    a = imports_of("exemptions.services.a", modules["exemptions.services.a"], modules)
    b = imports_of("exemptions.tasks.b", modules["exemptions.tasks.b"], modules)
    assert a == {"exemptions.tasks.b"} and layer("exemptions.tasks.b") > layer("exemptions.services.a")
    assert b == {"exemptions.services.a"}


def test_no_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in [*ROOT.glob("exemptions/**/*.py"), *ROOT.glob("portal/*.py")]
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > 400
    }
    assert long == {}
