"""Fixtures shared by the runtime tests."""

from __future__ import annotations

import pytest

from tests.runtime.test_upstream_rules import RULES


@pytest.fixture
def rules() -> str:
    """Falco's k8s_audit_rules.yaml (../shared/falco-rules), its path as the CLI takes it."""
    if not RULES.is_file():
        pytest.skip(f"{RULES} not found (CI has ../shared beside the checkout)")
    return str(RULES)
