"""Requests per second and latency of the five batch POSTs: the mock, Prism and bare Flask.

Three servers are started, each in its own process on a free port:

- the mock, by its start command (``camunda-batch-mock --port 0``, demo data, ``timed``
  progression at its default pace, as a frontend developer runs it);
- Stoplight Prism mocking ``openapi.yaml`` (installed with npm into ``bench/.prism`` on
  first use; skipped with a message when node or npm is missing);
- ``bench/bare_flask.py``: Flask on waitress with the same thread count, answering a
  constant Batch (the floor: no state, no validation).

Each of the five POST endpoints is then driven for ``--seconds`` by ``--connections``
keep-alive connections (threads with ``http.client``, spread over ``--client-processes``
processes so the client is not held back by one interpreter lock), cut into ``--rounds``
short slices in which the servers take turns. The bodies are valid
and select a few rows of the mock's demo data, read through its REST API first, as a user
ticking rows in a table would. Every POST creates a real batch in the mock, so its state
grows during the run.

    python bench/throughput.py                       # 5 s per endpoint and server
    python bench/throughput.py --seconds 2 --skip-prism
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servers import Server, read_url, start_mock

ROOT = Path(__file__).resolve().parent.parent
PRISM_DIR = Path(__file__).resolve().parent / ".prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
READY_TIMEOUT = 120.0


@dataclass
class Load:
    """What the connections of one run saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server_cpu: float | None = None  # CPU seconds the server spent meanwhile

    def add(self, other: Load) -> None:
        """Merge a load that ran at the same time (another client process)."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds = max(self.seconds, other.seconds)

    def add_later(self, other: Load) -> None:
        """Merge a load that ran after this one (another round): the times add up."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        if other.server_cpu is not None:
            self.server_cpu = (self.server_cpu or 0.0) + other.server_cpu

    @property
    def cpu_ms_per_request(self) -> float | None:
        """Server CPU per answer: unlike req/s, barely moved by other load on the machine."""
        if self.server_cpu is None or not self.latencies:
            return None
        return self.server_cpu / len(self.latencies) * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency in milliseconds at ``fraction`` (0.5, 0.99) of the sorted answers."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


# -- starting servers ---------------------------------------------------------------------


