"""``python -m mockserver`` / ``camunda-batch-mock``: start the mock on a real WSGI server."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from waitress import create_server

from .app import create_app
from .config import load_config
from .errors import CamundaError
from .profiles import PROFILES
from .progression import MODES


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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse options, build the app and serve it until interrupted."""
    args = build_parser().parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if k != "config"}
    try:
        config = load_config(args.config, overrides)
    except (OSError, ValueError) as exc:
        print(f"camunda-batch-mock: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(config)
    except CamundaError as error:  # a --bpmn file the mock cannot deploy
        print(f"camunda-batch-mock: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"camunda-batch-mock: {error}", file=sys.stderr)
        return 2
    # The contract, the demo data and the code live as long as the process: keep the cyclic
    # garbage collector from walking them again and again (it shows as latency spikes).
    gc.freeze()
    server = create_server(app, host=config.host, port=config.port, threads=8)
    url = f"http://{config.host}:{server.effective_port}{config.base_path}"
    print(
        f"Camunda batch mock listening on {url} (profile {config.profile}, seed {config.seed}, "
        f"progression {config.progression})",
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
