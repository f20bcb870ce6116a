"""nqtrack as users run it: installed (not editable) in a venv of its own, byte code compiled.

`build(repo, data_dir, rev)` makes, once per commit (strictly: once per content of the
commit's src/, pyproject.toml and README.md, so that commits that change only benchmarks/
or docs/ share one build), DATA_DIR/installed/KEY/:

- `src/`: the commit's files (`git archive COMMIT`, so edits in the work tree are not in it);
- `venv/`: `python -m venv`, then `pip install 'src/[postgres]'` (a regular, non-editable install of
  nqtrack and its dependencies), then `python -m compileall -q -j 0` over its
  site-packages, without PYTHONDONTWRITEBYTECODE, so that every module the children
  import has its `.pyc` beside it;
- `READY.json`: written last (commit, versions, the time it took); a folder without it
  is an interrupted build and is built again.

Standard library only.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path


def child_env() -> dict[str, str]:
    """The environment of every timed child: no PYTHONDONTWRITEBYTECODE (which this workplace
    sets, and which would make each start-up compile every module again), no pyc prefix,
    no nqtrack settings from the caller."""
    drop = {"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("NQTRACK_")}


def resolve(repo: Path, rev: str) -> str:
    """The full commit id of `rev`."""
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                          capture_output=True, text=True, check=True).stdout.strip()


def site_packages(venv: Path) -> Path:
    python = venv / "bin" / "python"
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True, env=child_env()).stdout.strip()
    return Path(out)


def content_key(repo: Path, commit: str) -> str:
    """What the installed package is made of: the ids of the commit's src/, pyproject.toml, README.md."""
    ids = subprocess.run(["git", "-C", str(repo), "rev-parse", f"{commit}:src", f"{commit}:pyproject.toml",
                          f"{commit}:README.md"], capture_output=True, text=True, check=True).stdout.split()
    return hashlib.sha1(" ".join(ids).encode()).hexdigest()[:12]


def build(repo: Path, data_dir: Path, rev: str = "HEAD", base_python: str | None = None) -> dict:
    """The venv with nqtrack at `rev` installed and compiled (built once, then reused)."""
    commit = resolve(repo, rev)
    root = data_dir / "installed" / content_key(repo, commit)
    ready = root / "READY.json"
    if ready.exists():
        info = json.loads(ready.read_text())
        if Path(info["nqtrack"]).exists():
            print(f"reusing the installed nqtrack of {info['short']} for {commit[:7]}, the same package ({root})",
                  file=sys.stderr)
            return {**info, "commit": commit, "short": commit[:7], "built_from": info["short"]}
    print(
        f"installing nqtrack {commit[:7]} into {root / 'venv'} (pip install, compileall) …", file=sys.stderr, flush=True
    )
    t0 = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)
    src, venv = root / "src", root / "venv"
    src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(src, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    env = child_env()
    base = base_python or getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    pip = subprocess.run(
        # with the postgres extra: the PostgreSQL engine is measured beside SQLite (run.py --postgres)
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{src}[postgres]"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if pip.returncode != 0:
        raise RuntimeError(f"pip install of {commit[:7]} failed:\n{pip.stderr[-2000:]}")
    site = site_packages(venv)
    subprocess.run(
        [str(python), "-m", "compileall", "-q", "-j", "0", str(site)], check=True, env=env, stdout=subprocess.DEVNULL
    )
    nqtrack = venv / "bin" / "nqtrack"
    probe = subprocess.run(
        [
            str(python),
            "-c",
            (
                "import importlib.util, json, platform, sqlite3, nqtrack, nqtrack.cli; "
                "print(json.dumps([nqtrack.__version__, nqtrack.__file__, nqtrack.cli.__cached__, "
                "platform.python_version(), sqlite3.sqlite_version]))"
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    version, module, cached, py_version, sqlite_version = json.loads(probe.stdout)
    if not Path(module).resolve().is_relative_to(site.resolve()) or not Path(cached).exists():
        raise RuntimeError(f"nqtrack in {venv} is not an installed, compiled package ({module}, {cached})")
    info = {
        "commit": commit,
        "short": commit[:7],
        "root": str(root),
        "venv": str(venv),
        "python": str(python),
        "nqtrack": str(nqtrack),
        "site_packages": str(site),
        "version": version,
        "python_version": py_version,
        "sqlite_version": sqlite_version,
        "stdlib_compiled": stdlib_compiled(str(python)),
        "seconds": round(time.perf_counter() - t0, 1),
        "built": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    ready.write_text(json.dumps(info, indent=1))
    return info


def stdlib_compiled(python: str) -> bool:
    """Does the interpreter's standard library have its byte code (a few modules every start-up imports)?"""
    code = (
        "import importlib.util, os, sysconfig; d = sysconfig.get_paths()['stdlib']; "
        "print(all(os.path.exists(importlib.util.cache_from_source(os.path.join(d, m))) "
        "for m in ('os.py', 'json/__init__.py', 'sqlite3/__init__.py', 'argparse.py')))"
    )
    out = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=child_env(), check=False
    ).stdout.strip()
    return out == "True"
