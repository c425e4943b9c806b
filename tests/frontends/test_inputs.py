"""Input handling end to end: the real CLI in a subprocess, and the engine on files in tmp_path.

Every case asserts exact messages, lines and exit codes, a complete report on stdout and no
traceback on stderr. Findings are checked through rule K001 (privileged container) only, so
that other rules can change without touching these tests.
"""

from __future__ import annotations

import codecs
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hardhull.engine import ScanOptions, ScanResult, scan
from hardhull.frontends.files import collect
from hardhull.frontends.kubernetes import parse_text

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
    - name: app
      image: nginx:1.25
      securityContext:
        privileged: true
"""
PRIV = "/spec/containers/0/securityContext/privileged"
HELM_REASON = "Helm template (render it first: helm template … | hardhull scan -)"


def pod(name: str = "web") -> str:
    return POD.replace("name: web", f"name: {name}")


def run(
    *args: str, cwd: Path, stdin: bytes | None = b"", **kw: Any
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hardhull", "scan", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=60,
        **kw,
    )
    out = subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


def run_json(*args: str, cwd: Path, stdin: bytes | None = b"") -> tuple[int, dict[str, Any]]:
    proc = run("-f", "json", *args, cwd=cwd, stdin=stdin)
    report = json.loads(proc.stdout)  # the whole report arrived: it parses
    assert report["schema"] == "hardhull/report"
    return proc.returncode, report


def k001(report: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    """(path, pointer, line, column) of every privileged-container finding."""
    return [
        (f["location"]["path"], f["pointer"], f["location"]["line"], f["location"]["column"])
        for f in report["findings"]
        if f["code"] == "K001"
    ]


def errors(report: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    return [(e["path"], e["line"], e["column"], e["message"]) for e in report["errors"]]


def skipped(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["path"], s["reason"]) for s in report["skipped"]]


def summary(report: dict[str, Any]) -> tuple[int, int, int, int, int]:
    s = report["summary"]
    return s["files"], s["objects"], s["ignored_documents"], s["skipped"], s["input_errors"]


def engine(*paths: str | Path, **opts: Any) -> ScanResult:
    return scan([str(p) for p in paths], ScanOptions(jobs=1, **opts))


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- syntax errors and exit codes ---------------------------------------------------------

BAD = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n  b: 3\n"


def test_syntax_error_is_reported_and_the_rest_is_scanned(tmp_path: Path) -> None:
    write(tmp_path / "m/good.yaml", POD)
    write(tmp_path / "m/bad.yaml", BAD)
    code, report = run_json("m", cwd=tmp_path)
    assert code == 1  # the good file's critical finding
    assert k001(report) == [("m/good.yaml", PRIV, 11, 9)]
    assert errors(report) == [
        (
            "m/bad.yaml",
            5,
            4,
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        )
    ]
    assert summary(report) == (2, 1, 0, 0, 1)


def test_syntax_error_in_text_report(tmp_path: Path) -> None:
    write(tmp_path / "m/good.yaml", POD)
    write(tmp_path / "m/bad.yaml", BAD)
    proc = run("m", "--color", "never", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "m/good.yaml"
    assert any(line.split()[:3] == ["11:9", "critical", "K001"] for line in lines)
    assert (
        "error: m/bad.yaml:5:4: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence)"
    ) in lines
    assert proc.stdout.endswith("\n")
    assert "2 file(s) read, 1 object(s) checked" in lines[-1]


def test_syntax_error_with_a_clean_file_exits_0(tmp_path: Path) -> None:
    write(tmp_path / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    write(tmp_path / "bad.yaml", BAD)
    code, report = run_json("cm.yaml", "bad.yaml", cwd=tmp_path)
    assert code == 0
    assert [e[:2] for e in errors(report)] == [("bad.yaml", 5)]


def test_only_bad_files_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", BAD)
    write(tmp_path / "b.yaml", "apiVersion: v1\nkind: Pod\na: b: c\n")
    code, report = run_json(".", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        (
            "./a.yaml",
            5,
            4,
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        ),
        ("./b.yaml", 3, 5, "YAML syntax error: mapping values are not allowed in this context"),
    ]
    assert report["findings"] == []


def test_documents_before_a_syntax_error_are_still_scanned(tmp_path: Path) -> None:
    write(tmp_path / "multi.yaml", POD + "---\n" + BAD)
    result = engine(tmp_path / "multi.yaml")
    assert [
        (f.code, f.location.line, f.location.column) for f in result.findings if f.code == "K001"
    ] == [("K001", 11, 9)]
    assert [(e.line, e.column) for e in result.errors] == [(17, 4)]


def test_documents_after_a_syntax_error_are_checked_and_the_error_says_so(
    tmp_path: Path,
) -> None:
    # issue #9: the documents after a broken one were dropped without a word
    write(tmp_path / "multi.yaml", POD + "---\n" + BAD + "---\n" + pod("second"))
    code, report = run_json("multi.yaml", cwd=tmp_path)
    assert code == 1
    assert k001(report) == [("multi.yaml", PRIV, 11, 9), ("multi.yaml", PRIV, 29, 9)]
    assert errors(report) == [
        (
            "multi.yaml",
            17,
            4,
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow "
            "sequence); this document was not checked, checking resumed at the '---' on line 18",
        )
    ]
    assert summary(report)[1] == 2  # objects checked


def test_documents_after_an_alias_bomb_are_counted_not_checked(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n" for a, b in zip("abcde", "bcdef", strict=True)
    )
    write(tmp_path / "multi.yaml", POD + "---\n" + bomb + "---\n" + pod("x") + "---\n" + pod("y"))
    result = engine(tmp_path / "multi.yaml")
    assert [(f.code, f.location.line) for f in result.findings if f.code == "K001"] == [
        ("K001", 11)
    ]
    assert [(e.line, e.message) for e in result.errors] == [
        (
            17,
            "alias expansion too large (a YAML 'billion laughs' bomb?); "
            "2 documents after it were not checked",
        )
    ]


def test_documents_after_a_syntax_error_in_json_like_or_templated_files(tmp_path: Path) -> None:
    # the whole-file path (text with {{ }} that is not a template, as Prometheus rules have)
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: '{{ $x }}'\ndata: [\n---\n" + pod(
        "after"
    )
    write(tmp_path / "t.yaml", text)
    result = engine(tmp_path / "t.yaml")
    assert [(f.code, f.location.line) for f in result.findings if f.code == "K001"] == [
        ("K001", 17)
    ]
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (
            6,
            1,
            "YAML syntax error: did not find expected node content (while parsing a flow node)"
            "; this document was not checked, checking resumed at the '---' on line 6",
        )
    ]
    assert result.objects == 1


def test_bad_flag_exits_2(tmp_path: Path) -> None:
    proc = run(".", "--max-file-size", "-1", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "hardhull: error: --max-file-size must be positive\n"
    proc = run(".", "--max-file-size", "lots", cwd=tmp_path)
    assert proc.returncode == 2
    assert "argument --max-file-size: invalid int value: 'lots'" in proc.stderr


def test_missing_path(tmp_path: Path) -> None:
    code, report = run_json("nope.yaml", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [("nope.yaml", 0, 0, "no such file or directory")]
    write(tmp_path / "pod.yaml", POD)
    _, report = run_json("nope.yaml", "pod.yaml", cwd=tmp_path)
    assert k001(report) == [("pod.yaml", PRIV, 11, 9)]
    assert errors(report) == [("nope.yaml", 0, 0, "no such file or directory")]


@pytest.mark.parametrize("bad", ["missing", "loop", "partial"])
def test_exit_code_follows_findings_when_something_was_scanned(tmp_path: Path, bad: str) -> None:
    write(tmp_path / "pod.yaml", POD)
    if bad == "loop":
        (tmp_path / "bad.yaml").symlink_to("bad.yaml")
        args = ["bad.yaml", "pod.yaml"]
    elif bad == "partial":
        write(tmp_path / "multi.yaml", POD + "---\n" + BAD)
        args = ["multi.yaml"]
    else:
        args = ["bad.yaml", "pod.yaml"]
    code, report = run_json(*args, cwd=tmp_path)
    assert len(report["errors"]) == 1 and len(k001(report)) == 1
    assert code == (2 if bad == "missing" else 1)  # a path named that does not exist: 2


# --- bytes that are not UTF-8 text ----------------------------------------------------------


def test_binary_file(tmp_path: Path) -> None:
    write(tmp_path / "d/blob.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "d/pod.yaml", POD)
    code, report = run_json("d", cwd=tmp_path)
    assert code == 1
    assert skipped(report) == [("d/blob.yaml", "binary file (NUL bytes)")]
    assert k001(report) == [("d/pod.yaml", PRIV, 11, 9)]


def test_latin1_file(tmp_path: Path) -> None:
    write(tmp_path / "l.yaml", "kind: ConfigMap\nmetadata:\n  name: café\n".encode("latin-1"))
    code, report = run_json("l.yaml", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        ("l.yaml", 3, 12, "not valid UTF-8 (byte 0xe9): file skipped, save it as UTF-8")
    ]


def test_utf16_and_utf8_bom_files_are_read(tmp_path: Path) -> None:
    write(tmp_path / "u16.yaml", codecs.BOM_UTF16_LE + pod("u16").encode("utf-16-le"))
    write(tmp_path / "u16be.yaml", codecs.BOM_UTF16_BE + pod("u16be").encode("utf-16-be"))
    write(tmp_path / "u8.yaml", codecs.BOM_UTF8 + pod("u8").encode())
    write(tmp_path / "u32.yaml", codecs.BOM_UTF32_LE + pod("u32").encode("utf-32-le"))
    code, report = run_json(".", cwd=tmp_path)
    assert code == 1
    assert k001(report) == [
        ("./u16.yaml", PRIV, 11, 9),
        ("./u16be.yaml", PRIV, 11, 9),
        ("./u32.yaml", PRIV, 11, 9),
        ("./u8.yaml", PRIV, 11, 9),
    ]
    assert report["errors"] == [] and report["skipped"] == []


def test_broken_utf16(tmp_path: Path) -> None:
    write(tmp_path / "x.yaml", codecs.BOM_UTF16_LE + b"a\x00:\x00 \x00\x00\xd8")
    result = engine(tmp_path / "x.yaml")
    assert [e.message for e in result.errors] == ["not valid UTF-16 despite its byte-order mark"]


def test_control_character_in_yaml(tmp_path: Path) -> None:
    write(tmp_path / "c.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\x07b\n")
    code, report = run_json("c.yaml", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        (
            "c.yaml",
            4,
            10,
            "character U+0007 is not allowed in YAML (control characters are not allowed)",
        )
    ]


# --- size, symlinks, special files ----------------------------------------------------------


def test_file_over_max_file_size(tmp_path: Path) -> None:
    write(tmp_path / "big.yaml", pod("big") + "# " + "x" * 500 + "\n")
    write(tmp_path / "small.yaml", POD)
    size = (tmp_path / "big.yaml").stat().st_size
    code, report = run_json(".", "--max-file-size", "400", cwd=tmp_path)
    assert code == 1
    assert skipped(report) == [
        ("./big.yaml", f"file is {size} bytes, over the 400-byte limit (--max-file-size)")
    ]
    assert k001(report) == [("./small.yaml", PRIV, 11, 9)]


def test_stdin_over_max_file_size(tmp_path: Path) -> None:
    code, report = run_json("-", "--max-file-size", "100", cwd=tmp_path, stdin=POD.encode())
    assert code == 2  # nothing could be scanned
    assert skipped(report) == [("<stdin>", "input is over the 100-byte limit (--max-file-size)")]


def test_symlink_loops(tmp_path: Path) -> None:
    d = tmp_path / "d"
    write(d / "pod.yaml", POD)
    (d / "sub").mkdir()
    (d / "sub" / "up").symlink_to("..", target_is_directory=True)  # a loop back to d
    (d / "self.yaml").symlink_to("self.yaml")  # resolves to itself
    (d / "a.yaml").symlink_to("b.yaml")
    (d / "b.yaml").symlink_to("a.yaml")
    (d / "gone.yaml").symlink_to("missing.yaml")
    _, report = run_json("d", cwd=tmp_path)
    assert k001(report) == [("d/pod.yaml", PRIV, 11, 9)]
    assert errors(report) == [
        ("d/a.yaml", 0, 0, "symlink loop: cannot resolve this path"),
        ("d/b.yaml", 0, 0, "symlink loop: cannot resolve this path"),
        ("d/gone.yaml", 0, 0, "broken symlink: its target does not exist"),
        ("d/self.yaml", 0, 0, "symlink loop: cannot resolve this path"),
    ]
    assert skipped(report) == [
        ("d/sub/up", "directory already scanned through another path (symlink loop?)")
    ]
    assert summary(report) == (1, 1, 0, 1, 4)


def test_symlink_loop_named_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "self.yaml").symlink_to("self.yaml")
    (tmp_path / "gone.yaml").symlink_to("missing.yaml")
    code, report = run_json("self.yaml", "gone.yaml", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        ("gone.yaml", 0, 0, "broken symlink: its target does not exist"),
        ("self.yaml", 0, 0, "symlink loop: cannot resolve this path"),
    ]


def test_symlinked_file_and_directory_are_followed(tmp_path: Path) -> None:
    write(tmp_path / "real/pod.yaml", POD)
    write(tmp_path / "scan/x.txt", "not yaml")
    (tmp_path / "scan" / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "scan" / "p.yml").symlink_to(tmp_path / "real" / "pod.yaml")
    code, report = run_json("scan", cwd=tmp_path)
    assert code == 1
    assert k001(report) == [("scan/link/pod.yaml", PRIV, 11, 9), ("scan/p.yml", PRIV, 11, 9)]


def _unreadable(path: Path) -> str:
    """Make ``path`` an existing file that cannot be read; return the expected reason."""
    write(path, POD)
    path.chmod(0)
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        return "cannot read: Permission denied"
    # running as root: permissions do not stop reading, a socket cannot be opened at all
    path.chmod(0o644)
    path.unlink()
    cwd = os.getcwd()
    os.chdir(path.parent)  # a relative name keeps under the AF_UNIX path length limit
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path.name)
        sock.close()
    finally:
        os.chdir(cwd)
    return "cannot read: No such device or address"


def test_unreadable_file_named_explicitly(tmp_path: Path) -> None:
    reason = _unreadable(tmp_path / "locked.yaml")
    write(tmp_path / "pod.yaml", POD)
    _, report = run_json("locked.yaml", "pod.yaml", cwd=tmp_path)
    assert errors(report) == [("locked.yaml", 0, 0, reason)]
    assert k001(report) == [("pod.yaml", PRIV, 11, 9)]
    code, report = run_json("locked.yaml", cwd=tmp_path)
    assert code == 2


def test_unreadable_directory_or_special_file_in_a_walk(tmp_path: Path) -> None:
    reason = _unreadable(tmp_path / "d/locked.yaml")
    write(tmp_path / "d/pod.yaml", POD)
    result = engine(tmp_path / "d")
    if reason.endswith("Permission denied"):
        assert [(e.message) for e in result.errors] == [reason]
    else:  # the socket met while walking is not a regular file: skipped, not read
        assert [(s.path, s.reason) for s in result.skipped] == [
            (str(tmp_path / "d/locked.yaml"), "a socket, not a regular file")
        ]
    assert result.files == 1


def test_fifo_in_a_directory_does_not_hang(tmp_path: Path) -> None:
    write(tmp_path / "d/pod.yaml", POD)
    os.mkfifo(tmp_path / "d/pipe.yaml")
    code, report = run_json("d", cwd=tmp_path)
    assert code == 1
    assert skipped(report) == [("d/pipe.yaml", "a named pipe (FIFO), not a regular file")]


def test_pipe_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    # like `hardhull scan <(helm template …)`: the shell passes /dev/fd/N
    r, w = os.pipe()
    os.write(w, POD.encode())
    os.close(w)
    try:
        proc = run("-f", "json", f"/dev/fd/{r}", cwd=tmp_path, pass_fds=(r,))
    finally:
        os.close(r)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert k001(report) == [(f"/dev/fd/{r}", PRIV, 11, 9)]


def test_directory_named_like_a_file_is_walked(tmp_path: Path) -> None:
    write(tmp_path / "odd.yaml/inner.yaml", POD)
    code, report = run_json("odd.yaml", cwd=tmp_path)
    assert code == 1
    assert k001(report) == [("odd.yaml/inner.yaml", PRIV, 11, 9)]


# --- directory walking --------------------------------------------------------------------


def test_vcs_and_vendor_directories_are_skipped(tmp_path: Path) -> None:
    for d in (".git", "node_modules", "vendor", "sub/.git/objects", "sub/node_modules/x"):
        write(tmp_path / "repo" / d / "pod.yaml", POD)
    write(tmp_path / "repo/sub/pod.yaml", POD)
    write(tmp_path / "repo/notes.txt", "apiVersion: v1\n")  # not a YAML/JSON name: not read
    code, report = run_json("repo", cwd=tmp_path)
    assert code == 1
    assert k001(report) == [("repo/sub/pod.yaml", PRIV, 11, 9)]
    assert summary(report) == (1, 1, 0, 0, 0)
    # a skipped directory named explicitly is scanned
    _, report = run_json("repo/vendor", cwd=tmp_path)
    assert k001(report) == [("repo/vendor/pod.yaml", PRIV, 11, 9)]


def test_exclude_globs(tmp_path: Path) -> None:
    write(tmp_path / "k/a.yaml", pod("a"))
    write(tmp_path / "k/b.yml", pod("b"))
    write(tmp_path / "k/charts/c.yaml", pod("c"))
    write(tmp_path / "k/deep/er/d.json", json.dumps({"apiVersion": "v1", "kind": "Pod"}))
    _, report = run_json("k", "--exclude", "charts", "--exclude", "*.yml", cwd=tmp_path)
    assert k001(report) == [("k/a.yaml", PRIV, 11, 9)]
    assert summary(report)[:2] == (2, 2)
    _, report = run_json("k", "--exclude", "k/deep/*", "--exclude", "a.yaml", cwd=tmp_path)
    assert [p for p, *_ in k001(report)] == ["k/b.yml", "k/charts/c.yaml"]
    assert summary(report)[:2] == (2, 2)


def test_file_named_twice_is_scanned_once(tmp_path: Path) -> None:
    write(tmp_path / "d/pod.yaml", POD)
    _, report = run_json("d", "d/pod.yaml", "./d/pod.yaml", cwd=tmp_path)
    assert k001(report) == [("d/pod.yaml", PRIV, 11, 9)]
    assert summary(report)[0] == 1


# --- stdin --------------------------------------------------------------------------------


def test_stdin(tmp_path: Path) -> None:
    code, report = run_json("-", cwd=tmp_path, stdin=POD.encode())
    assert code == 1
    assert k001(report) == [("<stdin>", PRIV, 11, 9)]
    # with a file, and "-" twice reads stdin once
    write(tmp_path / "pod.yaml", pod("file"))
    _, report = run_json("-", "pod.yaml", "-", cwd=tmp_path, stdin=POD.encode())
    assert k001(report) == [("<stdin>", PRIV, 11, 9), ("pod.yaml", PRIV, 11, 9)]


def test_stdin_text_report_is_complete(tmp_path: Path) -> None:
    proc = run("-", "--color", "never", cwd=tmp_path, stdin=(POD + "---\n" + BAD).encode())
    lines = proc.stdout.splitlines()
    assert lines[0] == "<stdin>"
    assert (
        "error: <stdin>:17:4: YAML syntax error: did not find expected ',' or ']' (while "
        "parsing a flow sequence)" in lines
    )
    assert lines[-1].startswith("1 file(s) read, 1 object(s) checked")


def test_stdin_binary_and_latin1(tmp_path: Path) -> None:
    _, report = run_json("-", cwd=tmp_path, stdin=b"\x00\x01\x02")
    assert skipped(report) == [("<stdin>", "binary file (NUL bytes)")]
    code, report = run_json("-", cwd=tmp_path, stdin=b"a: \xff\n")
    assert code == 2
    assert errors(report) == [
        ("<stdin>", 1, 4, "not valid UTF-8 (byte 0xff): file skipped, save it as UTF-8")
    ]


def test_closed_stdin(tmp_path: Path) -> None:
    proc = run("-f", "json", "-", cwd=tmp_path, stdin=None, preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2
    assert errors(json.loads(proc.stdout)) == [("<stdin>", 0, 0, "standard input is closed")]


# --- what a file holds ----------------------------------------------------------------------

LIST = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: c
  - apiVersion: v1
    kind: Pod
    metadata:
      name: in-list
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
  - just a string
"""


