"""``hardhull admission …``: the webhook server (``serve``), plus ``certs`` and ``manifests``
when their modules are present. uvicorn and friends are imported only by ``serve``."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import importlib.util
import math
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

from hardhull.cli.common import non_negative_seconds
from hardhull.exitcodes import EXIT_ERROR, EXIT_OK

#: modules of the other ``admission`` subcommands and their registration functions
_OTHER_SUBCOMMANDS = (
    ("hardhull.admission.certs", "register_certs_parser"),
    ("hardhull.admission.manifests", "register_manifests_parser"),
)

SubParsers = Any  # argparse._SubParsersAction[argparse.ArgumentParser]


def add_admission_parser(sub: SubParsers) -> argparse.ArgumentParser:
    """Register ``admission`` and its subcommands on the top-level subparsers."""
    a: argparse.ArgumentParser = sub.add_parser(
        "admission", help="run the validating and mutating admission webhook"
    )
    admission_sub = a.add_subparsers(
        dest="admission_command", metavar="SUBCOMMAND", parser_class=type(a)
    )
    s = admission_sub.add_parser("serve", help="serve /validate and /mutate over HTTPS")
    s.add_argument("--config", metavar="FILE", help="policy file (default: the built-in policy)")
    s.add_argument("--tls-cert", required=True, metavar="FILE", help="serving certificate (PEM)")
    s.add_argument("--tls-key", required=True, metavar="FILE", help="its private key (PEM)")
    s.add_argument("--port", type=int, default=8443)
    s.add_argument("--host", default="0.0.0.0")
    s.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes")
    s.add_argument(
        "--namespace",
        default=None,
        metavar="NS",
        help="the webhook's own namespace, always exempt (default: $POD_NAMESPACE)",
    )
    s.add_argument(
        "--cert-check-seconds",
        type=non_negative_seconds,
        default=5.0,
        metavar="S",
        help="how often to look for a renewed certificate (0: never)",
    )
    s.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    s.set_defaults(admission_command="serve", admission_func=cmd_serve)
    for module, func in _OTHER_SUBCOMMANDS:
        if importlib.util.find_spec(module) is not None:
            register = getattr(importlib.import_module(module), func, None)
            if callable(register):
                register(admission_sub)
    a.set_defaults(admission_parser=a)
    return a


def cmd_admission(args: argparse.Namespace) -> int:
    func = getattr(args, "admission_func", None)
    if func is None:
        parser = getattr(args, "admission_parser", None)
        if parser is not None:
            parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        result = func(args)
    except ModuleNotFoundError as exc:
        message = missing_extra(exc)
        if message is None:
            raise
        sys.stderr.write(message)
        return EXIT_ERROR
    return int(result) if result is not None else EXIT_OK


#: top-level modules of the ``admission`` extra (pyproject.toml)
ADMISSION_EXTRA = frozenset(
    {"uvicorn", "uvloop", "httptools", "orjson", "cryptography", "prometheus_client"}
)


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The message for a module of the ``admission`` extra that is not installed (None when
    the missing module is something else: a bug to report, not an install step)."""
    root = (exc.name or "").split(".")[0]
    if root not in ADMISSION_EXTRA:
        return None
    return (
        f"hardhull: this command needs the 'admission' extra ({root} is missing): "
        "pip install 'hardhull[admission]'\n"
    )


def cmd_serve(args: argparse.Namespace) -> int:
    # start-up time: the server's modules only for `serve`
    from hardhull.admission.policy import PolicyError, default_policy, load_policy, own_namespace

    namespace = own_namespace(args.namespace)
    try:  # fail here, with file and line, not per worker
        policy = load_policy(args.config, namespace) if args.config else default_policy(namespace)
    except PolicyError as exc:
        sys.stderr.write(f"hardhull: policy error: {exc}\n")
        return EXIT_ERROR
    # SIGTERM: a request in flight is answered within timeout-ms; waiting longer only waits
    # for idle keep-alive TLS connections (the API server's), which never close by themselves
    grace = math.ceil(policy.timeout_ms / 1000) + 1
    if args.workers < 1:
        sys.stderr.write("hardhull: error: --workers must be at least 1\n")
        return EXIT_ERROR
    if not 0 < args.port < 65536:
        sys.stderr.write("hardhull: error: --port must be 1-65535\n")
        return EXIT_ERROR
    import orjson  # the admission extra: a missing one is reported by cmd_admission
    import uvicorn

    from hardhull.admission.tls import ReloadingTLS, TLSError, TLSFactory  # start-up time

    try:
        ReloadingTLS(args.tls_cert, args.tls_key)  # fail fast on unusable files
    except TLSError as exc:
        sys.stderr.write(f"hardhull: TLS error: {exc}\n")
        return EXIT_ERROR
    from hardhull.admission import server  # start-up time: uvicorn and the app only here

    # bound here, before uvicorn starts the app: a port in use is a clear error and the app
    # never logs "ready" for a socket it does not have
    address = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        sys.stderr.write(
            f"hardhull: error: cannot listen on {address}: {exc.strerror or exc}"
            f"{' (another process holds the port)' if exc.errno == errno.EADDRINUSE else ''}\n"
        )
        return EXIT_ERROR
    settings = {
        "config": os.path.abspath(args.config) if args.config else None,
        "namespace": namespace,
        "cert_check_seconds": args.cert_check_seconds,
        "log_level": args.log_level,
        "address": address,
    }
    os.environ[server.SETTINGS_ENV] = orjson.dumps(settings).decode()
    multiproc: str | None = None
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiproc = tempfile.mkdtemp(prefix="hardhull-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = multiproc
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    config = uvicorn.Config(
        "hardhull.admission.server:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop=loop,
        http=http,
        lifespan="on",
        access_log=False,
        log_config=server.LOG_CONFIG,
        log_level=args.log_level,
        server_header=False,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
        ssl_context_factory=TLSFactory(args.tls_cert, args.tls_key),
        timeout_graceful_shutdown=grace,
    )
    started = True
    try:
        if args.workers > 1:
            from uvicorn.supervisors import Multiprocess  # start-up time: --workers only

            Multiprocess(config, sockets=[sock]).run()
        else:
            uv = uvicorn.Server(config)
            with contextlib.suppress(KeyboardInterrupt):
                uv.run(sockets=[sock])
            started = uv.started
    finally:
        sock.close()
        if multiproc:
            shutil.rmtree(multiproc, ignore_errors=True)
    return EXIT_OK if started else EXIT_ERROR


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, inheritable by uvicorn's worker processes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hardhull.admission …`` until the top-level CLI has ``admission``."""
    parser = argparse.ArgumentParser(prog="hardhull")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_admission_parser(sub)
    args = parser.parse_args(["admission", *(sys.argv[1:] if argv is None else argv)])
    try:
        return cmd_admission(args)
    except KeyboardInterrupt:
        return 130
