"""claimbench.commands.project: the ini keys a project's claimbench commands read, without pytest."""
from __future__ import annotations

import pytest

from claimbench import claims
from claimbench.commands import cli, project


def test_pytest_ini_wins_and_lists_are_read(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nclaimbench_claims = my_claims\n    more_claims\n"
                                         "claimbench_experiments = checks\npythonpath = src\n")
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\nclaimbench_experiments = other\n")
    ini = project.read_ini(tmp_path)
    assert ini == {"claimbench_claims": ["my_claims", "more_claims"], "claimbench_experiments": ["checks"],
                   "pythonpath": ["src"]}
    assert project.experiments_dir(tmp_path) == "checks"
    assert project.experiments_dir(tmp_path, "given") == "given"


def test_setup_cfg_and_nothing(tmp_path):
    assert project.experiments_dir(tmp_path) == "experiments"
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\nclaimbench_experiments = claims_tests\n")
    assert project.experiments_dir(tmp_path) == "claims_tests"


def test_pyproject(tmp_path):
    pytest.importorskip("tomllib")
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nclaimbench_experiments = ["exp"]\n')
    assert project.experiments_dir(tmp_path) == "exp"


def test_the_projects_claims_are_used_and_a_missing_module_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "pytest.ini").write_text("[pytest]\nclaimbench_claims = no_such_claims_module\n")
    with pytest.raises(project.ProjectError, match="claimbench_claims: No module named 'no_such_claims_module'"):
        project.use_claims(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["verify"]) == 2


def test_a_project_without_its_experiments_folder_is_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "pytest.ini").write_text("[pytest]\nclaimbench_experiments = checks\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["verify"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no checks/ folder" in err[0]
    assert set(claims.REGISTRY) == set(claims.BUILTIN)  # nothing was replaced