def test_kind_list(tmp_path: Path) -> None:
    write(tmp_path / "list.yaml", LIST)
    code, report = run_json("list.yaml", cwd=tmp_path)
    assert code == 1
    assert k001(report) == [("list.yaml", PRIV, 17, 13)]
    assert summary(report) == (1, 2, 1, 0, 0)


def test_typed_list_kind_from_kubectl(tmp_path: Path) -> None:
    items = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}} for i in range(3)
    ]
    items.append(json.loads(json.dumps(__import__("yaml").safe_load(POD))))
    doc = {"apiVersion": "v1", "kind": "ConfigMapList", "metadata": {}, "items": items}
    write(tmp_path / "cms.json", json.dumps(doc, indent=2))
    _, report = run_json("cms.json", cwd=tmp_path)
    assert summary(report) == (1, 4, 0, 0, 0)
    assert k001(report) == [("cms.json", PRIV, 40, 15)]
    assert json.dumps(doc, indent=2).splitlines()[39] == " " * 14 + '"privileged": true'


def test_json_manifests(tmp_path: Path) -> None:
    obj = __import__("yaml").safe_load(POD)
    write(tmp_path / "compact.json", json.dumps(obj))
    write(tmp_path / "tabs.json", json.dumps(obj, indent="\t"))
    write(tmp_path / "pretty.json", json.dumps(obj, indent=4))
    assert "\t" in (tmp_path / "tabs.json").read_text()
    code, report = run_json("compact.json", "tabs.json", "pretty.json", cwd=tmp_path)
    assert code == 1
    compact_col = json.dumps(obj).index('"privileged"') + 1
    assert k001(report) == [
        ("compact.json", PRIV, 1, compact_col),
        ("pretty.json", PRIV, 14, 21),
        ("tabs.json", PRIV, 14, 6),
    ]
    assert report["errors"] == []


