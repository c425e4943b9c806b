"""``hardhull scan --pre-commit``: what the pre-commit hook needs beyond a scan.

pre-commit passes the staged files in batches, so a scan of them alone sees part of the
repository: the checks over the whole set (NetworkPolicy, RBAC) and the facts of the set
(the Pod Security level a Namespace enforces, ServiceAccounts without a token) would judge
a Deployment without the default-deny policy or the Namespace that sits in another file.
The hook therefore reads the rest of the repository as the *context* of the scan (see
``ScanOptions.context``): findings are reported only in the files it was given.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence


def repository_files(excludes: Sequence[str] = ()) -> list[str]:
    """The files of the git repository in the working directory that a scan of ``.`` would
    read (``git ls-files``: what is committed or staged, not untracked files); ``["."]``
    when git cannot tell."""
    # start-up time: only the hook needs the selection
    from hardhull.frontends.files import walk_selects

    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached"],
            capture_output=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return ["."]
    names = (os.fsdecode(n) for n in proc.stdout.split(b"\0") if n)
    return [n for n in names if walk_selects(n, excludes) and os.path.isfile(n)]
