"""The import contract of the package: the layout stays what ARCHITECTURE.md draws.

Layers, lowest first: the measuring core (``claimbench.core``); the claims (the registry
``claimbench.claims`` and each family's ``claims`` and ``data``); the code child processes run
(each family's ``child``, and the core's modules named in CHILD_CODE); the report
(``claimbench.report`` and each family's ``report``); the pytest plugin; the commands.

- no import circles between claimbench's modules (imports inside functions count too);
- the measuring core imports nothing outside itself;
- expectations read only the runtime fingerprint: claims modules import the registry, their own
  family's claims and data, and of the core only the fingerprint, verdicts, stats and labels;
- child code imports the core and its own family, nothing of the report, the plugin or the commands;
- report code imports no child-process code, no plugin and no command;
- the plugin imports no command;
- a family imports no other family: one claim in one place.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "claimbench"

CORE_CHILD_CODE = {"claimbench.core." + m for m in ("workloads", "ways", "planted", "pagemap", "subinterpreters")}
EXPECTATIONS_MAY_IMPORT = {"claimbench.core." + m for m in ("runtime", "verdicts", "stats", "labels", "decision")}


def family_of(module: str):
    """("c_cost", "child") for claimbench.families.c_cost.child; None outside the families."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "families":
        return parts[2], (parts[3] if len(parts) > 3 else "")
    return None


def layer_of(module: str) -> str:
    fam = family_of(module)
    if fam:
        return {"claims": "claims", "data": "claims", "decide": "claims", "child": "child", "report": "report",
                "": "claims"}.get(fam[1], "?")
    if module in CORE_CHILD_CODE:
        return "child"
    top = module.split(".")[1] if "." in module else ""
    return {"core": "core", "claims": "claims", "families": "claims", "report": "report", "plugin": "plugin",
            "commands": "commands", "__main__": "commands", "": "core"}.get(top, "?")


def modules() -> Dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known) -> Set[str]:
    """The package modules that ``name`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            submodules = ["{}.{}".format(base, a.name) for a in node.names if "{}.{}".format(base, a.name) in known]
            targets = submodules or [base]  # `from . import stats` imports claimbench.core.stats, not claimbench
        for t in targets:
            while t and t not in known and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in known and t != name:
                out.add(t)
    return out


def graph() -> Dict[str, Set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(g: Dict[str, Set[str]]):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer():
    assert {m: layer_of(m) for m in graph() if layer_of(m) == "?"} == {}


def test_no_import_circles():
    assert cycles(graph()) == []


def offenders(allowed):
    """{module: [imports it may not make]} under ``allowed(module, target) -> bool``."""
    g = graph()
    bad = {m: sorted(t for t in ts if not allowed(m, t)) for m, ts in g.items()}
    return {m: ts for m, ts in bad.items() if ts}


def test_the_measuring_core_imports_only_the_core():
    assert offenders(lambda m, t: layer_of(m) != "core" or m == "claimbench" or layer_of(t) in ("core", "child")
                     and t.startswith("claimbench.core.")) == {}


def test_expectations_read_only_the_fingerprint():
    def allowed(m, t):
        if layer_of(m) != "claims":
            return True
        if t == "claimbench.claims" or t.startswith("claimbench.claims.") or t in EXPECTATIONS_MAY_IMPORT:
            return True
        return family_of(t) is not None and family_of(t)[0] == family_of(m)[0] and layer_of(t) == "claims"
    assert offenders(allowed) == {}


def test_child_code_imports_the_core_and_its_own_family_only():
    def allowed(m, t):
        if layer_of(m) != "child" or not family_of(m):
            return True
        return t.startswith("claimbench.core.") or (family_of(t) is not None and family_of(t)[0] == family_of(m)[0]
                                                     and layer_of(t) in ("child", "claims"))
    assert offenders(allowed) == {}


def test_report_code_imports_no_child_code_no_plugin_and_no_command():
    assert offenders(lambda m, t: layer_of(m) != "report" or layer_of(t) not in ("child", "plugin", "commands")) == {}


def test_the_plugin_imports_no_command():
    assert offenders(lambda m, t: layer_of(m) != "plugin" or layer_of(t) != "commands") == {}


def test_a_family_imports_no_other_family():
    assert offenders(lambda m, t: not (family_of(m) and family_of(t)) or family_of(m)[0] == family_of(t)[0]) == {}


def test_the_contract_sees_an_import_circle(tmp_path):
    """The checker itself: a planted circle is found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_contract_sees_a_report_part_that_imports_child_code():
    """The checker itself: a family's report importing its child code is caught."""
    assert layer_of("claimbench.families.c_cost.report") == "report"
    assert layer_of("claimbench.families.c_cost.child") == "child"
    assert layer_of("claimbench.core.workloads") == "child" and layer_of("claimbench.core.stats") == "core"