def test_json_numbers_keep_json_meaning() -> None:
    parsed = parse_text("x.json", '{"apiVersion": "v1", "kind": "X", "spec": {"n": 1e3}}')
    assert parsed.objects[0].data["spec"]["n"] == 1000.0  # YAML 1.1 would read "1e3"


def test_concatenated_json_values(tmp_path: Path) -> None:
    obj = __import__("yaml").safe_load(POD)
    text = json.dumps(obj) + "\n" + json.dumps(obj, indent=1).replace('"web"', '"two"')
    write(tmp_path / "stream.json", text)
    _, report = run_json("stream.json", cwd=tmp_path)
    assert summary(report) == (1, 2, 0, 0, 0)
    col = json.dumps(obj).index('"privileged"') + 1
    assert k001(report) == [("stream.json", PRIV, 1, col), ("stream.json", PRIV, 15, 6)]


def test_invalid_json(tmp_path: Path) -> None:
    write(tmp_path / "bad.json", '{\n  "kind": "Pod",\n  "apiVersion": "v1",\n  "spec": {,}\n}\n')
    code, report = run_json("bad.json", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        ("bad.json", 4, 12, "invalid JSON: Expecting property name enclosed in double quotes")
    ]


def test_json_with_unpaired_surrogate_escape_prints(tmp_path: Path) -> None:
    obj = __import__("yaml").safe_load(POD)
    write(tmp_path / "s.json", json.dumps(obj).replace('"web"', '"w\\ud800b"'))
    proc = run("s.json", "--color", "never", cwd=tmp_path)
    assert proc.returncode == 1
    assert "[Pod/prod/w\ufffdb]" in proc.stdout


