"""The import contract of the package: the layout stays what ARCHITECTURE.md draws.

Layers, lowest first: the measuring core (``claimbench.core``); the claims (the registry
``claimbench.claims`` and each family's ``claims``, ``decide`` and ``data``); the code child processes
run (each family's ``child``, and the core's modules named in CORE_CHILD_CODE); the report
(``claimbench.report`` and each family's ``report``); the pytest plugin; the commands. Outside the
package: the experiments (``experiments/``) and the examples (``examples/``).

A module's imports are its ``import`` statements (inside functions too) and the module names it
gives as strings: a literal ``"claimbench...."`` (``-m claimbench....`` in a subprocess's arguments,
``importlib.import_module("claimbench....")``), and a name built by an f-string or ``"...".format``
from literals, the module's own ``__name__``/``__package__``, its module-level string constants (or
dicts, tuples of them) and, for anything else, one name of any module (``f"claimbench.families.{x}.child"``
names every family's child). The registry's by-name lookup ``claims.family_modules("report")`` is read
as importing every family's ``report`` (the caller's dependency, not the registry's).

Rules (each with a planted violation below that it must report):
- no import circles between claimbench's modules, except ALLOWED_CIRCLE's edges (with their reason);
- the measuring core imports nothing outside itself, by statement or by string;
- expectations read only the runtime fingerprint: claims modules import the registry, their own
  family's claims, decide and data, and of the core only EXPECTATIONS_MAY_IMPORT;
- child code imports the core and its own family, nothing of the report, the plugin or the commands;
- report code imports no child-process code, no plugin and no command;
- the plugin imports no command;
- a family imports no other family: one claim in one place;
- an experiment imports the core, the registry, and the claims, decide, data and child of the families
  whose claims it tests (``@pytest.mark.claim``): no report, no plugin, no command, no other family;
- an example imports only the public ``claimbench`` names or the core.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Callable, Dict, List, Set

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "claimbench"
OUTSIDE = (ROOT / "experiments", ROOT / "examples")  # modules that import claimbench, not part of it

CORE_CHILD_CODE = {"claimbench.core." + m for m in ("workloads", "ways", "planted", "pagemap", "subinterpreters")}
EXPECTATIONS_MAY_IMPORT = {"claimbench.core." + m for m in ("runtime", "verdicts", "stats", "labels", "decision")}
REGISTRY = "claimbench.claims"
# The registry's lookup by name: a call of these with a literal submodule names every family's one.
LOOKUPS = ("family_modules", "family_module_names")
# The one circle allowed: the registry finds the families' claims by name when it is first imported
# (``REGISTRY = _discover()``), and each family's claims import the registry for ``Claim`` and its
# expectation helpers. It holds because ``Claim`` and the helpers are defined before ``_discover()``
# runs (test_the_registry_defines_what_families_import_before_it_discovers_them); the registry's
# other lookups (``child``, ``report``) are its callers' imports and make no circle.
ALLOWED_CIRCLE = {(REGISTRY, "claimbench.families.*.claims")}
DOTTED = re.compile(r"^claimbench(\.[A-Za-z_]\w*)+$")
ANY_NAME = r"[A-Za-z_]\w*"


# ---------------------------------------------------------------- layers
def family_of(module: str):
    """("c_cost", "child") for claimbench.families.c_cost.child(.waits); None outside the families."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "claimbench" and parts[1] == "families":
        return parts[2], (parts[3] if len(parts) > 3 else "")
    return None


def layer_of(module: str) -> str:
    if module.startswith("experiments."):
        return "experiment"
    if module.startswith("examples."):
        return "example"
    fam = family_of(module)
    if fam:
        return {"claims": "claims", "data": "claims", "decide": "claims", "child": "child", "report": "report",
                "": "claims"}.get(fam[1], "?")
    if module in CORE_CHILD_CODE:
        return "child"
    top = module.split(".")[1] if "." in module else ""
    return {"core": "core", "claims": "claims", "families": "claims", "report": "report", "plugin": "plugin",
            "commands": "commands", "__main__": "commands", "": "core"}.get(top, "?")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def outside_modules() -> Dict[str, Path]:
    return {module_name(path): path for folder in OUTSIDE for path in folder.rglob("*.py")
            if "__pycache__" not in path.parts}


