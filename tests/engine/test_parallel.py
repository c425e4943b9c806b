"""A scan large enough for the process pool gives exactly the findings of one process, set
checks included (their objects come back from the workers without positions and are located
again in the parent)."""

from __future__ import annotations

from pathlib import Path

from hardhull.engine import PARALLEL_THRESHOLD, ScanOptions, scan

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app{i}
  namespace: ns{ns}
spec:
  selector: {{matchLabels: {{app: a{i}}}}}
  template:
    metadata: {{labels: {{app: a{i}}}}}
    spec:
      containers:
        - name: c
          image: registry.example.com/app:{i}
          securityContext: {{privileged: {priv}}}
"""
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{ns}\n"


def test_pool_and_single_process_agree(tmp_path: Path) -> None:
    for i in range(PARALLEL_THRESHOLD + 6):
        text = DEPLOYMENT.format(i=i, ns=i % 3, priv="true" if i % 5 == 0 else "false")
        if i < 3:
            text = NAMESPACE.format(ns=i) + "---\n" + text
        (tmp_path / f"d{i:03}.yaml").write_text(text)

    def key(jobs: int) -> list[tuple[str, str, int, int, str, str]]:
        result = scan([str(tmp_path)], ScanOptions(jobs=jobs))
        assert result.errors == []
        return [
            (
                f.rule.code,
                f.location.path,
                f.location.line,
                f.location.column,
                f.message,
                f.snippet,
            )
            for f in result.findings
        ]

    one, two = key(1), key(2)
    assert one == two
    # the set checks ran and their findings are located in the files (not at line 0)
    n001 = [k for k in two if k[0] == "N001"]
    assert len(n001) == 3 and all(line > 0 and snippet for _, _, line, _, _, snippet in n001)