def test_deep_json_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "deep.json", '{"a": ' * 300 + "1" + "}" * 300)
    write(tmp_path / "deeper.json", "[" * 100_000 + "]" * 100_000)
    code, report = run_json("deep.json", "deeper.json", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        ("deep.json", 1, 1537, "nesting deeper than 256 levels"),
        ("deeper.json", 1, 1001, "nesting deeper than 256 levels"),
    ]


def test_yaml_bombs_are_input_errors(tmp_path: Path) -> None:
    lol = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lol.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    write(tmp_path / "lol.yaml", "\n".join(lol) + "\n")
    write(tmp_path / "deep.yaml", "[" * 10_000)
    write(tmp_path / "rec.yaml", "a: &a [1, *a]\n")
    code, report = run_json(".", cwd=tmp_path)
    assert code == 2
    assert errors(report) == [
        ("./deep.yaml", 1, 1001, "nesting deeper than 256 levels"),
        ("./lol.yaml", 6, 8, "alias expansion too large (a YAML 'billion laughs' bomb?)"),
        ("./rec.yaml", 1, 11, "recursive alias *a: it is inside the node it refers to"),
    ]


def test_other_yaml_is_ignored_and_counted(tmp_path: Path) -> None:
    write(
        tmp_path / ".github/workflows/ci.yml",
        "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.sha }}\n",
    )
    write(tmp_path / "values.yaml", "replicaCount: 1\nimage:\n  repository: nginx\n")
    write(tmp_path / "empty.yaml", "")
    write(tmp_path / "comments.yaml", "# nothing\n")
    write(tmp_path / "list.yaml", "- a\n- b\n")
    result = engine(tmp_path / ".github/workflows/ci.yml", tmp_path)
    assert (result.files, result.objects, result.ignored) == (5, 0, 3)
    assert result.errors == [] and result.skipped == [] and result.findings == []


