"""The type stubs match the runtime: mypy's stubtest compares them with the installed module,
and `mypy --strict` accepts a program that uses every public API (and rejects a misuse)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import authgate

HERE = Path(__file__).resolve().parent


def run_mypy(*args: str, cwd: Path = HERE) -> subprocess.CompletedProcess[str]:
    # No .mypy_cache in the source tree.
    env = dict(os.environ, MYPY_CACHE_DIR=os.devnull)
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_package_is_typed() -> None:
    pkg = Path(authgate.__file__).parent
    assert "site-packages" in pkg.parts, f"tests must run against the installed wheel, not {pkg}"
    assert (pkg / "py.typed").exists()
    assert (pkg / "__init__.pyi").exists()


def test_stubtest(tmp_path: Path) -> None:
    # stubtest writes a .mypy_cache into its working directory whatever MYPY_CACHE_DIR says
    r = run_mypy("mypy.stubtest", "authgate", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_on_example() -> None:
    r = run_mypy("mypy", "--strict", "--no-incremental", "typing_example.py")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_rejects_misuse(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import authgate\n"
        "acl = authgate.Acl()\n"
        "acl.check('u', 1.5)\n"
        "n: str = acl.deluser('x')\n"
        "authgate.Server(acl).port = 3\n"
    )
    r = run_mypy("mypy", "--strict", "--no-incremental", str(bad))
    assert r.returncode == 1
    assert r.stdout.count("error:") == 3, r.stdout


def test_example_runs() -> None:
    sys.path.insert(0, str(HERE))
    try:
        import typing_example

        result = typing_example.exercise()
    finally:
        sys.path.remove(str(HERE))
    assert result["ok"] is True and result["same"] is True and result["deleted"] == 0
    assert result["nats_ok"] is True and result["timeout"] == 2.0
    assert result["verdict"] == "This user has no permissions to run the 'expire' command"
    assert result["may"] is True
    assert result["subject"] == (
        "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US san_cn alice 4 True"
        " no_match None TLS: No matching user found in certificate SAN URI fields True"
    )
    assert result["denied_fields"] == ["command", "del", "del", "NOPERM this user has no permissions to run the 'del' command"]
