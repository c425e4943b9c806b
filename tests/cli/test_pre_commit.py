"""The shipped pre-commit hook run by the real ``pre-commit`` tool in a throwaway git
repository (issue #9): a commit is refused for a real problem in what it stages, never for
a partial view of the repository or for files of other tools.

Two ways to install the hook:

- ``local``: the hook definition of this checkout's ``.pre-commit-hooks.yaml`` (its id,
  entry, ``files`` pattern, ``pass_filenames``, ``require_serial``) as a ``repo: local``
  hook with ``language: system``, running the ``hardhull`` of the interpreter running the
  tests. Needs no network.
- ``python`` (slow): this checkout (its working tree, committed to a scratch repository) as
  the hook repository, exactly as a user's ``.pre-commit-config.yaml`` names it; pre-commit
  builds the hook's own virtualenv with pip, which needs a package index for hardhull's
  dependencies: skipped with pre-commit's message when it cannot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GIT = shutil.which("git")

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

PRIVILEGED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: shop
spec:
  containers:
    - name: c
      image: busybox:1.36
      securityContext:
        privileged: true
"""
TSCONFIG = '{\n  "compilerOptions": {\n    /* strict */\n    "strict": true,\n  },\n}\n'
SETTINGS = '{\n  // editor\n  "editor.tabSize": 2,\n}\n'
VARS = "app: {{ name }}\nhosts:\n{% for h in groups['web'] %}\n  - {{ h }}\n{% endfor %}\n"


def _hardened_split() -> tuple[str, str]:
    """examples/hardened/shop.yaml as (the Deployment, everything else: its Namespace,
    ServiceAccount, Service and default-deny NetworkPolicies)."""
    text = (ROOT / "examples/hardened/shop.yaml").read_text(encoding="utf-8")
    docs = [d.strip("\n") for d in re.split(r"(?m)^---[ \t]*$", text) if d.strip()]
    deployment = [d for d in docs if re.search(r"(?m)^kind: Deployment$", d)]
    assert len(deployment) == 1
    rest = [d for d in docs if d not in deployment]
    return deployment[0] + "\n", "\n---\n".join(rest) + "\n"


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        # the hardhull (and pre-commit) of the interpreter running the tests come first
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    env.pop("PRE_COMMIT", None)
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run(["git", *args], cwd, env)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _commit(repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    assert _git(repo, env, "add", *files).returncode == 0
    return _git(repo, env, "commit", "-q", "-m", f"add {' '.join(files)}")


def _scenario(tmp_path: Path, config: dict[str, object]) -> None:
    env = _env(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    assert _git(repo, env, "init", "-q").returncode == 0
    deployment, base = _hardened_split()
    _write(repo / "k8s/base.yaml", base)
    _write(repo / ".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    assert _commit(repo, env, ".").returncode == 0  # before the hook is installed
    pc = [sys.executable, "-m", "pre_commit"]
    installed = _run([*pc, "install"], repo, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    envs = _run([*pc, "install-hooks"], repo, env)
    if envs.returncode != 0:
        pytest.skip(
            "pre-commit could not build the hook's environment (a package index is needed "
            f"for hardhull's dependencies): {(envs.stdout + envs.stderr).strip()[-400:]}"
        )

    # (a) only the Deployment: its namespace's default-deny policies sit in k8s/base.yaml
    _write(repo / "k8s/apps/shop.yaml", deployment)
    done = _commit(repo, env, "k8s/apps/shop.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "N001" not in done.stdout + done.stderr

    # (b) files of other tools: JSON with comments, a Jinja variables file
    _write(repo / "tsconfig.json", TSCONFIG)
    _write(repo / ".vscode/settings.json", SETTINGS)
    _write(repo / "group_vars/vars.yml", VARS)
    done = _commit(repo, env, "tsconfig.json", ".vscode/settings.json", "group_vars/vars.yml")
    assert done.returncode == 0, done.stdout + done.stderr

    # (c) a privileged pod: refused, and nothing committed
    _write(repo / "k8s/debug.yaml", PRIVILEGED_POD)
    refused = _commit(repo, env, "k8s/debug.yaml")
    assert refused.returncode != 0
    said = refused.stdout + refused.stderr  # git prints the hook's output on stderr
    assert "K001" in said and "k8s/debug.yaml" in said, said
    log = _git(repo, env, "log", "--format=%s").stdout.splitlines()
    assert log[0] == "add tsconfig.json .vscode/settings.json group_vars/vars.yml"


def _shipped_hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = (h for h in hooks if h["id"] == "hardhull")
    assert isinstance(hook, dict)
    return hook


def test_shipped_hook_as_a_local_hook(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip: pre-commit)")
    if shutil.which("hardhull", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("no hardhull command beside the test interpreter (pip install -e .)")
    hook = {**_shipped_hook(), "language": "system", "args": ["--fail-on", "low"]}
    _scenario(tmp_path, {"repos": [{"repo": "local", "hooks": [hook]}]})


@pytest.mark.slow
def test_shipped_hook_from_this_repository(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip: pre-commit)")
    env = _env(tmp_path)
    # this checkout's working tree (what `git ls-files` lists, changes included) as a repo
    listed = _git(ROOT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed.returncode != 0:
        pytest.skip(f"this checkout is not a git repository: {listed.stderr.strip()}")
    hook_repo = tmp_path / "hardhull"
    for name in filter(None, listed.stdout.split("\0")):
        src = ROOT / name
        if src.is_file():
            (hook_repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, hook_repo / name)
    assert _git(hook_repo, env, "init", "-q").returncode == 0
    assert _commit(hook_repo, env, ".").returncode == 0
    rev = _git(hook_repo, env, "rev-parse", "HEAD").stdout.strip()
    config = {
        "repos": [
            {
                "repo": str(hook_repo),
                "rev": rev,
                "hooks": [{"id": "hardhull", "args": ["--fail-on", "low"]}],
            }
        ]
    }
    _scenario(tmp_path, config)