HELM = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
"""


def test_helm_template_is_skipped_with_reason(tmp_path: Path) -> None:
    write(tmp_path / "chart/templates/deployment.yaml", HELM)
    write(
        tmp_path / "chart/templates/quoted.yaml",
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: "{{ .Release.Name }}"\n',
    )  # valid YAML, but a chart template
    write(tmp_path / "elsewhere/deploy.yaml", HELM)
    write(tmp_path / "chart/values.yaml", "replicaCount: 1\n")
    code, report = run_json("chart", "elsewhere", cwd=tmp_path)
    assert code == 2  # nothing was checked (issue #9)
    assert skipped(report) == [
        ("chart/templates/deployment.yaml", HELM_REASON),
        ("chart/templates/quoted.yaml", HELM_REASON),
        (
            "elsewhere/deploy.yaml",
            HELM_REASON + " (line 6: YAML syntax error: did not find expected node content "
            "(while parsing a flow node))",
        ),
    ]
    assert report["errors"] == []
    assert summary(report) == (4, 0, 1, 3, 0)


def test_other_templates_that_are_not_yaml_are_skipped(tmp_path: Path) -> None:
    write(
        tmp_path / "t.yaml",
        'apiVersion: v1\nkind: ConfigMap\n{{ if eq .Env "prod" }}\ndata:\n  a: b\n{{ end }}\n',
    )
    result = engine(tmp_path / "t.yaml")
    assert [s.reason for s in result.skipped] == [
        "template syntax ({{ }}) that is not YAML yet: render it first "
        "(line 4: YAML syntax error: could not find expected ':' (while scanning a simple key))"
    ]
    assert result.errors == []


def test_real_syntax_error_in_a_file_with_placeholders_is_an_error(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '{{ $labels.x }}'\n   b: 1\n"
    write(tmp_path / "t.yaml", text)
    result = engine(tmp_path / "t.yaml")
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (5, 4, "YAML syntax error: did not find expected key (while parsing a block mapping)")
    ]
    assert result.skipped == []


PROMETHEUS_RULE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node
spec:
  groups:
    - name: node
      rules:
        - alert: NodeDown
          annotations:
            summary: "{{ $labels.instance }} is down"
            description: |
              {{ $labels.instance }} of job {{ $labels.job }} is down.
              {{ if gt $value 1.0 }}Many{{ end }}
          expr: up == 0
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: hello
spec:
  templates:
    - name: main
      container:
        image: alpine:3.19
        args: ["{{inputs.parameters.message}}"]
        securityContext:
          privileged: true
"""


