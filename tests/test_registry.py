"""The claim registry agrees with the experiments and with CLAIMS.md.

The experiments are read with ``ast``, never imported: importing them would
need their fixtures, and a broken experiment must not hide a registry problem.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from claimbench import claims
from claimbench.core import verdicts
from claimbench.core.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
CLAIMS_MD = ROOT.parent / "shared" / "CLAIMS.md"


def _is_claim_mark(func: ast.expr) -> bool:
    """``pytest.mark.claim`` or ``mark.claim``."""
    if not (isinstance(func, ast.Attribute) and func.attr == "claim"):
        return False
    owner = func.value
    return (isinstance(owner, ast.Attribute) and owner.attr == "mark") or \
        (isinstance(owner, ast.Name) and owner.id == "mark")


def _module_strings(tree: ast.Module) -> dict:
    """Module-level ``NAME = "text"``, so ``claim(CLAIM_ID)`` can be resolved."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value.value
    return out


def experiment_claims(folder: Path = EXPERIMENTS):
    """({claim id: [where, ...]}, [problems]) from every experiment module."""
    found, problems = {}, []
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = _module_strings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_claim_mark(node.func)):
                continue
            where = f"{rel}:{node.lineno}"
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                claim_id = arg.value
            elif isinstance(arg, ast.Name) and arg.id in names:
                claim_id = names[arg.id]
            else:
                problems.append(f"{where}: pytest.mark.claim needs a literal claim id")
                continue
            found.setdefault(claim_id, []).append(where)
    return found, problems


def test_the_reader_finds_every_form_of_the_mark(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "test_a.py").write_text(
        "import pytest\n"
        "from pytest import mark\n"
        "CLAIM = 'by-name'\n"
        "pytestmark = [pytest.mark.claim('module-wide')]\n"
        "@pytest.mark.claim('decorated')\n"
        "def test_one(): pass\n"
        "@mark.claim(CLAIM)\n"
        "def test_two(): pass\n"
        "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.claim('in-param'))])\n"
        "def test_three(x): pass\n"
        "@pytest.mark.claim(make_id())\n"
        "def test_four(): pass\n"
        "@pytest.mark.behaviour\n"
        "@pytest.mark.claim('decorated')\n"
        "def test_five(): pass\n", encoding="utf-8")
    found, problems = experiment_claims(folder)
    assert sorted(found) == ["by-name", "decorated", "in-param", "module-wide"]
    assert found["decorated"] == ["experiments/test_a.py:5", "experiments/test_a.py:14"]
    assert problems == ["experiments/test_a.py:11: pytest.mark.claim needs a literal claim id"]


def test_the_experiments_can_be_read():
    found, problems = experiment_claims()
    assert problems == []
    assert found, f"no pytest.mark.claim found under {EXPERIMENTS}"


def test_every_experiment_names_a_registered_claim():
    found, _ = experiment_claims()
    unknown = [f"{cid} (at {', '.join(where)})" for cid, where in sorted(found.items())
               if cid not in claims.REGISTRY]
    assert unknown == [], "experiments name claims missing from claimbench.claims: " + "; ".join(unknown)


def test_every_registered_claim_has_an_experiment():
    found, _ = experiment_claims()
    orphans = sorted(set(claims.REGISTRY) - set(found))
    assert orphans == [], "registered claims with no experiment: " + ", ".join(orphans)


def claims_md_sections():
    """{claim id: section letter} from the tables of CLAIMS.md."""
    if not CLAIMS_MD.exists():
        pytest.skip(f"{CLAIMS_MD} is not beside the repository")
    out, section = {}, None
    for line in CLAIMS_MD.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"##\s+([A-Z])\.", line)
        if heading:
            section = heading.group(1)
            continue
        row = re.match(r"\|\s*`([a-z0-9-]+)`\s*\|", line)
        if row and section:
            out.setdefault(row.group(1), section)
    return out


def test_every_registered_claim_is_in_claims_md():
    listed = claims_md_sections()
    missing = sorted(set(claims.REGISTRY) - set(listed))
    assert missing == [], f"claim ids not in {CLAIMS_MD}: {', '.join(missing)}"


@pytest.mark.parametrize("claim_id", sorted(claims.REGISTRY))
def test_registered_claim_is_in_its_claims_md_section(claim_id):
    listed = claims_md_sections()
    if claim_id not in listed:
        pytest.fail(f"{claim_id} is not in {CLAIMS_MD}")
    assert claims.REGISTRY[claim_id].section == listed[claim_id]


