"""Installs come from the lock files: every requirement pinned with the hashes of its files, every dependency of
pyproject.toml locked, the environment the tests run in is the locked one, and (in CI) the lock installs into a
clean virtual environment with hashes required."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {name: ROOT / "requirements" / f"{name}.lock" for name in ("hub", "dev")}
INSTALL_ENV = "SCHAKEL_TEST_LOCK_INSTALL"

_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?: ; (?P<marker>[^\\]+))? \\$")


def _locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{name: (version, hashes)} of the entries that apply to this interpreter and platform."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = _ENTRY.match(line)
        if entry:
            marker = entry["marker"]
            applies = marker is None or Marker(marker.strip()).evaluate()
            name = canonicalize_name(entry["name"]) if applies else ""
            if name:
                found[name] = (entry["version"], [])
        elif name and line.strip().startswith("--hash=sha256:"):
            found[name][1].append(line.strip().removesuffix(" \\"))
    return found


def _project() -> dict[str, list[str]]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]  # type: ignore[no-any-return]


class TestLockFiles:
    def test_every_entry_is_pinned_with_hashes(self) -> None:
        for lock in LOCKS.values():
            text = lock.read_text(encoding="utf-8")
            requirements = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
            assert requirements, lock
            assert all(_ENTRY.match(line) for line in requirements), f"{lock.name}: an entry without == pin"
            assert all(hashes for _, hashes in _locked(lock).values()), f"{lock.name}: an entry without hashes"

    def test_every_dependency_of_the_project_is_locked(self) -> None:
        project = _project()
        runtime = [Requirement(r) for r in project["dependencies"]]
        dev = [Requirement(r) for r in project["optional-dependencies"]["dev"]]  # type: ignore[call-overload]
        for lock, wanted in ((LOCKS["hub"], runtime), (LOCKS["dev"], runtime + dev)):
            locked = _locked(lock)
            for requirement in wanted:
                if requirement.marker is not None and not requirement.marker.evaluate():
                    continue
                name = canonicalize_name(requirement.name)
                assert name in locked, f"{requirement.name} is not in {lock.name}: run scripts/lock"
                assert requirement.specifier.contains(locked[name][0], prereleases=True), (
                    f"{lock.name} pins {requirement.name} {locked[name][0]}, outside {requirement.specifier}: "
                    "run scripts/lock"
                )

    def test_the_tests_run_in_the_locked_environment(self) -> None:
        for name, (version, _) in _locked(LOCKS["dev"]).items():
            assert metadata.version(name) == version, f"{name} {metadata.version(name)} installed, {version} locked"

    def test_email_validator_is_gone(self) -> None:
        assert "email-validator" not in _locked(LOCKS["dev"]), "unused: removed"


@pytest.mark.skipif(
    not os.environ.get(INSTALL_ENV),
    reason=f"installing the lock into a clean venv downloads ~100 wheels: set {INSTALL_ENV}=1 (.ci/run does)",
)
def test_the_lock_installs_into_a_clean_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    lock = str(LOCKS["hub"])
    subprocess.run([*pip, "install", "--require-hashes", "--only-binary", ":all:", "-r", lock], check=True)
    subprocess.run([*pip, "install", "--no-deps", "--no-build-isolation", str(ROOT)], check=True)
    version = subprocess.run([str(venv / "bin" / "schakel"), "--version"], check=True, capture_output=True, text=True)
    assert version.stdout.strip().startswith("schakel ")