def test_prometheus_rule_and_argo_workflow_with_placeholders_are_scanned(tmp_path: Path) -> None:
    write(tmp_path / "rules.yaml", PROMETHEUS_RULE)
    _, report = run_json("rules.yaml", cwd=tmp_path)
    assert report["skipped"] == [] and report["errors"] == []
    assert summary(report) == (1, 2, 0, 0, 0)


def test_text_report_is_complete_with_every_kind_of_problem(tmp_path: Path) -> None:
    write(tmp_path / "all/pod.yaml", POD)
    write(tmp_path / "all/bad.yaml", BAD)
    write(tmp_path / "all/bin.yaml", b"\x00\x01")
    write(tmp_path / "all/chart/templates/d.yaml", HELM)
    write(tmp_path / "all/lat.yaml", b"a: \xe9\n")
    proc = run("all", "--color", "never", cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    assert "skipped: all/bin.yaml: binary file (NUL bytes)" in out
    assert f"skipped: all/chart/templates/d.yaml: {HELM_REASON}" in out
    assert (
        "error: all/lat.yaml:1:4: not valid UTF-8 (byte 0xe9): file skipped, save it as UTF-8"
        in out
    )
    assert out[-1].startswith(
        "3 file(s) read, 1 object(s) checked, 0 other document(s) "
        "ignored, 2 skipped, 2 input error(s)"
    )


def test_collect_reports_in_walk_order(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", "x: 1\n")
    write(tmp_path / "a/z.yml", "x: 1\n")
    write(tmp_path / "a.json", "{}")
    got = collect([str(tmp_path)])
    assert [os.path.relpath(i.path, tmp_path) for i in got.inputs] == [
        "a.json",
        "b.yaml",
        "a/z.yml",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, 0)),
        ("---\n---\n", (0, 0)),
        ("# only a comment\n", (0, 0)),
        ("[]", (0, 1)),
        ("just text", (0, 1)),
        ("apiVersion: v1\nkind: ''\n", (0, 1)),
        ("apiVersion: 1\nkind: Pod\n", (0, 1)),
        ("apiVersion: v1\nkind: PodList\nitems: []\n", (0, 0)),
        ("apiVersion: v1\nkind: PodList\n", (1, 0)),
    ],
)
def test_parse_text_documents(text: str, expected: tuple[int, int]) -> None:
    parsed = parse_text("x.yaml", text)
    assert (len(parsed.objects), parsed.ignored) == expected
    assert parsed.errors == [] and parsed.skipped == []


