"""The lock files: every dependency pinned exactly, with hashes, inside pyproject.toml's ranges.

``dev.py`` installs ``requirements/dev.txt`` (``load.txt`` for the load run) with pip's
``--require-hashes``; ``python3 dev.py lock`` regenerates them. These tests fail when
pyproject.toml changes without a new lock, or when a lock file is edited by hand badly.
"""
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import dev

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def pins(name: str) -> dict[str, str]:
    return {canonicalize_name(n): v for n, v in PIN.findall((ROOT / "requirements" / name).read_text())}


def entries(name: str) -> list[str]:
    """Each requirement of the file with its continuation lines, comments dropped."""
    text = (ROOT / "requirements" / name).read_text()
    joined = re.sub(r"\\\n", " ", text)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("lock_file, extras", sorted(dev.LOCK_FILES.items()))
def test_each_pyproject_dependency_is_pinned_inside_its_range(lock_file, extras):
    locked = pins(lock_file)
    wanted = list(PYPROJECT["dependencies"]) + [r for extra in extras for r in PYPROJECT["optional-dependencies"][extra]]
    problems = []
    for line in wanted:
        requirement = Requirement(line)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in requirements/{lock_file}")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside pyproject.toml's {requirement.specifier}")
    assert not problems, "Run `python3 dev.py lock`:\n" + "\n".join(problems)


@pytest.mark.parametrize("lock_file", sorted(dev.LOCK_FILES))
def test_every_line_is_an_exact_pin_with_hashes(lock_file):
    lines = entries(lock_file)
    assert len(lines) >= 10
    for line in lines:
        assert PIN.match(line), f"not an exact pin: {line[:80]}"
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", line), f"no hash: {line[:80]}"


def test_the_three_locks_agree_on_every_version():
    base, dev_pins, load = pins("base.txt"), pins("dev.txt"), pins("load.txt")
    assert set(base) <= set(dev_pins) <= set(load)
    assert {n: load[n] for n in dev_pins} == dev_pins
    assert {n: dev_pins[n] for n in base} == base
    assert "locust" in load and "locust" not in dev_pins  # the load tool stays out of the test install
    assert "pytest" in dev_pins and "pytest" not in base  # test tools stay out of production


def test_dev_py_installs_the_lock_with_hashes_required(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(dev, "VENV", tmp_path)
    monkeypatch.setattr(dev, "PY", tmp_path / "bin" / "python")
    monkeypatch.setattr(dev, "STAMP", tmp_path / ".mended-installed")
    monkeypatch.setattr(dev.venv.EnvBuilder, "create", lambda self, path: None)
    monkeypatch.setattr(dev.subprocess, "run", lambda args, **kw: calls.append(args))
    dev.ensure_venv()
    dev.ensure_venv()  # the same lock again: nothing to install
    assert len(calls) == 1
    assert calls[0][1:5] == ["-m", "pip", "install", "-qq"]
    assert "--require-hashes" in calls[0]
    assert calls[0][-2:] == ["-r", str(ROOT / "requirements" / "dev.txt")]