def start_bare_flask() -> Server:
    script = Path(__file__).resolve().parent / "bare_flask.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return Server("bare Flask", process, *read_url(process, "bare Flask"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prism_binary() -> Path | None:
    """Prism from ``bench/.prism``, installed there with npm first if it is missing."""
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    print(f"installing {PRISM_PACKAGE} into {PRISM_DIR} ...", file=sys.stderr, flush=True)
    PRISM_DIR.mkdir(exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund", PRISM_PACKAGE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return binary if binary.exists() else None


def start_prism(binary: Path) -> Server:
    port = _free_port()
    command = [str(binary), "mock", str(ROOT / "openapi.yaml"), "-h", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Prism exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                connection.request("GET", "/batch")
                connection.getresponse().read()
            finally:
                connection.close()
            # Prism serves the document's paths; its relative server URL adds no prefix.
            return Server("Prism", process, "127.0.0.1", port, "")
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("Prism did not answer in time")


# -- the request bodies ---------------------------------------------------------------------


def _get(server: Server, path: str) -> Any:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request("GET", server.base_path + path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path}: {response.status} {body[:200]!r}")
    return json.loads(body)


def batch_requests(mock: Server) -> list[tuple[str, bytes]]:
    """One valid body per endpoint, selecting a few demo rows read from the mock."""
    orders = _get(mock, "/process-instance?processDefinitionKey=order&maxResults=5")
    # Timer jobs wait for days: new retries leave them waiting, so the selection stays valid.
    jobs = _get(mock, "/job?timers=true&maxResults=5")
    tasks = _get(mock, "/external-task?maxResults=5")
    ended = _get(
        mock, "/history/process-instance?processDefinitionKey=order&finished=true&maxResults=5"
    )
    order_definition = orders[0]["definitionId"]
    order_ids = [i["id"] for i in orders if i["definitionId"] == order_definition]
    restart_definition = ended[0]["processDefinitionId"]
    bodies = {
        "/process-instance/job-retries": {
            "processInstances": sorted({j["processInstanceId"] for j in jobs}),
            "retries": 3,
        },
        "/external-task/retries-async": {"externalTaskIds": [t["id"] for t in tasks], "retries": 2},
        "/process-instance/suspended-async": {
            "processInstanceIds": [i["id"] for i in orders],
            "suspended": False,
        },
        "/modification/executeAsync": {
            "processDefinitionId": order_definition,
            "processInstanceIds": order_ids,
            "instructions": [{"type": "startBeforeActivity", "activityId": "packGoods"}],
        },
        f"/process-definition/{restart_definition}/restart-async": {
            "processInstanceIds": [
                i["id"] for i in ended if i["processDefinitionId"] == restart_definition
            ],
            "instructions": [{"type": "startBeforeActivity", "activityId": "reserveStock"}],
        },
    }
    return [(path, json.dumps(body).encode()) for path, body in bodies.items()]


# -- the load -------------------------------------------------------------------------------


def _connection_loop(
    host: str, port: int, path: str, body: bytes, until: float, load: Load, guard: threading.Lock
) -> None:
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    connection = http.client.HTTPConnection(host, port, timeout=30)
    latencies: list[float] = []
    errors = 0
    while time.perf_counter() < until:
        began = time.perf_counter()
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            continue
        if response.status == 200:
            latencies.append(time.perf_counter() - began)
        else:
            errors += 1
    connection.close()
    with guard:
        load.latencies += latencies
        load.errors += errors


def drive(host: str, port: int, path: str, body: bytes, connections: int, seconds: float) -> Load:
    """Keep ``connections`` keep-alive connections busy with one POST for ``seconds``."""
    load, guard = Load(), threading.Lock()
    began = time.perf_counter()
    until = began + seconds
    threads = [
        threading.Thread(target=_connection_loop, args=(host, port, path, body, until, load, guard))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


def measure(
    pool: ProcessPoolExecutor | None,
    server: Server,
    path: str,
    body: bytes,
    connections: int,
    processes: int,
    seconds: float,
) -> Load:
    """One endpoint of one server: the connections split over the client processes.

    Without a pool (one client process) the connections run in this process.
    """
    target = server.base_path + path
    cpu_before = server.cpu_seconds()
    if pool is None:
        total = drive(server.host, server.port, target, body, connections, seconds)
        return _with_cpu(total, server, cpu_before)
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    futures = [
        pool.submit(drive, server.host, server.port, target, body, n, seconds) for n in shares if n
    ]
    total = Load()
    for future in futures:
        total.add(future.result())
    return _with_cpu(total, server, cpu_before)


def _with_cpu(load: Load, server: Server, before: float | None) -> Load:
    after = server.cpu_seconds()
    if before is not None and after is not None:
        load.server_cpu = after - before
    return load


# -- the report -----------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print(
            " | ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if number == 0:
            print("-|-".join("-" * w for w in widths))


def _cpu_cell(load: Load) -> str:
    cpu = load.cpu_ms_per_request
    return "n/a" if cpu is None else f"{cpu:.2f}"


def report(results: dict[str, dict[str, Load]]) -> None:
    """Per server and endpoint, then per server overall, then the ratios to the mock."""
    rows = [["server", "endpoint", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "errors"]]
    totals: dict[str, Load] = {}
    for name, by_path in results.items():
        total = totals.setdefault(name, Load())
        for path, load in by_path.items():
            rows.append(
                [
                    name,
                    path,
                    f"{load.rate:.0f}",
                    f"{load.percentile(0.5):.1f}",
                    f"{load.percentile(0.99):.1f}",
                    _cpu_cell(load),
                    str(load.errors),
                ]
            )
            total.latencies += load.latencies
            total.errors += load.errors
            total.seconds += load.seconds
            if load.server_cpu is not None:
                total.server_cpu = (total.server_cpu or 0.0) + load.server_cpu
    for name, total in totals.items():
        rows.append(
            [
                name,
                "all five",
                f"{total.rate:.0f}",
                f"{total.percentile(0.5):.1f}",
                f"{total.percentile(0.99):.1f}",
                _cpu_cell(total),
                str(total.errors),
            ]
        )
    _table(rows)
    mock = totals.get("mock")
    if mock is None:
        return
    print()
    for other, target in (("Prism", 1.5), ("bare Flask", 0.7)):
        if other in totals and totals[other].rate:
            ratio = mock.rate / totals[other].rate
            verdict = "meets" if ratio >= target else "misses"
            print(f"mock/{other} throughput: {ratio:.2f}x ({verdict} the >= {target}x target)")
    for other in ("Prism", "bare Flask"):
        mine, theirs = mock.cpu_ms_per_request, totals.get(other, Load()).cpu_ms_per_request
        if mine and theirs:
            print(f"server CPU per request, {other}/mock: {theirs / mine:.2f}x")
    p99 = mock.percentile(0.99)
    print(
        f"mock p99 latency: {p99:.1f} ms ({'meets' if p99 < 30 else 'misses'} the < 30 ms target)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint and server")
    parser.add_argument(
        "--rounds", type=int, default=5, help="slices the seconds are cut into, servers in turn"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--client-processes", type=int, default=2, help="processes the connections share"
    )
    parser.add_argument(
        "--progression", default="timed", choices=("timed", "manual"), help="the mock's mode"
    )
    parser.add_argument("--skip-prism", action="store_true", help="do not start Prism")
    parser.add_argument(
        "--only", choices=("mock", "prism", "bare"), action="append", help="servers to measure"
    )
    args = parser.parse_args(argv)
    wanted = set(args.only or ("mock", "prism", "bare"))
    if args.skip_prism:
        wanted.discard("prism")
    mock = start_mock(args.progression)
    servers = [mock] if "mock" in wanted else []
    try:
        requests = batch_requests(mock)
        if "bare" in wanted:
            servers.append(start_bare_flask())
        if "prism" in wanted:
            binary = prism_binary()
            if binary is None:
                print("Prism skipped: node and npm are needed to install it", file=sys.stderr)
            else:
                servers.append(start_prism(binary))
        processes = max(1, args.client_processes)
        pool = ProcessPoolExecutor(max_workers=processes) if processes > 1 else None
        try:
            results: dict[str, dict[str, Load]] = {server.name: {} for server in servers}
            # Round by round, endpoint by endpoint, the servers in turn for a short slice
            # each: a shared machine's slow moments (they last seconds) then fall on every
            # server alike instead of on one of them.
            slice_seconds = args.seconds / max(1, args.rounds)
            for round_number in range(1, max(1, args.rounds) + 1):
                for path, body in requests:
                    label = re.sub(r"/process-definition/[^/]+/", "/process-definition/{id}/", path)
                    for server in servers:
                        load = measure(
                            pool, server, path, body, args.connections, processes, slice_seconds
                        )
                        results[server.name].setdefault(label, Load()).add_later(load)
                print(f"measured round {round_number}", file=sys.stderr, flush=True)
        finally:
            if pool is not None:
                pool.shutdown()
    finally:
        for server in {id(s): s for s in [mock, *servers]}.values():
            server.stop()
    print(
        f"{args.connections} connections, {args.seconds:g} s per endpoint "
        f"in {max(1, args.rounds)} rounds, "
        f"mock progression {args.progression}, {os.cpu_count()} CPUs"
    )
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