# --- files of other tools: never an input error (issue #9) ----------------------------------

JSONC_SETTINGS = '{\n  // editor settings\n  "editor.tabSize": 2,\n  "files.eol": "\\n",\n}\n'
TSCONFIG = '{\n  "compilerOptions": {\n    /* strict mode */\n    "strict": true,\n  },\n}\n'
JINJA_VARS = (
    "app_name: {{ name }}\nport: {{ port | default(80) }}\n{# a comment #}\nhosts:\n"
    "{% for h in groups['web'] %}\n  - {{ h }}\n{% endfor %}\n"
)
ANSIBLE_VARS = 'image: "{{ registry }}/app:{{ tag }}"\nreplicas: {{ replicas }}\n'


def test_other_tools_yaml_and_json_that_do_not_parse_are_ignored(tmp_path: Path) -> None:
    write(tmp_path / ".vscode/settings.json", JSONC_SETTINGS)
    write(tmp_path / "tsconfig.json", TSCONFIG)
    write(tmp_path / "group_vars/vars.yml", JINJA_VARS)
    write(tmp_path / "roles/app/defaults/main.yml", ANSIBLE_VARS)
    write(tmp_path / "pod.yaml", POD)
    code, report = run_json(".", cwd=tmp_path)
    assert code == 1  # the pod's K001, nothing else
    assert report["errors"] == [] and report["skipped"] == []
    assert k001(report) == [("./pod.yaml", PRIV, 11, 9)]
    assert summary(report) == (5, 1, 4, 0, 0)
    # named explicitly, as the pre-commit hook names them: the same
    code, report = run_json(
        ".vscode/settings.json", "tsconfig.json", "group_vars/vars.yml", "pod.yaml", cwd=tmp_path
    )
    assert (code, report["errors"], report["skipped"]) == (1, [], [])


BROKEN_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.27
       ports: []
