"""``hardhull netpol reach`` on examples/cluster/: exact matrix, answers, JSON and exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hardhull.cli.common import add_report_options
from hardhull.cli.netpol import add_netpol_parser, cmd_netpol
from tests.conftest import ROOT

CLUSTER = str(ROOT / "examples" / "cluster")


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hardhull")
    sub = parser.add_subparsers(dest="command")
    add_netpol_parser(sub, add_report_options)
    return parser.parse_args(["netpol", "reach", *argv])


def reach(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cmd_netpol(parse(*argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = reach(capsys, CLUSTER)
    assert (code, err) == (0, "")
    assert out == (
        "Reachability on each destination's declared ports (rows: from, columns: to)\n"
        "Y allowed, ~ on some ports only, . denied, - no port (use --port)\n"
        "\n"
        "                                             1 2 3 4   serves\n"
        "  1  database/postgres                       . . . .   5432/TCP\n"
        "  2  ingress-nginx/ingress-nginx-controller  . . ~ Y   80/TCP, 443/TCP\n"
        "  3  kube-system/coredns                     . Y Y .   53/UDP, 53/TCP, 9153/TCP\n"
        "  4  shop/shop                               Y . ~ .   3000/TCP\n"
        "\n"
        "4 workload(s), 16 pair(s): 4 allowed, 2 on some ports, 10 denied\n"
    )


def test_matrix_on_one_port(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reach(capsys, CLUSTER, "--port", "53", "--protocol", "udp")
    assert code == 0
    assert out == (
        "Reachability on 53/UDP (rows: from, columns: to)\n"
        "Y allowed, . denied\n"
        "\n"
        "                                             1 2 3 4\n"
        "  1  database/postgres                       . . . .\n"
        "  2  ingress-nginx/ingress-nginx-controller  . . Y .\n"
        "  3  kube-system/coredns                     . . Y .\n"
        "  4  shop/shop                               . . Y .\n"
        "\n"
        "4 workload(s), 16 pair(s): 3 allowed, 13 denied\n"
    )


@pytest.mark.parametrize(
    ("argv", "code", "expected"),
    [
        (
            ["--from", "ingress-nginx/ingress-nginx-controller", "--to", "shop/shop",
             "--port", "3000"],
            0,
            "ingress-nginx/ingress-nginx-controller -> shop/shop on 3000/TCP: allowed\n"
            "  egress:  allowed by ingress-nginx/controller\n"
            "  ingress: allowed by shop/shop-from-ingress-nginx\n",
        ),
        (
            ["--from", "203.0.113.7", "--to", "shop/shop"],
            1,
            "203.0.113.7 -> shop/shop on 3000/TCP: denied\n"
            "  egress:  source is not a pod of the set\n"
            "  ingress: shop/shop is isolated by shop/default-deny, shop/shop-from-ingress-nginx "
            "and no ingress rule admits 203.0.113.7 on 3000/TCP\n",
        ),
        (
            ["--from", "shop/shop", "--to", "database/postgres", "--port", "5432"],
            0,
            "shop/shop -> database/postgres on 5432/TCP: allowed\n"
            "  egress:  allowed by shop/shop-to-database\n"
            "  ingress: allowed by database/postgres-from-shop\n",
        ),
        (
            ["--from", "shop/shop", "--to", "database/postgres", "--port", "22"],
            1,
            "shop/shop -> database/postgres on 22/TCP: denied\n"
            "  egress:  shop/shop is isolated by shop/allow-dns, shop/default-deny, "
            "shop/shop-to-database and no egress rule admits database/postgres on 22/TCP\n"
            "  ingress: database/postgres is isolated by database/default-deny, "
            "database/postgres-from-shop and no ingress rule admits shop/shop on 22/TCP\n",
        ),
        (
            ["--from", "database/postgres", "--to", "shop/shop"],
            1,
            "database/postgres -> shop/shop on 3000/TCP: denied\n"
            "  egress:  database/postgres is isolated by database/default-deny and no egress "
            "rule admits shop/shop on 3000/TCP\n"
            "  ingress: shop/shop is isolated by shop/default-deny, shop/shop-from-ingress-nginx "
            "and no ingress rule admits database/postgres on 3000/TCP\n",
        ),
        (
            ["--from", "shop/shop", "--to", "kube-system/coredns", "--port", "53",
             "--protocol", "UDP"],
            0,
            "shop/shop -> kube-system/coredns on 53/UDP: allowed\n"
            "  egress:  allowed by shop/allow-dns\n"
            "  ingress: no policy isolates kube-system/coredns\n",
        ),
        (
            # without --port: every declared port of the destination; a bare NAME is found in
            # any namespace when it is unique
            ["--from", "shop", "--to", "coredns"],
            1,
            "shop/shop -> kube-system/coredns on 53/TCP: allowed\n"
            "  egress:  allowed by shop/allow-dns\n"
            "  ingress: no policy isolates kube-system/coredns\n"
            "shop/shop -> kube-system/coredns on 53/UDP: allowed\n"
            "  egress:  allowed by shop/allow-dns\n"
            "  ingress: no policy isolates kube-system/coredns\n"
            "shop/shop -> kube-system/coredns on 9153/TCP: denied\n"
            "  egress:  shop/shop is isolated by shop/allow-dns, shop/default-deny, "
            "shop/shop-to-database and no egress rule admits kube-system/coredns on 9153/TCP\n"
            "  ingress: no policy isolates kube-system/coredns\n",
        ),
    ],
    ids=["ingress-to-shop", "internet-to-shop", "shop-to-db", "shop-to-db-22", "db-to-shop",
         "shop-to-dns", "declared-ports"],
)  # fmt: skip
def test_single_answers(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, expected: str
) -> None:
    assert reach(capsys, CLUSTER, *argv) == (code, expected, "")


def test_one_side_lists_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reach(capsys, CLUSTER, "--from", "shop/shop")
    assert code == 0
    assert out == (
        "shop/shop -> database/postgres                       5432/TCP allowed\n"
        "shop/shop -> ingress-nginx/ingress-nginx-controller  80/TCP denied, 443/TCP denied\n"
        "shop/shop -> kube-system/coredns                     53/TCP allowed, 53/UDP allowed, "
        "9153/TCP denied\n"
        "shop/shop -> shop/shop                               3000/TCP denied\n"
    )
    code, out, _ = reach(capsys, CLUSTER, "--to", "198.51.100.1", "--port", "443")
    assert code == 0
    assert out == (
        "database/postgres -> 198.51.100.1                       443/TCP denied\n"
        "ingress-nginx/ingress-nginx-controller -> 198.51.100.1  443/TCP denied\n"
        "kube-system/coredns -> 198.51.100.1                     443/TCP allowed\n"
        "shop/shop -> 198.51.100.1                               443/TCP denied\n"
    )


def test_json_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reach(
        capsys, CLUSTER, "--from", "shop/shop", "--to", "database/postgres", "-f", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["allowed"] is True
    assert doc["query"] == {
        "from": "shop/shop",
        "to": "database/postgres",
        "port": None,
        "protocol": None,
    }
    assert doc["decisions"] == [
        {
            "from": "shop/shop",
            "to": "database/postgres",
            "port": 5432,
            "protocol": "TCP",
            "allowed": True,
            "egress_policies": ["shop/shop-to-database"],
            "ingress_policies": ["database/postgres-from-shop"],
            "reason": "allowed: egress: allowed by shop/shop-to-database; ingress: allowed by "
            "database/postgres-from-shop",
        }
    ]
    assert [e["id"] for e in doc["endpoints"]] == ["database/postgres", "shop/shop"]
    assert doc["endpoints"][0] == {
        "id": "database/postgres",
        "namespace": "database",
        "name": "postgres",
        "kind": "StatefulSet",
        "labels": {"app": "postgres"},
        "ports": [{"name": "postgres", "port": 5432, "protocol": "TCP", "container": "postgres"}],
        "host_network": False,
    }
    assert doc["problems"] == [] and doc["ignored"] == []


def test_json_matrix_has_every_decision(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reach(capsys, CLUSTER, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert "allowed" not in doc
    assert len(doc["endpoints"]) == 4
    # one decision per pair and declared port of the destination: 4 sources x 7 ports
    assert len(doc["decisions"]) == 28
    allowed = sorted(
        (d["from"], d["to"], d["port"], d["protocol"]) for d in doc["decisions"] if d["allowed"]
    )
    assert allowed == [
        ("ingress-nginx/ingress-nginx-controller", "kube-system/coredns", 53, "TCP"),
        ("ingress-nginx/ingress-nginx-controller", "kube-system/coredns", 53, "UDP"),
        ("ingress-nginx/ingress-nginx-controller", "shop/shop", 3000, "TCP"),
        ("kube-system/coredns", "ingress-nginx/ingress-nginx-controller", 80, "TCP"),
        ("kube-system/coredns", "ingress-nginx/ingress-nginx-controller", 443, "TCP"),
        ("kube-system/coredns", "kube-system/coredns", 53, "TCP"),
        ("kube-system/coredns", "kube-system/coredns", 53, "UDP"),
        ("kube-system/coredns", "kube-system/coredns", 9153, "TCP"),
        ("shop/shop", "database/postgres", 5432, "TCP"),
        ("shop/shop", "kube-system/coredns", 53, "TCP"),
        ("shop/shop", "kube-system/coredns", 53, "UDP"),
    ]


POLICIES = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {hostNetwork: true, containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: a}
spec:
  podSelector: {}
  ingress:
    - ports: [{protocol: tcp}]
"""


