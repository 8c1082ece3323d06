"""The import contract of the package: the layout stays what ARCHITECTURE.md says.

- no import circles between claimbench's modules (imports inside functions count too);
- report parts import no child-process code;
- expectations (claimbench/claims/) read only the runtime fingerprint: they import no module
  that reads the machine, starts processes or measures;
- the measuring core imports nothing of the report or the commands.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "claimbench"

CHILD_CODE = {"claimbench.workloads", "claimbench.probes", "claimbench.probes_cost", "claimbench.probes_io",
              "claimbench.probes_pool", "claimbench.probes_interp", "claimbench.planted", "claimbench.ways",
              "claimbench.pagemap"}
REPORT = {"claimbench.report", "claimbench.plots", "claimbench.document"}
COMMANDS = {"claimbench.cli", "claimbench.matrix", "claimbench.stability", "claimbench.sessions",
            "claimbench.interpreters", "claimbench.preflight", "claimbench.__main__"}
EXPECTATIONS_MAY_IMPORT = {"claimbench.runtime", "claimbench.verdicts", "claimbench.stats", "claimbench.labels"}


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
            targets = submodules or [base]  # `from . import stats` imports claimbench.stats, not claimbench
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


def without_registry_discovery(g):
    """claims/__init__ finds its family modules by name (importlib), and they import it: that
    is the registry, not a circle."""
    return {m: {t for t in ts if not (m == "claimbench.claims" and t.startswith("claimbench.claims."))}
            for m, ts in g.items()}


def test_no_import_circles():
    assert cycles(without_registry_discovery(graph())) == []


def test_report_parts_import_no_child_process_code():
    g = graph()
    report = {m for m in g if m.startswith("claimbench.sections") or m in REPORT}
    bad = {m: sorted(g[m] & CHILD_CODE) for m in report if g[m] & CHILD_CODE}
    assert bad == {}


def test_expectations_read_only_the_fingerprint():
    g = graph()
    claims = {m for m in g if m == "claimbench.claims" or m.startswith("claimbench.claims.")}
    bad = {m: sorted(t for t in g[m] - claims if t not in EXPECTATIONS_MAY_IMPORT) for m in claims}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_the_measuring_core_imports_no_report_and_no_command():
    g = graph()
    core = CHILD_CODE | {"claimbench.measure", "claimbench.stats", "claimbench.runtime", "claimbench.verdicts"}
    bad = {m: sorted(g[m] & (REPORT | COMMANDS)) for m in core if m in g and g[m] & (REPORT | COMMANDS)}
    assert bad == {}


def test_the_contract_sees_an_import_circle(tmp_path):
    """The checker itself: a planted circle is found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