@pytest.mark.parametrize("claim_id", sorted(claims.REGISTRY))
def test_claim_entry_is_complete(claim_id):
    c = claims.REGISTRY[claim_id]
    assert c.id == claim_id
    assert c.quote.strip(), "no quote from the notes"
    assert c.statement.strip(), "no statement of what is tested"
    assert re.fullmatch(r"[A-Z]", c.section)
    assert callable(c.expect)


def test_unknown_claim_id():
    with pytest.raises(claims.UnknownClaim, match="no-such-claim"):
        claims.get("no-such-claim")
    some = next(iter(claims.REGISTRY))
    assert claims.get(some) is claims.REGISTRY[some]


# ---------------------------------------------------------------- expectations
def runtime(gil: bool, usable_cpus: int) -> Runtime:
    return Runtime(
        python_version="3.13.1" if not gil else "3.12.7", implementation="CPython", build="synthetic",
        executable="/usr/bin/python3", gil_enabled=gil, free_threaded_build=not gil,
        default_start_method="forkserver", start_methods=("fork", "spawn", "forkserver"),
        cpu_count=max(usable_cpus, 4), affinity_cpus=usable_cpus, process_cpu_count=usable_cpus,
        cgroup_cpu_quota=None, usable_cpus=usable_cpus, load_average=(0.1, 0.1, 0.1),
        platform="Linux-synthetic", has_subinterpreters=False)


RUNTIMES = {
    "gil-1cpu": runtime(True, 1),
    "gil-2cpu": runtime(True, 2),
    "nogil-1cpu": runtime(False, 1),
    "nogil-2cpu": runtime(False, 2),
}


@pytest.mark.parametrize("claim_id", sorted(claims.REGISTRY))
@pytest.mark.parametrize("runtime_name", sorted(RUNTIMES))
@pytest.mark.parametrize("case", [None, "n2", "k2", "spawn", "threads"])
def test_expectation_is_valid(claim_id, runtime_name, case):
    e = claims.REGISTRY[claim_id].expectation(RUNTIMES[runtime_name], case)
    assert isinstance(e, verdicts.Expectation)
    assert e.verdict in verdicts.VERDICTS
    assert isinstance(e.reason, str) and isinstance(e.testable, bool)
    if not e.testable:
        assert e.reason, "an untestable claim must say why"


def test_cpu_bound_expectation_follows_the_gil_and_the_cpus():
    c = claims.get("cpu-bound-favours-processes")
    assert not c.expectation(RUNTIMES["gil-1cpu"]).testable
    assert not c.expectation(RUNTIMES["nogil-1cpu"]).testable
    assert c.expectation(RUNTIMES["gil-2cpu"]).verdict == verdicts.HOLDS
    assert c.expectation(RUNTIMES["nogil-2cpu"]).verdict == verdicts.REFUTED


def test_ipc_throughput_copy_out_follows_the_c_library_copy():
    """The claim (the receiver touches the block in place) and the payloads under 64 KiB do not hang on the
    C library; the related finding where the receiver copies the payload out does (glibc 2.43 copies 24 MiB
    and more past the cache here, 2.36 through it): machine-dependent, and the reason names why."""
    import dataclasses
    c = claims.get("ipc-throughput-ranks")
    cached = dataclasses.replace(RUNTIMES["gil-2cpu"], libc="glibc 2.36", nontemporal_copy_bytes=192 << 20)
    past = dataclasses.replace(RUNTIMES["gil-2cpu"], libc="glibc 2.43", nontemporal_copy_bytes=24 << 20)
    unknown = RUNTIMES["gil-2cpu"]
    for rt in (cached, past, unknown):
        assert c.expectation(rt, "above-crossover").verdict == verdicts.HOLDS
        assert c.expectation(rt, "below-crossover").verdict == verdicts.REFUTED
        assert c.expectation(rt, "copy-out").verdict == verdicts.MACHINE_DEPENDENT
    e = c.expectation(past, "copy-out")
    assert "glibc 2.43" in e.reason and "24 MiB" in e.reason and "past the cache" in e.reason
    e = c.expectation(cached, "copy-out")
    assert "glibc 2.36" in e.reason and "192 MiB" in e.reason and "through the cache" in e.reason
    assert "not known" in c.expectation(dataclasses.replace(unknown, nontemporal_copy_bytes=None), "copy-out").reason
