"""The project claimbench's commands run in: its pytest ini's claimbench keys, read without pytest.

``claimbench verify`` runs the experiments of the project in the current folder: those the ini
names (``claimbench_experiments``; ``experiments/`` where it names none), and the verdict table
and report use the claims the ini names (``claimbench_claims``), imported as pytest would (the
project's root and its ini's ``pythonpath`` on sys.path). Standard library only.
"""
from __future__ import annotations

import configparser
import sys
from pathlib import Path
from typing import Dict, List

# Where pytest reads its ini, in its order, with the section each file keeps it in.
INI_FILES = (("pytest.ini", "pytest"), (".pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


class ProjectError(ValueError):
    """One line for the user."""


def _lines(value: str) -> List[str]:
    return [x.strip() for x in value.replace(",", " ").split() if x.strip()]


def read_ini(root: Path) -> Dict[str, List[str]]:
    """``claimbench_claims``, ``claimbench_experiments`` and ``pythonpath`` of the project's ini
    (pytest.ini, tox.ini, setup.cfg; pyproject.toml where tomllib exists); empty where unset."""
    keys = ("claimbench_claims", "claimbench_experiments", "pythonpath")
    for name, section in INI_FILES:
        path = Path(root) / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(str(path), encoding="utf-8")
        except configparser.Error as exc:
            raise ProjectError(f"{path}: {str(exc).splitlines()[0]}") from None
        if parser.has_section(section):
            return {k: _lines(parser.get(section, k, fallback="")) for k in keys}
        if name == "pytest.ini":
            return {k: [] for k in keys}  # pytest.ini wins even without a section
    toml = Path(root) / "pyproject.toml"
    if toml.is_file():
        try:
            import tomllib  # 3.11+
        except ImportError:
            return {k: [] for k in keys}
        try:
            options = tomllib.loads(toml.read_text(encoding="utf-8")).get("tool", {}).get("pytest", {}).get(
                "ini_options", {})
        except ValueError as exc:
            raise ProjectError(f"{toml}: {exc}") from None
        return {k: (options.get(k) if isinstance(options.get(k), list) else _lines(str(options.get(k, ""))))
                for k in keys}
    return {k: [] for k in keys}


def experiments_dir(root: Path, given: str = "") -> str:
    """The folder of experiments a run collects: ``given``, else the ini's first, else experiments."""
    if given:
        return given
    found = read_ini(root).get("claimbench_experiments") or []
    return found[0] if found else "experiments"


def use_claims(root: Path) -> None:
    """Make the claims registry the project's (its ini's claimbench_claims), importable as under pytest."""
    from .. import claims
    ini = read_ini(root)
    if not ini["claimbench_claims"]:
        return
    for entry in [str(root)] + [str(Path(root) / p) for p in ini["pythonpath"]]:
        if entry not in sys.path:
            sys.path.insert(0, entry)
    try:
        claims.use(ini["claimbench_claims"])
    except (ImportError, ValueError) as exc:
        raise ProjectError(f"claimbench_claims: {exc}") from None


# GNU make's own order: the first of these that exists is the Makefile.
MAKEFILES = ("GNUmakefile", "makefile", "Makefile")


def has_make_target(root: Path, target: str) -> bool:
    """Whether the project in ``root`` has a Makefile that defines ``target`` (``verify:``, ``a b:``)."""
    import re
    for name in MAKEFILES:
        path = Path(root) / name
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return False
            rule = rf"^(?:[^\s:#=]+[ \t]+)*{re.escape(target)}(?:[ \t]+[^\s:#=]+)*[ \t]*::?(?!=)"
            return re.search(rule, text, re.M) is not None
    return False


def how_to(target: str, otherwise: str, root: Path = None) -> str:
    """``make <target>`` where the project being run (``root``, default the current folder) has that
    target, else ``otherwise`` (what a user's own project types): messages name `make` only there."""
    return "make " + target if has_make_target(Path.cwd() if root is None else root, target) else otherwise
