"""A docker-registry on 127.0.0.1 per test module (a config of its own: Debian's default
listens on every interface)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.registry import Registry, start_registry, stop_registry


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    registry = start_registry(tmp_path_factory.mktemp("signatures") / "reg")
    try:
        yield registry
    finally:
        stop_registry(registry)
