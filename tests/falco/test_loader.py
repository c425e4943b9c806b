"""Loading Falco rule files: items, overrides, exceptions, errors located (issue #12)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from hardhull.falco.loader import Rule, Ruleset, load_files, load_texts
from tests.falco.helpers import extractor

BASE = """
- list: shells
  items: [bash, sh]
- macro: spawned_process
  condition: evt.type in (execve, execveat)
- rule: Shell in container
  desc: a shell
  condition: spawned_process and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
  tags: [shell]
"""

SHELL = {"evt.type": "execve", "proc.name": "bash", "proc.pname": "runc"}


def load(*texts: str) -> Ruleset:
    return load_texts([(f"f{i}.yaml", textwrap.dedent(t)) for i, t in enumerate(texts)])


def rule(rs: Ruleset, name: str = "Shell in container") -> Rule:
    return next(r for r in rs.rules if r.name == name)


def fires(rs: Ruleset, event: dict[str, Any], name: str = "Shell in container") -> bool:
    r = rule(rs, name)
    assert r.evaluate is not None, [str(d) for d in rs.errors]
    return r.evaluate(extractor(event))


def test_base_loads() -> None:
    rs = load(BASE)
    assert rs.ok and not rs.warnings
    r = rule(rs)
    assert (r.priority, r.source, r.tags, r.enabled) == ("Warning", "syscall", ["shell"], True)
    assert fires(rs, SHELL)
    assert not fires(rs, {**SHELL, "proc.name": "zsh"})
    assert r.evt_types == {"execve", "execveat"}
    assert rs.rules_for("syscall", "execve") == [r]
    assert rs.rules_for("syscall", "open") == []
    assert rs.rules_for("k8s_audit") == []


# --- overrides ---------------------------------------------------------------------------


def test_list_append_legacy_and_override() -> None:
    for extra in (
        "- list: shells\n  items: [zsh]\n  append: true\n",
        "- list: shells\n  items: [zsh]\n  override:\n    items: append\n",
    ):
        rs = load(BASE, extra)
        assert rs.ok, [str(e) for e in rs.errors]
        assert rs.lists["shells"] == ["bash", "sh", "zsh"]
        assert fires(rs, {**SHELL, "proc.name": "zsh"}) and fires(rs, SHELL)


def test_list_replace_and_redefinition() -> None:
    for extra in (
        "- list: shells\n  items: [zsh]\n  override:\n    items: replace\n",
        "- list: shells\n  items: [zsh]\n",
    ):
        rs = load(BASE, extra)
        assert rs.lists["shells"] == ["zsh"]
        assert not fires(rs, SHELL)


def test_macro_append_and_replace() -> None:
    rs = load(
        BASE, "- macro: spawned_process\n  condition: and proc.pname != runc\n  append: true\n"
    )
    assert rs.ok
    assert rs.macros["spawned_process"] == "evt.type in (execve, execveat) and proc.pname != runc"
    assert not fires(rs, SHELL)
    rs = load(
        BASE,
        "- macro: spawned_process\n  condition: evt.type = clone\n"
        "  override:\n    condition: replace\n",
    )
    assert not fires(rs, SHELL) and fires(rs, {**SHELL, "evt.type": "clone"})
    assert rule(rs).evt_types == {"clone"}


def test_rule_override_append_and_replace() -> None:
    rs = load(
        BASE,
        """
        - rule: Shell in container
          condition: and proc.pname != runc
          output: (appended)
          tags: [mitre]
          priority: ERROR
          enabled: false
          override:
            condition: append
            output: append
            tags: append
            priority: replace
            enabled: replace
        """,
    )
    assert rs.ok, [str(e) for e in rs.errors]
    r = rule(rs)
    assert r.condition.endswith("proc.name in (shells) and proc.pname != runc")
    assert r.output == "shell %proc.name (appended)"
    assert (r.tags, r.priority, r.enabled) == (["shell", "mitre"], "Error", False)
    assert not fires(rs, SHELL)
    assert rs.rules_for("syscall", "execve") == []  # disabled: not indexed


def test_rule_legacy_append_condition() -> None:
    rs = load(
        BASE, "- rule: Shell in container\n  condition: and proc.pname != runc\n  append: true\n"
    )
    assert rs.ok and not fires(rs, SHELL)


def test_enabled_only_item_switches_a_rule() -> None:
    rs = load(BASE, "- rule: Shell in container\n  enabled: false\n")
    assert rs.ok and rule(rs).enabled is False
    rs = load(
        BASE,
        "- rule: Shell in container\n  enabled: false\n",
        "- rule: Shell in container\n  enabled: true\n",
    )
    assert rule(rs).enabled is True


def test_rule_defined_twice_replaces_in_place() -> None:
    rs = load(
        BASE
        + "- rule: Other\n  desc: o\n  condition: evt.type=open\n  output: o\n  priority: INFO\n",
        "- rule: Shell in container\n  desc: new\n  condition: evt.type=connect\n"
        "  output: new\n  priority: debug\n",
    )
    assert [r.name for r in rs.rules] == ["Shell in container", "Other"]
    r = rule(rs)
    assert (r.desc, r.priority, r.tags) == ("new", "Debug", [])


@pytest.mark.parametrize(
    ("extra", "message", "kind_name"),
    [
        ("- list: nope\n  items: [a]\n  append: true\n", "no list by that name", ("list", "nope")),
        (
            "- macro: nope\n  condition: x.y=1\n  override:\n    condition: append\n",
            "no macro by that name",
            ("macro", "nope"),
        ),
        (
            "- rule: nope\n  condition: and x\n  append: true\n",
            "no rule by that name",
            ("rule", "nope"),
        ),
        ("- rule: nope\n  enabled: false\n", "'enabled' key but no rule", ("rule", "nope")),
        (
            "- rule: Shell in container\n  condition: and x\n  append: true\n"
            "  override:\n    condition: append\n",
            "cannot be used together",
            ("rule", "Shell in container"),
        ),
        (
            "- rule: Shell in container\n  priority: INFO\n  override:\n    priority: append\n",
            "cannot be overridden with 'append'",
            ("rule", "Shell in container"),
        ),
        (
            "- rule: Shell in container\n  priority: INFO\n  desc: x\n"
            "  override:\n    priority: replace\n",
            "Unexpected key 'desc'",
            ("rule", "Shell in container"),
        ),
        (
            "- rule: Shell in container\n  override:\n    priority: replace\n",
            "item has no 'priority'",
            ("rule", "Shell in container"),
        ),
    ],
)
def test_override_errors_are_located(extra: str, message: str, kind_name: tuple[str, str]) -> None:
    rs = load(BASE, extra)
    assert len(rs.errors) == 1, [str(e) for e in rs.errors]
    err = rs.errors[0]
    assert message in err.message
    assert (err.kind, err.name, err.file, err.line) == (*kind_name, "f1.yaml", 1)
    assert str(err).startswith("f1.yaml:1:3: error: ")


# --- exceptions --------------------------------------------------------------------------

EXC_RULE = """
- list: allowed_parents
  items: [sshd, tmux]