# ---------------------------------------------------------------- reading a module's imports
def _constants(tree: ast.Module, name: str, path: Path) -> Dict[str, List[str]]:
    """The module-level names bound to strings (or to dicts, tuples, lists of strings): their values."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = {"__name__": [name], "__package__": [package]}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            items = (list(value.values) if isinstance(value, ast.Dict)
                     else list(value.elts) if isinstance(value, (ast.Tuple, ast.List, ast.Set)) else [value])
            strings = [v.value for v in items if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if strings and len(strings) == len(items):
                out[node.targets[0].id] = strings
    return out


def _alternatives(node: ast.expr, constants: Dict[str, List[str]]) -> str:
    """A regex for what a formatted value may be: a known constant's values, else any one name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return "(?:" + "|".join(re.escape(v) for v in constants[node.id]) + ")"
    return ANY_NAME


def string_patterns(tree: ast.Module, name: str, path: Path) -> List[str]:
    """Regexes of the module names ``name`` gives as strings (see the module docstring)."""
    constants = _constants(tree, name, path)
    out = []

    def add(pattern: str):
        # only names that say the package, literally or through a constant: "{}.{}" names nothing
        if "claimbench" in pattern:
            out.append(pattern)

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):
            out.append(re.escape(node.value))
        elif isinstance(node, ast.JoinedStr) and all(re.fullmatch(r"[\w.]*", v.value) for v in node.values
                                                          if isinstance(v, ast.Constant)):
            add("".join(re.escape(v.value) if isinstance(v, ast.Constant) else _alternatives(v.value, constants)
                        for v in node.values))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
              and re.fullmatch(r"[\w.{}]*", node.func.value.value) and "{" in node.func.value.value):
            pieces = re.split(r"\{\}", node.func.value.value)
            if len(pieces) == len(node.args) + 1 and all("{" not in p and "}" not in p for p in pieces):
                pattern = re.escape(pieces[0])
                for arg, piece in zip(node.args, pieces[1:]):
                    pattern += _alternatives(arg, constants) + re.escape(piece)
                add(pattern)
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
              and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) in LOOKUPS
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append(r"claimbench\.families\." + ANY_NAME + r"\." + re.escape(node.args[0].value))
    return out


def runs_of(tree: ast.Module) -> Set[str]:
    """The claimbench modules a module runs as a new interpreter: ``[python, "-m", "claimbench...", ...]``
    (``-m claimbench`` runs its ``__main__``)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple)):
            for flag, arg in zip(node.elts, node.elts[1:]):
                if (isinstance(flag, ast.Constant) and flag.value == "-m" and isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str) and re.fullmatch(r"claimbench(\.\w+)*", arg.value)):
                    out.add(arg.value if "." in arg.value else "claimbench.__main__")
    return out


# module -> the modules it runs as new interpreters (from imports_of): layer rules read them as
# imports; the circle rule does not, a new interpreter sharing no import order with its parent.
RUNS: Dict[str, Set[str]] = {}


def imports_of(name: str, path: Path, known, source: str = None) -> Set[str]:
    """The package modules that ``name`` imports, anywhere in it, by statement or by string."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    out = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            targets = submodules or [base]  # `from . import stats` imports claimbench.core.stats, not claimbench
        for t in targets:
            while t and t not in known and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in known and t != name:
                out.add(t)
    for pattern in string_patterns(tree, name, path):
        matched = {m for m in known if re.fullmatch(pattern, m)}
        literal = pattern.replace("\\", "")
        if not matched and re.escape(literal) == pattern:  # "claimbench.core.sandbox.main": the module holding it
            while "." in literal and literal not in known:
                literal = literal.rsplit(".", 1)[0]
            matched = {literal} if literal in known else set()
        out |= matched - {name}
    runs = {t for t in runs_of(tree) if t in known and t != name}
    RUNS[name] = runs
    out |= runs
    if name == REGISTRY:  # its own lookup names every family's every module; it imports only their claims
        out = {t for t in out if not family_of(t) or family_of(t)[1] == "claims" or family_of(t)[1] == ""}
    return out


