"""A scan keeps a lean view of every Kubernetes object for the checks over the whole set
(:func:`hardhull.frontends.kubernetes.set_view`): those checks must find exactly what they
find on the whole objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardhull.context import ScanFacts
from hardhull.engine import evaluate_set
from hardhull.frontends.files import collect
from hardhull.frontends.kubernetes import parse_text, set_view
from tests.conftest import ROOT


def _objects(path: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for item in collect([str(path)]).inputs:
        out.extend(o.data for o in parse_text(item.path, item.text).objects)
    return out


def _same_set_findings(objects: list[dict[str, object]]) -> None:
    full, full_errors = evaluate_set(objects, ScanFacts())
    lean, lean_errors = evaluate_set([set_view(o) for o in objects], ScanFacts())
    assert full_errors == lean_errors == []
    assert lean == full


def test_examples_give_the_same_set_findings_on_lean_views() -> None:
    objects = _objects(ROOT / "examples")
    assert len(objects) > 20
    _same_set_findings(objects)


@pytest.mark.parametrize(
    "folder",
    [
        "GoogleCloudPlatform+kubernetes-engine-samples",
        "argoproj+argo-cd",
        "kubernetes+examples",
        "prometheus-operator+kube-prometheus",
    ],
)
def test_corpus_gives_the_same_set_findings_on_lean_views(shared: Path, folder: str) -> None:
    path = shared / "corpus" / "k8s" / folder
    if not path.is_dir():
        pytest.skip(f"{path} not found")
    objects = _objects(path)
    assert objects
    _same_set_findings(objects)


def test_view_leaves_out_bulk_and_keeps_pointers() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "managedFields": [{"manager": "kubectl"}]},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "serviceAccountName": "web",
                    "containers": [
                        {
                            "name": "a",
                            "env": [{"name": "X", "value": "1"}],
                            "ports": [{"containerPort": 80}],
                        },
                        {"name": "b", "command": ["sh"], "securityContext": {"privileged": True}},
                    ],
                },
            }
        },
    }
    view = set_view(obj)
    pod = view["spec"]["template"]["spec"]
    assert pod["containers"] == [
        {"name": "a", "ports": [{"containerPort": 80}]},
        {"name": "b", "securityContext": {"privileged": True}},
    ]
    assert pod["serviceAccountName"] == "web"
    assert view["metadata"] == {"name": "web"}
    assert obj["spec"]["template"]["spec"]["containers"][0]["env"]  # the original is untouched
    cm = set_view(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    )
    assert "data" not in cm
    crd = set_view(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "xs.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"plural": "xs"},
                "scope": "Namespaced",
                "versions": [{}],
            },
        }
    )
    assert crd["spec"] == {"group": "example.com", "names": {"plural": "xs"}, "scope": "Namespaced"}