def test_ambiguity_duplicates_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(POLICIES, encoding="utf-8")
    code, out, err = reach(capsys, str(path), "--from", "a/web")
    assert code == 2 and out == ""
    assert err.endswith(
        "hardhull: error: --from 'a/web' is ambiguous: use one of a/Deployment/web, a/Pod/web\n"
    )
    warning = (
        f"hardhull: warning: {path}:20: NetworkPolicy/a/bad is not evaluated "
        "(/spec/ingress/0/ports/0/protocol: 'tcp' is not TCP, UDP or SCTP)\n"
    )
    assert err.startswith(warning)
    code, out, err = reach(capsys, str(path), "--port", "80")
    assert (code, err) == (0, warning)
    assert out.splitlines()[3:] == [
        "                               1 2",
        "  1  a/Deployment/web          Y Y",
        "  2  a/Pod/web (host network)  Y Y",
        "",
        "2 workload(s), 4 pair(s): 4 allowed, 0 denied",
    ]
    code, out, _ = reach(capsys, str(path), "--from", "a/Pod/web", "--to", "a/deployment/web",
                         "--port", "80")  # fmt: skip
    assert code == 0
    assert out.endswith("(note: a/web uses the host network; NetworkPolicy behavior for "
                        "host-network pods is undefined and most plugins treat their traffic "
                        "as node traffic)\n")  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "nope"], "--from 'nope' matches no workload of the files; workloads: "
         "database/postgres, ingress-nginx/ingress-nginx-controller, kube-system/coredns, "
         "shop/shop"),
        (["--from", "10.0.0.1", "--to", "10.0.0.2", "--port", "80"],
         "--from and --to are both addresses: at least one must be a workload"),
        (["--to", "10.0.0.2"], "--port is required when --to is an address"),
        (["--from", "shop/shop", "--to", "database/postgres", "--protocol", "UDP"],
         "--to database/postgres declares no UDP container port: use --port"),
        (["-f", "sarif"], "netpol reach writes text or json, not sarif"),
        (["--fail-on", "high"],
         "--fail-on does not apply to netpol reach (exit 1 means denied)"),
    ],
    ids=["unknown", "two-addresses", "address-without-port", "no-such-port", "sarif",
         "fail-on"],
)  # fmt: skip
def test_bad_input_exits_two(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert reach(capsys, CLUSTER, *argv) == (2, "", f"hardhull: error: {message}\n")


def test_bad_flags_and_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--port", "0"], ["--port", "http"], ["--protocol", "ICMP"], []):
        with pytest.raises(SystemExit) as exc:
            parse(CLUSTER, *argv) if argv else parse()
        assert exc.value.code == 2
    capsys.readouterr()
    missing = str(tmp_path / "missing.yaml")
    code, out, err = reach(capsys, missing)
    assert (code, out) == (2, "")
    assert err.endswith("hardhull: error: nothing could be read\n")
    assert f"hardhull: input error: {missing}" in err
    assert cmd_netpol(argparse.Namespace(netpol_command=None)) == 2
    assert "netpol needs a command: reach" in capsys.readouterr().err
    ns = argparse.Namespace(netpol_command="reach", paths=[CLUSTER], port=70000)
    assert cmd_netpol(ns) == 2
    assert "invalid port '70000'" in capsys.readouterr().err


def test_stdin_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ns = parse("-", "--port", "80", "-o", str(tmp_path / "out.txt"))
    ns.stdin_text = POLICIES
    assert cmd_netpol(ns) == 0
    assert capsys.readouterr().out == ""
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").startswith("Reachability on 80/TCP")


def test_port_with_a_protocol_the_api_server_rejects_serves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`protocol: tcp` (lowercase, in a kubernetes/examples manifest) is refused by the API
    server: the port does not exist, and reach neither crashes nor lists it."""
    path = tmp_path / "pods.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    ports:\n"
        "    - {containerPort: 80, protocol: tcp}\n    - {containerPort: 8443}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: shop}\n"
        "spec:\n  containers:\n  - {name: c, image: busybox:1.36}\n",
        encoding="utf-8",
    )
    code, out, err = reach(capsys, str(path), "--from", "shop/client", "--to", "shop/web")
    assert (code, err) == (0, "")
    assert "8443/TCP" in out and "80/" not in out


def _many_ports(n: int) -> str:
    """n workloads in one namespace, each serving its own port, behind policies with peers."""
    docs = [
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: allow, namespace: shop}\nspec:\n  podSelector: {}\n"
        "  ingress:\n  - from: [{podSelector: {matchLabels: {tier: front}}}]\n"
        "  egress:\n  - to: [{namespaceSelector: {}, podSelector: {}}]\n    ports: [{port: 8001}]\n"
    ]
    for i in range(n):
        tier = "front" if i % 2 else "back"
        docs.append(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: shop, "
            f"labels: {{tier: {tier}}}}}\nspec:\n  containers:\n  - name: c\n    image: x:1\n"
            f"    ports: [{{containerPort: {8000 + i}}}]\n"
        )
    return "---\n".join(docs)


def test_reach_without_port_matches_peers_once_whatever_the_ports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --port each destination is checked on its own ports: the selector matching of
    the policies' peers does not depend on the port, so it is done once, not once per port
    (45 s against 1.7 s on the corpus before)."""
    from hardhull.netpol import Network

    path = tmp_path / "pods.yaml"
    path.write_text(_many_ports(12), encoding="utf-8")
    calls = []
    real = Network.peer_matches

    def counted(self: Network, *args: object) -> bool:
        calls.append(args)
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Network, "peer_matches", counted)
    code, every_port, _ = reach(capsys, str(path))
    assert (
        code == 0
        and "12 workload(s), 144 pair(s): 6 allowed, 0 on some ports, 138 denied" in every_port
    )
    per_port = len(calls)
    calls.clear()
    assert reach(capsys, str(path), "--port", "8001")[0] == 0
    assert per_port == len(calls) > 0


def test_reach_decisions_equal_pairwise_on_every_port() -> None:
    """Network.reach(sources, destinations) decides as Network.allowed does, for a part of
    the destinations too, on ports and protocols the rules match or not."""
    from hardhull.frontends.kubernetes import parse_text
    from hardhull.netpol import IPPeer, build

    cluster = "---\n".join(
        p.read_text(encoding="utf-8") for p in sorted(Path(CLUSTER).glob("*.yaml"))
    )
    parsed = parse_text("x.yaml", _many_ports(6) + "---\n" + cluster)
    assert parsed.errors == []
    net = build([o.data for o in parsed.objects])
    peers = [*net.endpoints, IPPeer.parse("10.0.0.1")]
    sources, dests = peers[::2], peers[1:]
    reach_ = net.reach(sources, dests)
    for port, proto in ((8001, "TCP"), (8002, "TCP"), (80, "UDP"), (5432, "TCP")):
        for part in (None, dests[:3]):
            got = reach_.decisions(port, proto, part)
            want = {(s, d): net.allowed(s, d, port, proto) for s in sources for d in part or dests}
            assert got == want