_GRAPH: Dict[str, Set[str]] = {}


def graph() -> Dict[str, Set[str]]:
    """Every module of claimbench, experiments/ and examples/ -> the claimbench modules it imports."""
    if not _GRAPH:
        known = modules()
        for name, path in {**known, **outside_modules()}.items():
            _GRAPH[name] = imports_of(name, path, known)
    return _GRAPH


def package_graph() -> Dict[str, Set[str]]:
    return {m: ts for m, ts in graph().items() if m == "claimbench" or m.startswith("claimbench.")}


# ---------------------------------------------------------------- circles
def cycles(g: Dict[str, Set[str]]):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
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


def allowed_edge(m: str, t: str) -> bool:
    return any(re.fullmatch(re.escape(a).replace(r"\*", ANY_NAME), m)
               and re.fullmatch(re.escape(b).replace(r"\*", ANY_NAME), t) for a, b in ALLOWED_CIRCLE)


def check_circles(g: Dict[str, Set[str]]):
    """The circles left once ALLOWED_CIRCLE's edges are taken out."""
    return cycles({m: {t for t in ts if not allowed_edge(m, t) and t not in RUNS.get(m, ())} for m, ts in g.items()})


# ---------------------------------------------------------------- the layer rules
def offenders(allowed: Callable[[str, str], bool], g: Dict[str, Set[str]]):
    """{module: [imports it may not make]} under ``allowed(module, target) -> bool``."""
    bad = {m: sorted(t for t in ts if not allowed(m, t)) for m, ts in g.items()}
    return {m: ts for m, ts in bad.items() if ts}


def core_only(m, t):
    return layer_of(m) != "core" or m == "claimbench" or t.startswith("claimbench.core.")


def expectations(m, t):
    if layer_of(m) != "claims" or not family_of(m):
        return True  # the registry itself: its lookup is ALLOWED_CIRCLE's business
    if t == REGISTRY or t.startswith(REGISTRY + ".") or t in EXPECTATIONS_MAY_IMPORT:
        return True
    return family_of(t) is not None and family_of(t)[0] == family_of(m)[0] and layer_of(t) == "claims"


def child_code(m, t):
    if layer_of(m) != "child":
        return True
    if not family_of(m):  # the core's child code: the core only
        return t.startswith("claimbench.core.")
    return t.startswith("claimbench.core.") or (family_of(t) is not None and family_of(t)[0] == family_of(m)[0]
                                                 and layer_of(t) in ("child", "claims"))


def report_code(m, t):
    return layer_of(m) != "report" or layer_of(t) not in ("child", "plugin", "commands")


def plugin_code(m, t):
    return layer_of(m) != "plugin" or layer_of(t) != "commands"


def one_family(m, t):
    return not (family_of(m) and family_of(t)) or family_of(m)[0] == family_of(t)[0]


def experiment_code(m, t):
    if layer_of(m) != "experiment":
        return True
    if t == "claimbench" or t.startswith("claimbench.core.") or t == REGISTRY or t.startswith(REGISTRY + "."):
        return True
    return family_of(t) is not None and family_of(t)[1] in ("claims", "decide", "data", "child")


