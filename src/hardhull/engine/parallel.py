"""Spreading a scan's inputs over worker processes.

Inputs are cut into chunks of similar size, several per worker (uneven files balance out and
progress advances). Workers forked from the scanning process take their chunk by index into
the inherited inputs instead of receiving megabytes of text through a pipe; the Kubernetes
objects they keep for the set checks travel back without their positions and lines (the bulk
of the pickle), and the parent re-reads the few files a set check reports on.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from hardhull.frontends.files import TextInput
from hardhull.frontends.kubernetes import K8sObject
from hardhull.model import ScanResult

if TYPE_CHECKING:
    from hardhull.engine import ScanOptions

ScanInputs = Callable[[Sequence[TextInput], "ScanOptions"], ScanResult]

#: the inputs of the running scan, for pool workers forked from this process
_FORKED_INPUTS: Sequence[TextInput] = ()


def chunks(items: Sequence[TextInput], n: int) -> list[list[TextInput]]:
    """Split into n chunks of similar total size (largest first, greedy)."""
    buckets: list[list[TextInput]] = [[] for _ in range(n)]
    sizes = [0] * n
    for item in sorted(items, key=lambda i: len(i.text), reverse=True):
        k = sizes.index(min(sizes))
        buckets[k].append(item)
        sizes[k] += len(item.text)
    return [b for b in buckets if b]


def _in_worker(
    inputs: Sequence[TextInput] | Sequence[int], opts: ScanOptions, scan_inputs: ScanInputs
) -> ScanResult:
    items = [_FORKED_INPUTS[i] if isinstance(i, int) else i for i in inputs]
    result = scan_inputs(items, opts)
    result.keep = [
        K8sObject(o.data, o.path, {}, o.prefix, o.doc_index, o.line, None) for o in result.keep
    ]
    return result


def scan_in_workers(
    inputs: Sequence[TextInput], opts: ScanOptions, jobs: int, scan_inputs: ScanInputs
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
