"""``python -m mockserver`` / ``camunda-batch-mock``: start the mock on a real WSGI server."""

from __future__ import annotations

import argparse
import errno
import gc
import signal
import sys
from pathlib import Path
from typing import Any

from waitress import create_server

from .app import create_app
from .auth import parse_credentials
from .config import MockConfig, load_config
from .console import RequestPrinter
from .engine_versions import DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS
from .errors import CamundaError
from .profiles import PROFILES
from .progression import MODES
from .request_log import EXTENSION_KEY as REQUEST_LOG
from .snapshot import SnapshotError

WAITRESS_BODY_FACTOR = 4  # waitress refuses bodies over 4 x --max-body-bytes by itself


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="camunda-batch-mock",
        description="A stateful mock of the Camunda 7 REST API's batch operations.",
    )
    parser.add_argument("--config", type=Path, help="TOML file with any of the settings below")
    parser.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    parser.add_argument("--base-path", help="path prefix of the engine API (default /engine-rest)")
    parser.add_argument("--seed", type=int, help="seed of the demo data and ids (default 42)")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        help="answer divergences like the engine (default) or the docs",
    )
    parser.add_argument(
        "--engine-version",
        choices=ENGINE_VERSIONS,
        help=f"answer as this Camunda release where releases differ (default "
        f"{DEFAULT_ENGINE_VERSION})",
    )
    parser.add_argument(
        "--no-demo",
        dest="demo",
        action="store_const",
        const=False,
        help="start with an empty engine",
    )
    parser.add_argument(
        "--bpmn",
        action="append",
        metavar="FILE",
        help="deploy this BPMN file at start (repeatable)",
    )
    parser.add_argument(
        "--progression",
        choices=MODES,
        help="how jobs run: manual (admin API steps them), timed (default), instant",
    )
    parser.add_argument(
        "--jobs-per-second", type=float, help="pace of the timed job executor (default 100)"
    )
    parser.add_argument(
        "--batch-poll-time", type=float, help="seconds between batch monitor runs (default 30)"
    )
    parser.add_argument("--batch-jobs-per-seed", type=int, help="engine setting (default 100)")
    parser.add_argument("--invocations-per-batch-job", type=int, help="engine setting (default 1)")
    # -- request log and saved states --
    parser.add_argument(
        "--quiet",
        action="store_const",
        const=True,
        help="print no line per request on the console",
    )
    parser.add_argument(
        "--request-log-size",
        type=int,
        help="requests kept for GET /mock-api/requests (default 500)",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="start from this state file (GET /mock-api/state), and reset back to it",
    )
    _add_serving_options(parser)
    return parser


def _add_serving_options(parser: argparse.ArgumentParser) -> None:
    """CORS, latency, faults, auth and limits (README: "Serving it for a team")."""
    group = parser.add_argument_group("serving it for a team")
    group.add_argument(
        "--cors-origin",
        dest="cors_origins",
        action="append",
        metavar="ORIGIN",
        help="browser origin allowed to call the mock, '*' for any, globs allowed "
        "(repeatable; default http://localhost:* and http://127.0.0.1:*)",
    )
    group.add_argument(
        "--latency",
        action="append",
        metavar="[ROUTE=]MS|MIN..MAX",
        help="delay engine requests, e.g. 100..300 or 'POST /batch*=2000' (repeatable)",
    )
    group.add_argument(
        "--fault",
        dest="faults",
        action="append",
        metavar="ROUTE=STATUS[@RATE]",
        help="fail a share of a route's requests, e.g. 'POST /process-instance/*=500@0.2' "
        "(repeatable)",
    )
    group.add_argument(
        "--auth",
        dest="auth_users",
        action="append",
        type=parse_credentials,
        metavar="USER:PASSWORD",
        help="require HTTP Basic auth on the engine API; a user who may call it (repeatable)",
    )
    group.add_argument(
        "--max-body-bytes", type=int, help="larger request bodies get 413 (default 1048576)"
    )
    group.add_argument(
        "--channel-timeout",
        type=int,
        help="seconds a silent client may hold a connection before it is closed (default 30)",
    )