- rule: Shell
  desc: d
  condition: evt.type = execve and proc.name = bash
  output: o
  priority: NOTICE
  exceptions:
{exceptions}
"""


def exc_rule(exceptions: str, *more: str) -> Ruleset:
    body = textwrap.indent(textwrap.dedent(exceptions).strip("\n"), "    ")
    return load(EXC_RULE.format(exceptions=body), *more)


@pytest.mark.parametrize(
    ("exceptions", "cases"),
    [
        (  # fields + comps + value tuples
            """
            - name: known
              fields: [proc.pname, proc.cmdline]
              comps: [=, startswith]
              values:
                - [cron, "bash -c"]
                - [sshd, bash]
            """,
            [
                ({"proc.pname": "cron", "proc.cmdline": "bash -c x"}, False),
                ({"proc.pname": "cron", "proc.cmdline": "bash x"}, True),
                ({"proc.pname": "sshd", "proc.cmdline": "bash"}, False),
                ({"proc.pname": "sshd"}, True),
            ],
        ),
        (  # comps default to '=' for a field list
            """
            - name: known
              fields: [proc.pname]
              values: [[cron]]
            """,
            [({"proc.pname": "cron"}, False), ({"proc.pname": "crond"}, True)],
        ),
        (  # one field: comps default to 'in', values are the set
            """
            - name: known
              fields: proc.pname
              values: [cron, "my shell"]
            """,
            [
                ({"proc.pname": "cron"}, False),
                ({"proc.pname": "my shell"}, False),
                ({"proc.pname": "my"}, True),
            ],
        ),
        (  # one field with another comp
            """
            - name: known
              fields: proc.cwd
              comps: pmatch
              values: [/opt/app]
            """,
            [({"proc.cwd": "/opt/app/bin"}, False), ({"proc.cwd": "/opt/apps"}, True)],
        ),
        (  # a list-valued comp inside a tuple, with a list name and an inline list
            """
            - name: known
              fields: [proc.pname, proc.cwd]
              comps: [in, in]
              values:
                - [allowed_parents, [/root, /home]]
            """,
            [
                ({"proc.pname": "tmux", "proc.cwd": "/root"}, False),
                ({"proc.pname": "tmux", "proc.cwd": "/tmp"}, True),
                ({"proc.pname": "screen", "proc.cwd": "/root"}, True),
            ],
        ),
        (  # no values: the exception adds nothing
            """
            - name: empty
              fields: [proc.pname]
            """,
            [({"proc.pname": "cron"}, True)],
        ),
    ],
)
def test_exception_forms(exceptions: str, cases: list[tuple[dict[str, Any], bool]]) -> None:
    rs = exc_rule(exceptions)
    assert rs.ok, [str(e) for e in rs.errors]
    for event, want in cases:
        assert fires(rs, {"evt.type": "execve", "proc.name": "bash", **event}, "Shell") is want, (
            event
        )


def test_exception_values_appended() -> None:
    base = """
    - name: known
      fields: [proc.pname]
      values: [[cron]]
    """
    more = """
    - rule: Shell
      exceptions:
        - name: known
          values: [[sshd]]
        - name: by_cwd
          fields: proc.cwd
          values: [/srv]
      override:
        exceptions: append
    """
    rs = exc_rule(base, textwrap.dedent(more))
    assert rs.ok, [str(e) for e in rs.errors]
    ev = {"evt.type": "execve", "proc.name": "bash"}
    assert not fires(rs, {**ev, "proc.pname": "sshd"}, "Shell")
    assert not fires(rs, {**ev, "proc.pname": "cron"}, "Shell")
    assert not fires(rs, {**ev, "proc.pname": "x", "proc.cwd": "/srv"}, "Shell")
    assert fires(rs, {**ev, "proc.pname": "x"}, "Shell")


@pytest.mark.parametrize(
    ("exceptions", "message"),
    [
        ("- name: x\n  fields: [proc.pname, proc.cwd]\n  comps: [=]\n", "equal length"),
        (
            "- name: x\n  fields: [proc.pname]\n  comps: [~=]\n",
            "not a supported comparison operator",
        ),
        ("- name: x\n  fields: [proc.pname, proc.cwd]\n  values: [[a]]\n", "sequences of 2 items"),
        ("- fields: [proc.pname]\n", "no mapping for key 'name'"),
        ("- name: x\n  values: [[a]]\n", "must have fields"),
    ],
)
def test_exception_errors(exceptions: str, message: str) -> None:
    rs = exc_rule(exceptions)
    assert rs.errors and message in rs.errors[0].message
    assert (rs.errors[0].kind, rs.errors[0].name) == ("rule", "Shell")


def test_exception_unknown_field_is_an_error() -> None:
    rs = exc_rule("- name: x\n  fields: [proc.nope]\n  values: [[a]]\n")
    assert [e.code for e in rs.errors] == ["LOAD_ERR_COMPILE_CONDITION"]
    assert "proc.nope" in rs.errors[0].message


# --- errors and warnings -----------------------------------------------------------------


def test_unknown_field_error_or_skipped() -> None:
    text = """
    - rule: R
      desc: d
      condition: evt.type = open and proc.nonsense = 1
      output: o
      priority: INFO
    """
    rs = load(text)
    assert [(e.code, e.kind, e.name, e.line) for e in rs.errors] == [
        ("LOAD_ERR_COMPILE_CONDITION", "rule", "R", 4)
    ]
    assert "proc.nonsense" in rs.errors[0].message
    rs = load(text + "  skip-if-unknown-filter: true\n")
    assert rs.ok
    assert [(w.code, w.name) for w in rs.warnings] == [("LOAD_UNKNOWN_FILTER", "R")]
    assert rule(rs, "R").skipped == "unknown field proc.nonsense"
    assert rs.rules_for("syscall", "open") == []


def test_syntax_error_position_in_file() -> None:
    cond = "evt.type = open and (proc.name = x"
    rs = load(f"- rule: R\n  desc: d\n  condition: {cond}\n  output: o\n  priority: INFO\n")
    (err,) = rs.errors
    assert (err.code, err.line, err.kind, err.name) == (
        "LOAD_ERR_COMPILE_CONDITION",
        3,
        "rule",
        "R",
    )
    assert err.message == "expected a ')' token"
    assert err.column == len("  condition: ") + len(cond) + 1
    # "and and": the second "and" reads as a macro name, as in Falco
    rs = load(
        "- rule: R\n  desc: d\n  condition: evt.type = open and and\n"
        "  output: o\n  priority: INFO\n"
    )
    assert "Undefined macro 'and'" in rs.errors[0].message
    rs = load("- macro: m\n  condition: >\n    evt.type = open\n    or (x\n")
    (err,) = rs.errors
    assert (err.kind, err.name, err.line) == ("macro", "m", 4)
    assert "expected" in err.message


def test_unknown_source_skipped() -> None:
    rs = load(
        "- rule: R\n  desc: d\n  condition: ct.name = x\n  output: o\n  priority: INFO\n"
        "  source: aws_cloudtrail\n"
    )
    assert rs.ok and [w.code for w in rs.warnings] == ["LOAD_UNKNOWN_SOURCE"]
    assert rule(rs, "R").skipped


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            "- rule: R\n  desc: d\n  output: o\n  priority: INFO\n",
            "LOAD_ERR_YAML_VALIDATE",
            "'condition'",
        ),
        (
            "- rule: R\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n",
            "LOAD_ERR_VALIDATE",
            "Invalid priority",
        ),
        ("- required_engine_version: 99.0.0\n", "LOAD_ERR_VALIDATE", "engine version"),
        ("rule: R\n", "LOAD_ERR_YAML_VALIDATE", "not yaml array"),
        ("- just a string\n", "LOAD_ERR_YAML_VALIDATE", "associative array"),
        ("- rule: [unclosed\n", "LOAD_ERR_YAML_PARSE", ""),
        (
            "- rule: R\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n"
            "  enabled: maybe\n",
            "LOAD_ERR_YAML_VALIDATE",
            "boolean",
        ),
    ],
)
def test_validation_errors(text: str, code: str, message: str) -> None:
    rs = load(text)
    assert [e.code for e in rs.errors] == [code], [str(e) for e in rs.errors]
    assert message in rs.errors[0].message
    assert rs.errors[0].line >= 1 and rs.errors[0].file == "f0.yaml"


def test_old_engine_version_and_plugins_accepted() -> None:
    rs = load(
        "- required_engine_version: 15\n- required_plugin_versions:\n"
        "  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n"
        "        version: 0.4.0\n"
    )
    assert rs.ok and not rs.warnings


def test_unused_and_unknown_items_warn() -> None:
    rs = load("- macro: m\n  condition: evt.type=open\n- list: l\n  items: [a]\n- whatever: 1\n")
    assert rs.ok
    assert sorted(w.code for w in rs.warnings) == [
        "LOAD_UNKNOWN_ITEM",
        "LOAD_UNUSED_LIST",
        "LOAD_UNUSED_MACRO",
    ]


def test_files_and_directories_in_order(tmp_path: Path) -> None:
    d = tmp_path / "rules.d"
    d.mkdir()
    (d / "10-base.yaml").write_text(BASE)
    (d / "20-more.yaml").write_text("- list: shells\n  items: [zsh]\n  append: true\n")
    rs = load_files([d])
    assert rs.ok and rs.lists["shells"] == ["bash", "sh", "zsh"]
    rs = load_files([d / "20-more.yaml", d / "10-base.yaml"])
    assert [e.code for e in rs.errors] == ["LOAD_ERR_VALIDATE"]
    assert rs.errors[0].file.endswith("20-more.yaml")
    rs = load_files([tmp_path / "missing.yaml"])
    assert [e.code for e in rs.errors] == ["LOAD_ERR_FILE_READ"]


def test_output_rendering() -> None:
    rs = load(
        BASE,
        "- rule: Shell in container\n"
        "  output: 'p=%proc.pname a=%proc.aname[2] l=%toupper(proc.name) m=%container.id 100%'\n"
        "  override:\n    output: replace\n",
    )
    r = rule(rs)
    ex = extractor({**SHELL, "proc.aname[2]": "init"})
    assert r.render.render(ex) == "p=runc a=init l=BASH m=<NA> 100%"
    assert r.render.fields == ["proc.pname", "proc.aname[2]", "toupper(proc.name)", "container.id"]


def test_output_unknown_field_is_an_error() -> None:
    rs = load(
        BASE,
        "- rule: Shell in container\n  output: '%proc.nope'\n  override:\n    output: replace\n",
    )
    assert [e.code for e in rs.errors] == ["LOAD_ERR_COMPILE_OUTPUT"]


def test_index_by_source_and_event_type() -> None:
    rs = load(
        BASE,
        "- rule: Any\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: INFO\n"
        "  warn_evttypes: false\n"
        "- rule: Open\n  desc: d\n  condition: evt.type = open or evt.type in (openat)\n"
        "  output: o\n  priority: INFO\n"
        "- rule: K\n  desc: d\n  condition: ka.verb = get\n  output: o\n  priority: INFO\n"
        "  source: k8s_audit\n",
    )
    assert rs.ok and not rs.warnings, [str(d) for d in rs.diagnostics]

    def names(source: str, evt: str | None = None) -> list[str]:
        return [r.name for r in rs.rules_for(source, evt)]

    assert names("syscall", "execve") == ["Shell in container", "Any"]
    assert names("syscall", "openat") == ["Any", "Open"]
    assert names("syscall", "connect") == ["Any"]
    assert names("syscall") == ["Shell in container", "Any", "Open"]
    assert names("k8s_audit") == ["K"]
    assert [r.name for r in rs.match("k8s_audit", extractor({"ka.verb": "get"}))] == ["K"]
    rs = load("- rule: Any\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: INFO\n")
    assert [w.code for w in rs.warnings] == ["LOAD_NO_EVTTYPE"]


def test_macro_visibility() -> None:
    # a rule may use a macro defined after it; a macro only the macros defined before it
    rs = load(
        "- rule: R\n  desc: d\n  condition: late\n  output: o\n  priority: INFO\n"
        "- macro: late\n  condition: evt.type = open\n"
    )
    assert rs.ok and rule(rs, "R").evt_types == {"open"}
    rs = load(
        "- macro: a\n  condition: b and proc.name = x\n- macro: b\n  condition: evt.type = open\n"
        "- rule: R\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n"
    )
    assert [(e.code, e.kind, e.name) for e in rs.errors][:1] == [
        ("LOAD_ERR_VALIDATE", "macro", "a")
    ]
    assert "Undefined macro 'b'" in rs.errors[0].message
    rs = load("- rule: R\n  desc: d\n  condition: nope\n  output: o\n  priority: INFO\n")
    assert [(e.code, e.name) for e in rs.errors] == [("LOAD_ERR_VALIDATE", "R")]


@pytest.mark.parametrize(
    ("exceptions", "message"),
    [
        ("- name: x\n  fields: proc.pname\n  comps: =\n  values: [a]\n", "needs a field list"),
        ("- name: x\n  fields: proc.pname\n  values: [[a, b]]\n", "list of strings"),
    ],
)
def test_one_field_exception_needs_a_list_comparison(exceptions: str, message: str) -> None:
    rs = exc_rule(exceptions)
    assert [e.code for e in rs.errors] == ["LOAD_ERR_VALIDATE"]
    assert message in rs.errors[0].message


def test_deprecated_forms_warn() -> None:
    rs = load(BASE, "- list: shells\n  items: [zsh]\n  append: true\n")
    assert [(w.code, w.kind, w.name) for w in rs.warnings] == [
        ("LOAD_DEPRECATED_ITEM", "list", "shells")
    ]
    rs = load(BASE, "- rule: Shell in container\n  enabled: false\n")
    assert [w.code for w in rs.warnings] == ["LOAD_DEPRECATED_ITEM"]
    assert "enabled: replace" in rs.warnings[0].message
    rs = load(
        BASE, "- rule: Shell in container\n  enabled: false\n  override:\n    enabled: replace\n"
    )
    assert rs.ok and not rs.warnings and rule(rs).enabled is False


def test_override_item_may_carry_other_keys_and_both_directives() -> None:
    rs = load(
        BASE,
        """
        - rule: Shell in container
          source: syscall
          condition: and proc.pname != runc
          priority: CRITICAL
          override:
            condition: append
            priority: replace
        """,
    )
    assert rs.ok and not rs.warnings, [str(d) for d in rs.diagnostics]
    assert rule(rs).priority == "Critical" and not fires(rs, SHELL)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- macro: bad.name\n  condition: evt.type = open\n", "macro"),
        ("- list: 'bad name'\n  items: [a]\n", "list"),
    ],
)
def test_invalid_names(text: str, kind: str) -> None:
    rs = load(text)
    assert [(e.code, e.kind) for e in rs.errors] == [("LOAD_ERR_VALIDATE", kind)]
    assert "name is invalid" in rs.errors[0].message


def test_legacy_container_info_in_output() -> None:
    rs = load(
        BASE,
        "- rule: Shell in container\n  output: shell %proc.name %container.info\n"
        "  override:\n    output: replace\n",
    )
    assert rs.ok, [str(e) for e in rs.errors]
    assert rule(rs).render.render(extractor(SHELL)) == "shell bash"


def test_compile_errors_point_into_the_condition() -> None:
    cond = "evt.type = open and proc.nope = 1"
    rs = load(f"- rule: R\n  desc: d\n  condition: {cond}\n  output: o\n  priority: INFO\n")
    (err,) = rs.errors
    assert (err.line, err.column) == (3, len("  condition: ") + cond.index("proc.nope") + 1)
    # the same field inside a macro: located at the condition that uses the macro
    rs = load(
        "- macro: m\n  condition: proc.nope = 1\n"
        "- rule: R\n  desc: d\n  condition: evt.type = open and m\n  output: o\n  priority: INFO\n"
    )
    (err,) = rs.errors
    assert (err.kind, err.name, err.line) == ("rule", "R", 5)
    assert "proc.nope" in err.message


def test_scalars_are_read_the_way_yaml_cpp_reads_them() -> None:
    # Falco's YAML library keeps every plain scalar as text: a rule named Off, list items
    # yes, no, on, 010 and 1:30 are those texts (YAML 1.1 would make them false, true, 8, 90)
    text = (
        "- list: words\n"
        "  items: [yes, no, on, 010, 1:30, ~]\n"
        "- rule: Off\n"
        "  desc: d\n"
        "  condition: proc.name in (words)\n"
        "  output: o %proc.name\n"
        "  priority: WARNING\n"
        "  enabled: Yes\n"
        "- rule: Quiet\n"
        "  desc: d\n"
        "  condition: proc.name = x\n"
        "  output: o\n"
        "  priority: WARNING\n"
        '  enabled: "off"\n'
    )
    rs = load_texts([("r.yaml", text)])
    assert rs.errors == []
    assert [(r.name, r.enabled) for r in rs.rules] == [("Off", True), ("Quiet", False)]
    for name, fires in [("yes", True), ("on", True), ("010", True), ("1:30", True),
                        ("true", False), ("8", False), ("90", False)]:  # fmt: skip
        assert bool(rs.match("syscall", extractor({"proc.name": name}))) is fires, name
    bad = load_texts([("b.yaml", text.replace("enabled: Yes", "enabled: maybe"))])
    assert [d.message for d in bad.errors] == ["Value of 'enabled' must be a boolean"]
