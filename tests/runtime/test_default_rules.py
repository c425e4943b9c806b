"""hardhull's default runtime rules (src/hardhull/data/runtime_rules.yaml, issue #12 §2): they
load with no error or warning; over the generated audit log each scripted attack fires exactly
the default rules written for it; the benign traffic and the normal operations that look like
attacks fire none; the syscall rules decide on process events; users' files override them
the Falco way; the CLI loads them unless --no-default-rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hardhull.falco.loader import Ruleset, load_files, load_texts
from hardhull.runtime.defaults import default_rules
from hardhull.runtime.k8saudit import extractor
from tests.falco.helpers import extractor as fields_of
from tests.helpers.auditlog import ATTACKS, attacks, benign, cluster_operations, jsonl

#: attack -> the default rules it fires, once per event that shows it
EXPECTED: dict[str, list[str]] = {
    "exec into a pod": ["Interactive Access to Pod [R003]"],
    "attach to a pod": ["Interactive Access to Pod [R003]"],
    "port-forward to a pod": ["Interactive Access to Pod [R003]"],
    "ephemeral debug container": ["Interactive Access to Pod [R003]"],
    "privileged pod": ["Privileged Pod Created [K001]"],
    "hostPath pod of the host's root": ["HostPath Pod Created [K018]"],
    "hostNetwork pod": ["HostNetwork Pod Created [K014]"],
    "hostPID pod": ["HostPID Pod Created [K015]"],
    "hostIPC pod": ["HostIPC Pod Created [K016]"],
    "cluster-admin binding": ["Cluster-Admin Binding Created [R010]"],
    "wildcard ClusterRole": ["Wildcard Role Created [R001]"],
    "secrets read by an unexpected user": ["Secret Read by Unexpected User [R002]"] * 2,
    "anonymous request allowed": ["Anonymous Request Allowed [R011]"],
    "hardhull's webhook deleted": ["hardhull Admission Webhook Deleted"],
    "mutating webhook created": ["Admission Webhook Configuration Changed [R009]"],
    "audit configuration changed": ["Audit Configuration Changed"],
    "forbidden requests burst": ["Unauthorized API Request"] * 9,
    # risks the static S-rules and the upstream rules cover; no default runtime rule
    "NodePort Service": [],
    "ConfigMap with a credential": [],
    "ServiceAccount in kube-system": [],
}


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    rs = load_files([default_rules()])
    assert rs.diagnostics == []
    return rs


def _fired(rs: Ruleset, events: list[dict[str, Any]]) -> list[str]:
    return [r.name for e in events for r in rs.match("k8s_audit", extractor(e))]


def test_every_attack_has_its_expectation() -> None:
    assert sorted(EXPECTED) == sorted(ATTACKS)


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_each_attack_fires_exactly_its_default_rules(rules: Ruleset, attack: str) -> None:
    assert _fired(rules, attacks()[attack]) == EXPECTED[attack]


def test_benign_traffic_and_normal_operations_fire_nothing(rules: Ruleset) -> None:
    assert _fired(rules, list(benign(5000))) == []
    assert _fired(rules, cluster_operations()) == []


def test_a_person_creating_a_privileged_pod_in_kube_system_is_reported(rules: Ruleset) -> None:
    (ev,) = attacks()["privileged pod"]
    ev["objectRef"]["namespace"] = "kube-system"
    assert _fired(rules, [ev]) == ["Privileged Pod Created [K001]"]


def test_a_refused_exec_is_reported_at_its_end(rules: Ruleset) -> None:
    started, complete = attacks()["exec into a pod"]
    complete["responseStatus"]["code"] = 403
    assert _fired(rules, [complete]) == [
        "Interactive Access to Pod [R003]",
        "Unauthorized API Request",  # refused: also one of a possible burst
    ]
    assert _fired(rules, [started, {**complete, "responseStatus": {"code": 101}}]) == [
        "Interactive Access to Pod [R003]"
    ]


def test_outputs_name_the_object_and_the_user(rules: Ruleset) -> None:
    (rule,) = [r for r in rules.rules if r.name == "hardhull Admission Webhook Deleted"]
    (ev,) = attacks()["hardhull's webhook deleted"]
    assert rule.render.render(extractor(ev)) == (
        "hardhull's admission webhook deleted (user=dev-intern@example.com "
        "resource=validatingwebhookconfigurations name=hardhull-admission "
        "agent=kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46 source=10.0.12.7)"
    )


SHELL = {
    "evt.type": "execve",
    "container.id": "3ad7b26ded6d",
    "proc.name": "bash",
    "proc.pname": "runc",
    "proc.vpid": 48,
    "proc.tty": 34816,
    "proc.cmdline": "bash",
    "user.name": "root",
}


@pytest.mark.parametrize(
    ("event", "want"),
    [
        (SHELL, ["Shell Started in Container"]),
        ({**SHELL, "proc.tty": 0}, ["Shell Started in Container"]),  # kubectl exec, no tty
        ({**SHELL, "proc.tty": 0, "proc.vpid": 1}, []),  # the entrypoint
        ({**SHELL, "proc.tty": 0, "proc.pname": "python3"}, []),  # a script's subshell
        ({**SHELL, "container.id": "host"}, []),  # on the host
        ({k: v for k, v in SHELL.items() if k != "container.id"}, []),
        ({**SHELL, "evt.type": "open"}, []),
        ({**SHELL, "proc.name": "nginx"}, []),
        ({**SHELL, "proc.name": "apt-get", "proc.tty": 0}, ["Package Manager Run in Container"]),
        ({**SHELL, "proc.name": "apk", "container.id": "host"}, []),
    ],
)
def test_syscall_rules(rules: Ruleset, event: dict[str, Any], want: list[str]) -> None:
    assert [r.name for r in rules.match("syscall", fields_of(event))] == want


def test_a_shell_exported_by_tetragon_fires_the_default_rule(rules: Ruleset) -> None:
    # tests/runtime/data/tetragon.jsonl: real Tetragon events (SOURCES.md); one is bash
    # started by runc in the pod privileged-pod (an exec), the rest are not shells
    from hardhull.runtime import syscall
    from hardhull.runtime.engine import Event, read_syscall_events

    data = Path(__file__).parent / "data" / "tetragon.jsonl"
    fired = []
    for item in read_syscall_events(data.read_text().splitlines(), str(data)):
        if not isinstance(item, Event):
            continue
        get = syscall.extractor(item.data)
        for r in rules.match("syscall", get, get("evt.type", None)):
            fired.append((r.name, r.render.render(get)))
    assert fired == [
        (
            "Shell Started in Container",
            "Shell started in a container (user=<NA> shell=bash cmdline=bash parent=runc "
            "container=85f791fd8dfa image=nginx pod=privileged-pod ns=default tty=<NA>)",
        )
    ]


def test_users_extend_the_default_lists_the_falco_way(tmp_path: Path) -> None:
    override = tmp_path / "local.yaml"
    override.write_text(
        "- list: hardhull_secret_readers\n"
        "  items: [dev-intern@example.com]\n"
        "  override:\n"
        "    items: append\n"
    )
    rs = load_files([default_rules(), override])
    assert rs.errors == []
    assert _fired(rs, attacks()["secrets read by an unexpected user"]) == []
    disabled = load_texts(
        [
            (str(default_rules()), default_rules().read_text()),
            ("off.yaml", "- rule: Unauthorized API Request\n  enabled: false\n"
                         "  override:\n    enabled: replace\n"),
        ]
    )  # fmt: skip
    assert _fired(disabled, attacks()["forbidden requests burst"]) == []


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hardhull", "runtime", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_cli_runs_the_default_rules_unless_told_otherwise(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    log.write_text(jsonl(list(benign(200)) + attacks()["privileged pod"]))
    proc = _run("--input", str(log))
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["rule"] for line in proc.stdout.splitlines()] == [
        "Privileged Pod Created [K001]"
    ]
    listed = _run("--list")
    assert "Privileged Pod Created [K001]\tk8s_audit\tCritical\n" in listed.stdout
    assert "Shell Started in Container\tsyscall\tWarning\n" in listed.stdout
    ok = _run("--validate")
    assert (ok.returncode, ok.stdout) == (0, "16 rule(s) loaded, 0 skipped, 0 error(s)\n")
    none = _run("--no-default-rules", "--input", str(log))
    assert none.returncode == 2 and "--no-default-rules leaves no rules" in none.stderr