def _waitress_limits(config: MockConfig) -> dict[str, int]:
    """waitress's own limits, set so that the app answers where it can.

    waitress reads a whole body before the app sees it, and refuses one over its own limit
    in plain text. Its limit is kept well above the app's, so bodies somewhat over
    ``max_body_bytes`` still get the engine's JSON 413 from the app. A client that goes
    silent (a slow or truncated request) is disconnected after ``channel_timeout`` seconds;
    waitress looks for such clients every ``cleanup_interval`` seconds.
    """
    return {
        "max_request_body_size": WAITRESS_BODY_FACTOR * config.max_body_bytes,
        "channel_timeout": config.channel_timeout,
        "cleanup_interval": max(1, config.channel_timeout // 2),
    }


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the flags give (None where a flag is absent)."""
    overrides = {k: v for k, v in vars(args).items() if k != "config"}
    if args.auth_users:  # --auth USER:PASSWORD, parsed into pairs
        overrides["auth_users"] = dict(args.auth_users)
    return overrides


def _unreadable(error: OSError) -> str:
    """``FILE cannot be read: REASON``, as a ``--state`` file that cannot be read is told."""
    return f"{error.filename} cannot be read: {error.strerror}"


def _cannot_listen(config: MockConfig, error: OSError | ValueError) -> str:
    """Why waitress could not open the server socket on ``config.host``:``config.port``.

    The bind itself tells that a port is taken, so no other server can take it between a
    check and the start. waitress raises ``ValueError`` only when the host does not resolve:
    the port is in range (``MockConfig`` checks it).
    """
    if isinstance(error, ValueError):
        return f"host {config.host} is neither an address nor a name this machine resolves"
    if error.errno == errno.EADDRINUSE:
        return f"port {config.port} is in use (another process is listening there)"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {config.host}: it is no address of this machine"
    if error.errno == errno.EACCES:
        return f"port {config.port} needs privileges to listen on (permission denied)"
    return f"cannot listen on {config.host} port {config.port}: {error.strerror}"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse options, build the app and serve it until interrupted."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config, overrides_from(args))
    except OSError as error:  # only the config file is opened here
        print(f"camunda-batch-mock: --config {_unreadable(error)}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"camunda-batch-mock: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(config)
    except CamundaError as error:  # a --bpmn file the mock cannot deploy
        print(f"camunda-batch-mock: {error.message}", file=sys.stderr)
        return 2
    except SnapshotError as error:  # a --state file the mock cannot load
        print(f"camunda-batch-mock: --state {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a --bpmn file that cannot be read
        print(f"camunda-batch-mock: --bpmn {_unreadable(error)}", file=sys.stderr)
        return 2
    try:
        server = create_server(
            app, host=config.host, port=config.port, threads=8, **_waitress_limits(config)
        )
    except (OSError, ValueError) as error:
        print(f"camunda-batch-mock: {_cannot_listen(config, error)}", file=sys.stderr)
        return 2
    printer = None if config.quiet else RequestPrinter(app.extensions[REQUEST_LOG], sys.stderr)
    # The contract, the demo data and the code live as long as the process: keep the cyclic
    # garbage collector from walking them again and again (it shows as latency spikes).
    gc.freeze()
    # What requests make mostly lives on in the state (batches, jobs, definitions) and holds
    # no cycles: collect young objects less often and the whole heap rarely. Each full walk
    # of a large state stalled every request in flight (bench/throughput.py p99).
    gc.set_threshold(10_000, 50, 100)
    url = f"http://{config.host}:{server.effective_port}{config.base_path}"
    print(
        f"Camunda batch mock listening on {url} (Camunda {config.engine_version}, "
        f"profile {config.profile}, seed {config.seed}, progression {config.progression})",
        flush=True,
    )
    print(f"Dashboard: http://{config.host}:{server.effective_port}/mock-api/dashboard", flush=True)
    # SIGTERM (a container or a CI job stopping the mock) ends it like Ctrl-C: the server
    # closes and the request lines still queued are written.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if printer is not None:
            printer.stop()  # writes the lines still queued
    return 0
