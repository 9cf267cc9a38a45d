"""The mock under a realistic load for a minute, then: is everything consistent?

Starts the mock by its start command (demo data, ``timed`` progression), then runs
``--clients`` clients (16) for ``--seconds`` (60). Each client, over one keep-alive
connection, picks at random: one of the five batch POSTs over a few demo rows, a read of
``/batch``, ``/batch/statistics``, ``/history/batch`` or the instance counts, or an admin
step. The rows are chosen so that no batch item can fail and each effect can be counted:

- suspension: running ``invoice`` instances, always ``suspended: true``;
- job retries: the reminders' timer jobs (they wait three days), always 5 retries;
- external task retries: external tasks, always 2 retries;
- modification: running ``order`` instances, a new ``packGoods`` token each;
- restart: ended instances of one definition, a new instance each.

After the load it runs every job left (admin API, moving the mock clock past the
monitor's poll time) and checks: no 5xx and no connection error; every batch ended, with
the ``totalJobs`` it was created with; every statistics row read added up
(``remaining + completed == total``, no failed job); no batch job or job definition left;
each effect as often as the batches asked for it (suspended, retries, tokens, restarts);
and the instance count grew by exactly the restarts. It prints a summary with PASS or FAIL
and exits 0 or 1.

    python bench/soak.py                   # 16 clients, 60 s
    python bench/soak.py --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from servers import Server, start_mock

POLL_TIME = 30  # the mock's default batchPollTime, in seconds of the mock clock
RETRIES_JOBS, RETRIES_TASKS = 5, 2
# Where a restarted demo instance starts, per process key: its first wait state.
FIRST_WAIT = {
    "invoice": "approveInvoice",
    "order": "reserveStock",
    "paymentReminder": "callCustomer",
}


# The mock closes a connection idle for --channel-timeout (30 s by default); a client that
# sat idle longer opens a new one instead of finding the old one closed.
IDLE_RECONNECT = 20.0


class Client:
    """One keep-alive connection to the mock, JSON in and out."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
        self.last_used = time.monotonic()

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Status and parsed body; a connection error is raised to the caller."""
        url = path if path.startswith("/mock-api") else self.server.base_path + path
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        if time.monotonic() - self.last_used > IDLE_RECONNECT:
            self.connection.close()  # the next request opens a new connection
        self.last_used = time.monotonic()
        try:
            self.connection.request(method, url, payload, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(
                self.server.host, self.server.port, timeout=60
            )
            raise
        return response.status, json.loads(data) if data else None

    def close(self) -> None:
        self.connection.close()

    def get(self, path: str) -> Any:
        status, body = self.call("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path}: {status} {body}")
        return body


@dataclass
class Rows:
    """The demo rows the batches select from."""

    invoices: list[str]
    timer_jobs: list[str]
    timer_instances: list[str]
    tasks: list[str]
    orders: list[str]
    order_definition: str
    ended: list[str]
    ended_definition: str
    tokens_before: Counter[str]  # packGoods tokens per order instance at the start


@dataclass
class Tally:
    """What all clients did and saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    connection_errors: int = 0
    bad_statistics: list[dict[str, Any]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # batch id -> totalJobs
    suspended: set[str] = field(default_factory=set)
    job_retries: set[str] = field(default_factory=set)
    task_retries: set[str] = field(default_factory=set)
    tokens: Counter[str] = field(default_factory=Counter)
    restarts: Counter[str] = field(default_factory=Counter)


def read_rows(client: Client) -> Rows:
    invoices = client.get("/process-instance?processDefinitionKey=invoice&active=true")
    jobs = client.get("/job?timers=true")
    tasks = client.get("/external-task")
    orders = client.get("/process-instance?processDefinitionKey=order")
    order_definition = orders[0]["definitionId"]
    ended = client.get("/history/process-instance?finished=true")
    by_definition = Counter(i["processDefinitionId"] for i in ended)
    ended_definition = by_definition.most_common(1)[0][0]
    return Rows(
        invoices=[i["id"] for i in invoices],
        timer_jobs=[j["id"] for j in jobs],
        timer_instances=sorted({j["processInstanceId"] for j in jobs}),
        tasks=[t["id"] for t in tasks],
        orders=[i["id"] for i in orders if i["definitionId"] == order_definition],
        order_definition=order_definition,
        ended=[i["id"] for i in ended if i["processDefinitionId"] == ended_definition],
        ended_definition=ended_definition,
        tokens_before=pack_goods_tokens(client),
    )


def pack_goods_tokens(client: Client) -> Counter[str]:
    """How many ``packGoods`` user tasks each instance has (one per token there)."""
    return Counter(t["processInstanceId"] for t in client.get("/task?taskDefinitionKey=packGoods"))


def _pick(rng: random.Random, rows: list[str]) -> list[str]:
    return rng.sample(rows, min(len(rows), rng.randint(1, 5)))


def batch_post(rng: random.Random, rows: Rows) -> tuple[str, str, dict[str, Any], list[str]]:
    """A random batch POST: (kind, path, body, the rows whose effect it adds)."""
    kind = rng.choice(("suspend", "job-retries", "task-retries", "modify", "restart"))
    if kind == "suspend":
        ids = _pick(rng, rows.invoices)
        body = {"processInstanceIds": ids, "suspended": True}
        return kind, "/process-instance/suspended-async", body, ids
    if kind == "job-retries":
        ids = _pick(rng, rows.timer_instances)
        body = {"processInstances": ids, "retries": RETRIES_JOBS}
        return kind, "/process-instance/job-retries", body, ids
    if kind == "task-retries":
        ids = _pick(rng, rows.tasks)
        body = {"externalTaskIds": ids, "retries": RETRIES_TASKS}
        return kind, "/external-task/retries-async", body, ids
    if kind == "modify":
        ids = _pick(rng, rows.orders)
        body = {
            "processDefinitionId": rows.order_definition,
            "processInstanceIds": ids,
            "instructions": [{"type": "startBeforeActivity", "activityId": "packGoods"}],
        }
        return kind, "/modification/executeAsync", body, ids
    ids = _pick(rng, rows.ended)
    start = FIRST_WAIT[rows.ended_definition.split(":")[0]]
    instructions = [{"type": "startBeforeActivity", "activityId": start}]
    body = {"processInstanceIds": ids, "instructions": instructions}
    return kind, f"/process-definition/{rows.ended_definition}/restart-async", body, ids


# Paged as a UI pages them; the counts read everything.
READS = (
    "/batch?maxResults=50",
    "/batch/statistics?maxResults=50",
    "/history/batch?sortBy=startTime&sortOrder=desc&maxResults=50",
    "/process-instance/count",
    "/history/process-instance/count",
)


def run_client(server: Server, rows: Rows, tally: Tally, seed: int, until: float) -> None:
    """One client's loop: 40% batch POSTs, 55% reads, 5% admin steps."""
    rng = random.Random(seed)
    client = Client(server)
    while time.monotonic() < until:
        roll = rng.random()
        try:
            if roll < 0.40:
                kind, path, body, ids = batch_post(rng, rows)
                status, answer = client.call("POST", path, body)
                label = f"POST {kind}"
                if status == 200:
                    record_batch(tally, kind, answer, ids)
            elif roll < 0.95:
                path = rng.choice(READS)
                status, answer = client.call("GET", path)
                label = "GET " + path.split("?")[0]
                if status == 200 and path.startswith("/batch/statistics"):
                    check_statistics(tally, answer)
            else:
                label = "admin step"
                status, answer = client.call("POST", "/mock-api/jobs/step", {"count": 5})
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.connection_errors += 1
            continue
        with tally.lock:
            tally.requests[label] += 1
            if status >= 500:
                tally.server_errors.append(f"{label}: {status} {answer}")
    client.close()


def record_batch(tally: Tally, kind: str, batch: dict[str, Any], ids: list[str]) -> None:
    with tally.lock:
        tally.created[batch["id"]] = batch["totalJobs"]
        if kind == "suspend":
            tally.suspended.update(ids)
        elif kind == "job-retries":
            tally.job_retries.update(ids)
        elif kind == "task-retries":
            tally.task_retries.update(ids)
        elif kind == "modify":
            tally.tokens.update(ids)
        else:
            tally.restarts.update(ids)


def check_statistics(tally: Tally, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        adds_up = row["remainingJobs"] + row["completedJobs"] == row["totalJobs"]
        if not adds_up or row["completedJobs"] < 0 or row["failedJobs"]:
            with tally.lock:
                tally.bad_statistics.append(row)


def drain(client: Client, rounds: int = 1000) -> int:
    """Run every job left: due ones at once, then monitors after their poll time."""
    for round_number in range(rounds):
        client.call("POST", "/mock-api/jobs/run-due")
        if client.get("/batch/count")["count"] == 0:
            return round_number
        client.call("POST", "/mock-api/clock/advance", {"seconds": POLL_TIME})
    return rounds


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def final_checks(client: Client, rows: Rows, tally: Tally, instances_before: int) -> list[Check]:
    history = {b["id"]: b for b in client.get("/history/batch")}
    ours = [history.get(batch_id) for batch_id in tally.created]
    unended = [b for b in ours if b is None or b["endTime"] is None]
    wrong_totals = [
        batch_id
        for batch_id, total in tally.created.items()
        if batch_id in history and history[batch_id]["totalJobs"] != total
    ]
    batch_ids = set(tally.created)
    leftover_definitions = [
        d for d in client.get("/job-definition") if d["jobConfiguration"] in batch_ids
    ]
    suspended = {
        i["id"] for i in client.get("/process-instance?processDefinitionKey=invoice&suspended=true")
    }
    jobs = {j["id"]: j for j in client.get("/job?timers=true")}
    jobs_of = {}
    for job in jobs.values():
        jobs_of.setdefault(job["processInstanceId"], []).append(job)
    wrong_jobs = [
        i
        for i in tally.job_retries
        if any(j["retries"] != RETRIES_JOBS for j in jobs_of.get(i, []))
    ]
    tasks = {t["id"]: t for t in client.get("/external-task")}
    wrong_tasks = [
        t for t in tally.task_retries if tasks.get(t, {}).get("retries") != RETRIES_TASKS
    ]
    tokens = pack_goods_tokens(client)
    wrong_tokens = [i for i in rows.orders if tokens[i] != rows.tokens_before[i] + tally.tokens[i]]
    restarted = Counter(
        i["restartedProcessInstanceId"]
        for i in client.get("/history/process-instance")
        if i["restartedProcessInstanceId"]
    )
    wrong_restarts = [i for i in rows.ended if restarted[i] != tally.restarts[i]]
    instances_after = client.get("/history/process-instance/count")["count"]
    expected_after = instances_before + sum(tally.restarts.values())
    return [
        Check("no 5xx answer", not tally.server_errors, "; ".join(tally.server_errors[:3])),
        Check("no connection error", not tally.connection_errors, str(tally.connection_errors)),
        Check("every batch ended", not unended, f"{len(unended)} of {len(ours)} still running"),
        Check("totalJobs kept", not wrong_totals, ", ".join(wrong_totals[:3])),
        Check(
            "statistics added up", not tally.bad_statistics, json.dumps(tally.bad_statistics[:2])
        ),
        Check(
            "no batch job definition left",
            not leftover_definitions,
            f"{len(leftover_definitions)} left",
        ),
        Check(
            "suspensions applied",
            tally.suspended <= suspended,
            f"{len(tally.suspended - suspended)} not suspended",
        ),
        Check("job retries applied", not wrong_jobs, f"{len(wrong_jobs)} instances"),
        Check("task retries applied", not wrong_tasks, f"{len(wrong_tasks)} tasks"),
        Check("one token per modification", not wrong_tokens, f"{len(wrong_tokens)} instances"),
        Check("one instance per restart", not wrong_restarts, f"{len(wrong_restarts)} instances"),
        Check(
            "instance count adds up",
            instances_after == expected_after,
            f"{instances_after} instances, expected {expected_after}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' choices")
    args = parser.parse_args(argv)
    server = start_mock("timed")
    try:
        admin = Client(server)
        rows = read_rows(admin)
        instances_before = admin.get("/history/process-instance/count")["count"]
        tally = Tally()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=run_client, args=(server, rows, tally, args.seed + n, until))
            for n in range(args.clients)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        drain_began = time.monotonic()
        rounds = drain(admin)
        drained = time.monotonic() - drain_began
        checks = final_checks(admin, rows, tally, instances_before)
        admin.close()
    finally:
        server.stop()
    total = sum(tally.requests.values())
    print(f"{args.clients} clients for {elapsed:.0f} s: {total} requests ({total / elapsed:.0f}/s)")
    print(f"{len(tally.created)} batches created; the jobs left ran in {drained:.1f} s")
    print(f"(run-due, with {rounds} clock advances of {POLL_TIME} s for batch monitors)")
    width = max(len(label) for label in tally.requests)
    for label, count in sorted(tally.requests.items()):
        print(f"  {label.ljust(width)}  {count}")
    print()
    width = max(len(check.name) for check in checks)
    for check in checks:
        verdict = "ok  " if check.passed else "FAIL"
        detail = "" if check.passed else f"  ({check.detail})"
        print(f"  {verdict}  {check.name.ljust(width)}{detail}".rstrip())
    passed = all(check.passed for check in checks)
    print()
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