"""


def test_evident_manifests_and_compose_files_that_do_not_parse_stay_input_errors(
    tmp_path: Path,
) -> None:
    write(tmp_path / "deploy.yaml", BROKEN_DEPLOYMENT)
    write(tmp_path / "pod.json", '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  // x\n}\n')
    write(tmp_path / "stack.yml", "services:\n  web:\n    image: nginx\n   ports: []\n")
    write(
        tmp_path / "jinja-deploy.yaml",
        "apiVersion: v1\nkind: Pod\n{% if x %}\nmetadata:\n  name: a\n{% endif %}\n",
    )
    write(tmp_path / "docker-compose.yml", "version: '3'\nx: [\n")
    write(tmp_path / "daemon.json", '{\n  "userns-remap": "default",\n}\n')
    write(tmp_path / "ok.yaml", POD)
    code, report = run_json(".", cwd=tmp_path)
    assert code == 1
    assert [(e[0], e[1]) for e in errors(report)] == [
        ("./daemon.json", 3),
        ("./deploy.yaml", 11),
        ("./docker-compose.yml", 3),
        ("./pod.json", 4),
        ("./stack.yml", 4),
    ]
    assert skipped(report) == [
        (
            "./jinja-deploy.yaml",
            "template syntax ({{ }}) that is not YAML yet: render it first (line 3: YAML "
            "syntax error: found character that cannot start any token (while scanning for the "
            "next token))",
        )
    ]


def test_a_syntax_error_after_kubernetes_documents_stays_an_input_error(tmp_path: Path) -> None:
    # no apiVersion/kind in the broken document itself: the file gave objects before it
    write(tmp_path / "multi.yaml", POD + "---\nfoo: [\n")
    write(tmp_path / "multi.json", json.dumps(__import__("yaml").safe_load(POD)) + "\n{,}\n")
    result = engine(tmp_path / "multi.yaml", tmp_path / "multi.json")
    assert [(os.path.basename(e.path), e.line) for e in result.errors] == [
        ("multi.json", 2),
        ("multi.yaml", 14),
    ]


# --- Dockerfile detection (issue #9) ---------------------------------------------------------

DOCKERFILE = "FROM python:3.12\nUSER root\n"
PYTHON = "import os\nprint(os.getcwd())\n"


def test_dockerfile_names_content_and_templates(tmp_path: Path) -> None:
    for name in ("Dockerfile-dev", "Dockerfile_prod", "Containerfile-ci", "api.Dockerfile"):
        write(tmp_path / name, DOCKERFILE)
    for name in ("dockerfile.py", "dockerfile.vim", "prod.Dockerfile", "Dockerfile.local"):
        write(tmp_path / name, PYTHON)
    for name in ("Dockerfile.j2", "Dockerfile.tmpl", "Dockerfile.in", "Dockerfile.jinja"):
        write(tmp_path / name, "FROM {{ base }}\n")
    code, report = run_json(".", cwd=tmp_path)
    assert report["errors"] == []
    assert sorted({f["location"]["path"] for f in report["findings"]}) == [
        "./Containerfile-ci",
        "./Dockerfile-dev",
        "./Dockerfile_prod",
        "./api.Dockerfile",
    ]
    assert skipped(report) == [
        (f"./Dockerfile.{s}", f"Dockerfile template (.{s}): render it first, then scan the result")
        for s in ("in", "j2", "jinja", "tmpl")
    ]
    # named explicitly: judged by content; a template is skipped with its reason
    code, report = run_json("prod.Dockerfile", "Dockerfile.local", "Dockerfile-dev", cwd=tmp_path)
    assert report["errors"] == []
    assert {f["location"]["path"] for f in report["findings"]} == {"Dockerfile-dev"}
    code, report = run_json("Dockerfile.j2", "--pre-commit", cwd=tmp_path)
    assert (code, len(report["skipped"]), report["errors"]) == (0, 1, [])


# --- exit codes when nothing was checked (issue #9) ------------------------------------------

NOTHING = (
    "hardhull: error: nothing was checked: {} file(s) read, {} skipped, {} other document(s) "
    "ignored; no Kubernetes object, Dockerfile, compose service or daemon.json\n"
)


@pytest.mark.parametrize(
    ("files", "counts"),
    [
        ({}, (0, 0, 0)),
        ({"chart/templates/d.yaml": HELM}, (1, 1, 0)),
        ({"blob.yaml": b"\x00\x01\x02"}, (0, 1, 0)),
        ({"tsconfig.json": TSCONFIG, "values.yaml": "a: 1\n"}, (2, 0, 2)),
    ],
    ids=["empty", "helm-only", "binary-only", "other-tools-only"],
)
def test_nothing_checked_is_exit_2_and_said_but_the_hook_passes(
    tmp_path: Path, files: dict[str, str | bytes], counts: tuple[int, int, int]
) -> None:
    (tmp_path / "d").mkdir()
    for name, text in files.items():
        write(tmp_path / "d" / name, text)
    proc = run("d", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, NOTHING.format(*counts))
    named = [f"d/{n}" for n in files] or ["d"]
    proc = run("--pre-commit", *named, cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_missing_path_is_exit_2_even_with_clean_inputs(tmp_path: Path) -> None:
    write(tmp_path / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    proc = run("cm.yaml", "nope.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.endswith("hardhull: error: no such file or directory: nope.yaml\n")


# --- hardhull's own outputs (issue #9) -------------------------------------------------------


def test_output_never_overwrites_a_scanned_input(tmp_path: Path) -> None:
    write(tmp_path / "k8s/pod.yaml", POD)
    for args in (["k8s", "-o", "k8s/pod.yaml"], ["k8s/pod.yaml", "-o", "k8s/pod.yaml"]):
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2
        assert "refusing to write k8s/pod.yaml: it is one of the scanned inputs" in proc.stderr
        assert (tmp_path / "k8s/pod.yaml").read_text(encoding="utf-8") == POD
    proc = run("k8s", "--write-baseline", "k8s/pod.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert (tmp_path / "k8s/pod.yaml").read_text(encoding="utf-8") == POD


def test_own_reports_and_baselines_are_not_read_as_inputs(tmp_path: Path) -> None:
    write(tmp_path / "k8s/pod.yaml", POD)
    assert run("k8s", "-f", "json", "-o", "k8s/report.json", cwd=tmp_path).returncode == 1
    assert run("k8s", "-f", "sarif", "-o", "k8s/r.sarif.json", cwd=tmp_path).returncode == 1
    assert run("k8s", "--write-baseline", "k8s/base.json", cwd=tmp_path).returncode == 1
    # written again over themselves: allowed, they are not inputs
    assert run("k8s", "-f", "json", "-o", "k8s/report.json", cwd=tmp_path).returncode == 1
    code, report = run_json("k8s", cwd=tmp_path)
    assert code == 1 and report["errors"] == []
    assert skipped(report) == [
        ("k8s/base.json", "a baseline written by hardhull, not an input"),
        ("k8s/r.sarif.json", "a SARIF report written by hardhull, not an input"),
        ("k8s/report.json", "a JSON report written by hardhull, not an input"),
    ]
    assert k001(report) == [("k8s/pod.yaml", PRIV, 11, 9)]