def claims_of_families() -> Dict[str, Set[str]]:
    """{family: the strings its claims module holds}: its claims' ids among them."""
    return {path.parent.name: {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                               if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            for path in PACKAGE.glob("families/*/claims.py")}


def marked_claims(path: Path) -> Set[str]:
    """The claim ids an experiment's tests are marked with (``@pytest.mark.claim("id")`` or a
    module-level constant)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _constants(tree, "", path)
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "claim" and n.args:
            arg = n.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.add(arg.value)
            elif isinstance(arg, ast.Name):
                out |= set(constants.get(arg.id, ()))
    return out


def experiment_families(g: Dict[str, Set[str]], marked: Dict[str, Set[str]], families: Dict[str, Set[str]]):
    """{experiment: [families it imports whose claims it does not test]}."""
    out = {}
    for m, ts in g.items():
        if layer_of(m) != "experiment":
            continue
        own = {f for f, ids in families.items() if marked.get(m, set()) & ids}
        others = sorted({family_of(t)[0] for t in ts if family_of(t)} - own)
        if others:
            out[m] = others
    return out


def example_code(m, t):
    return layer_of(m) != "example" or t == "claimbench" or t.startswith("claimbench.core.")


RULES = {"core": core_only, "expectations": expectations, "child": child_code, "report": report_code,
         "plugin": plugin_code, "family": one_family, "experiment": experiment_code, "example": example_code}


# ---------------------------------------------------------------- the contract on the code
def test_every_module_has_a_layer():
    assert {m: layer_of(m) for m in graph() if layer_of(m) == "?"} == {}


def test_the_contract_reads_the_outside_and_the_strings():
    """Not an empty graph: experiments and examples are read, and the names given as strings."""
    g = graph()
    assert any(layer_of(m) == "experiment" for m in g) and any(layer_of(m) == "example" for m in g)
    assert "claimbench.families.a_concepts.claims" in g[REGISTRY]  # through its f-string
    assert "claimbench.families.c_cost.report" in g["claimbench.report.builder"]  # family_modules("report")
    assert "claimbench.core.workloads" in g["claimbench.plugin.configure"]  # a literal name


def test_no_import_circles():
    assert check_circles(package_graph()) == []


def test_the_allowed_circle_is_there_and_only_through_the_registry():
    """ALLOWED_CIRCLE is not stale: the registry does import families' claims, each imports it back."""
    g = package_graph()
    family_claims = [m for m in g if family_of(m) and family_of(m)[1] == "claims"]
    assert family_claims and all(m in g[REGISTRY] for m in family_claims)
    assert all(any(t == REGISTRY or t.startswith(REGISTRY + ".") for t in g[m]) for m in family_claims)


def test_the_registry_defines_what_families_import_before_it_discovers_them():
    """Why ALLOWED_CIRCLE holds: every name a family's claims take from the registry is bound above
    the line that imports the families (``REGISTRY = _discover()``)."""
    tree = ast.parse((PACKAGE / "claims" / "__init__.py").read_text(encoding="utf-8"))
    discover_line = next(n.lineno for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                         and "_discover" in ast.dump(n.value))
    bound = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.lineno < discover_line}
    taken = set()
    for path in PACKAGE.glob("families/*/claims.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 3 and node.module == "claims":
                taken |= {a.name for a in node.names}
    assert taken and taken <= bound


def test_the_measuring_core_imports_only_the_core():
    assert offenders(core_only, graph()) == {}


def test_expectations_read_only_the_fingerprint():
    assert offenders(expectations, graph()) == {}


def test_child_code_imports_the_core_and_its_own_family_only():
    assert offenders(child_code, graph()) == {}


def test_report_code_imports_no_child_code_no_plugin_and_no_command():
    assert offenders(report_code, graph()) == {}


def test_the_plugin_imports_no_command():
    assert offenders(plugin_code, graph()) == {}


def test_a_family_imports_no_other_family():
    assert offenders(one_family, graph()) == {}


def test_experiments_import_the_core_the_registry_and_their_family():
    assert offenders(experiment_code, graph()) == {}
    marked = {m: marked_claims(path) for m, path in outside_modules().items() if layer_of(m) == "experiment"}
    assert experiment_families(graph(), marked, claims_of_families()) == {}


def test_examples_import_only_the_public_names_and_the_core():
    assert offenders(example_code, graph()) == {}


# ---------------------------------------------------------------- each rule catches its planted violation
PLANTED = {  # rule: (module, the one import it may not make)
    "core": ("claimbench.core.sandbox", "claimbench.families.c_cost.child"),
    "expectations": ("claimbench.families.c_cost.claims", "claimbench.core.measure"),
    "child": ("claimbench.families.c_cost.child.waits", "claimbench.report.plots"),
    "report": ("claimbench.families.c_cost.report", "claimbench.families.c_cost.child"),
    "plugin": ("claimbench.plugin.configure", "claimbench.commands.cli"),
    "family": ("claimbench.families.c_cost.decide", "claimbench.families.d_examples.data"),
    "experiment": ("experiments.test_gil", "claimbench.report.builder"),
    "example": ("examples.asyncio-docs.test_asyncio_docs", "claimbench.families.d_examples.child"),
}
BENIGN = {  # imports every rule allows, around each planted one
    "claimbench.core.sandbox": {"claimbench.core.records"},
    "claimbench.families.c_cost.claims": {REGISTRY, "claimbench.core.verdicts", "claimbench.families.c_cost.data"},
    "claimbench.families.c_cost.child.waits": {"claimbench.core.workloads", "claimbench.families.c_cost.data"},
    "claimbench.families.c_cost.report": {"claimbench.report.plots", "claimbench.families.c_cost.data"},
    "claimbench.plugin.configure": {REGISTRY, "claimbench.core.runtime"},
    "claimbench.families.c_cost.decide": {"claimbench.core.decision"},
    "experiments.test_gil": {"claimbench.core.measure", "claimbench.families.e_rule_of_thumb.decide"},
    "examples.asyncio-docs.test_asyncio_docs": {"claimbench", "claimbench.core.stats"},
}


def test_each_rule_passes_the_benign_graph():
    assert {rule: offenders(check, BENIGN) for rule, check in RULES.items() if offenders(check, BENIGN)} == {}


def test_each_rule_catches_its_planted_violation():
    assert set(PLANTED) == set(RULES)
    for rule, (module, target) in PLANTED.items():
        g = {m: set(ts) for m, ts in BENIGN.items()}
        g[module].add(target)
        assert offenders(RULES[rule], g) == {module: [target]}, rule


def test_the_circle_rule_catches_a_planted_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    planted = {"claimbench.core.stats": {"claimbench.core.labels"}, "claimbench.core.labels": {"claimbench.core.stats"}}
    assert check_circles(planted) == [["claimbench.core.labels", "claimbench.core.stats"]]
    # the allowed edge does not excuse another circle through the registry
    planted = {REGISTRY: {"claimbench.families.c_cost.claims", "claimbench.report.plots"},
               "claimbench.families.c_cost.claims": {REGISTRY}, "claimbench.report.plots": {REGISTRY}}
    assert check_circles(planted) == [[REGISTRY, "claimbench.report.plots"]]


def test_an_experiment_importing_a_family_whose_claims_it_does_not_test_is_caught():
    g = {"experiments.test_gil": {"claimbench.families.e_rule_of_thumb.decide", "claimbench.families.c_cost.data"}}
    families = {"c_cost": {"process-creation-expensive"}, "e_rule_of_thumb": {"gil-released-on-io-wait"}}
    assert experiment_families(g, {"experiments.test_gil": {"gil-released-on-io-wait"}}, families) == {
        "experiments.test_gil": ["c_cost"]}


PLANTED_SOURCES = {  # a module of the core naming a family by string, each way the contract reads
    "-m": 'import subprocess, sys\nsubprocess.run([sys.executable, "-m", "claimbench.families.c_cost.child"])\n',
    "import_module": 'import importlib\nimportlib.import_module("claimbench.families.c_cost.child")\n',
    "f-string": 'import importlib\n\ndef load(family):\n'
                '    return importlib.import_module(f"claimbench.families.{family}.child")\n',
    "constant": 'import importlib\nFAMILIES = "claimbench.families"\n\ndef load(family):\n'
                '    return importlib.import_module(f"{FAMILIES}.{family}.child")\n',
    ".format": 'import importlib\n\ndef load(family):\n'
               '    return importlib.import_module("claimbench.families.{}.child".format(family))\n',
    "lookup": 'from .. import claims\n\ndef load():\n    return claims.family_modules("child")\n',
}


def test_the_core_rule_catches_a_family_named_by_string(tmp_path):
    known = modules()
    name = "claimbench.core.planted_by_the_contract"
    for how, source in PLANTED_SOURCES.items():
        path = tmp_path / "planted_by_the_contract.py"
        path.write_text(source, encoding="utf-8")
        found = imports_of(name, path, known)
        assert "claimbench.families.c_cost.child" in offenders(core_only, {name: found}).get(name, []), (how, found)
