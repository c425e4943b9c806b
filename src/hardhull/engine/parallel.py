"""Spreading a scan's inputs over worker processes.

Inputs are cut into chunks of similar size, several per worker (uneven files balance out and
progress advances). Workers forked from the scanning process take their chunk by index into
the inherited inputs and read the files themselves; the Kubernetes objects they keep for the
set checks travel back as the lean views the front end keeps.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from hardhull.frontends.files import InputRef
from hardhull.model import ScanResult

if TYPE_CHECKING:
    from hardhull.engine import ScanOptions

ScanInputs = Callable[[Sequence[InputRef], "ScanOptions"], ScanResult]

#: the inputs of the running scan, for pool workers forked from this process
_FORKED_INPUTS: Sequence[InputRef] = ()


def _size(ref: InputRef) -> int:
    if ref.text is not None:
        return len(ref.text)
    try:
        return os.stat(ref.path).st_size
    except OSError:
        return 0


def chunks(items: Sequence[InputRef], n: int) -> list[list[InputRef]]:
    """Split into n chunks of similar total size (largest first, greedy)."""
    buckets: list[list[InputRef]] = [[] for _ in range(n)]
    sizes = [0] * n
    for item, size in sorted(((i, _size(i)) for i in items), key=lambda p: p[1], reverse=True):
        k = sizes.index(min(sizes))
        buckets[k].append(item)
        sizes[k] += size
    return [b for b in buckets if b]


def _in_worker(
    inputs: Sequence[InputRef] | Sequence[int], opts: ScanOptions, scan_inputs: ScanInputs
) -> ScanResult:
    items = [_FORKED_INPUTS[i] if isinstance(i, int) else i for i in inputs]
    return scan_inputs(items, opts)


def scan_in_workers(
    inputs: Sequence[InputRef], opts: ScanOptions, jobs: int, scan_inputs: ScanInputs
) -> Iterator[ScanResult]:
    """The results of ``scan_inputs`` over chunks of ``inputs``, in the order they finish."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _FORKED_INPUTS
    parts = chunks(inputs, jobs * 4)
    forked = "fork" in multiprocessing.get_all_start_methods()
    work: list[Any] = parts
    if forked:
        _FORKED_INPUTS = inputs
        index = {id(item): i for i, item in enumerate(inputs)}
        work = [[index[id(item)] for item in part] for part in parts]
    context = multiprocessing.get_context("fork") if forked else None
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(_in_worker, part, opts, scan_inputs) for part in work]
            for fut in as_completed(futures):
                yield fut.result()
    finally:
        _FORKED_INPUTS = ()
