"""How the mock scales with the number of process instances.

For each size (1k, 10k, 100k instances by default) a fresh Python process builds an app
without demo data, deploys a one-timer process and starts that many instances (each waits
on a timer job). It then, through the REST API (Flask's test client, in process):

1. creates a suspension batch over every instance (``processInstanceQuery`` by key);
2. runs it to the end in ``instant`` progression (the next request runs every due job);
3. creates a job-retries batch over every instance's job and runs it to the end too.

It prints the times, the process's peak resident memory (``resource.getrusage`` ``ru_maxrss``:
the whole process, interpreter included) and, per 10x more instances, how much each figure
grew. Linear growth is a factor of about 10.

    python bench/scale.py                      # 1k, 10k, 100k
    python bench/scale.py --sizes 1000 10000   # quicker
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import time
from typing import Any

from mockserver import MockConfig, create_app
from mockserver.bpmn import parse_bpmn
from mockserver.routes.common import EXTENSION_KEY

BASE = "/engine-rest"
PROCESS_KEY = "benchTimer"
PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="benchDefinitions" targetNamespace="http://example.com/bench">
  <bpmn:process id="{PROCESS_KEY}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toWait" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P30D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="toEnd" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()

FIGURES = ("start", "suspend_create", "suspend_run", "retries_create", "retries_run", "peak_mb")
HEADERS = {
    "start": "start instances s",
    "suspend_create": "create suspension s",
    "suspend_run": "run suspension s",
    "retries_create": "create job-retries s",
    "retries_run": "run job-retries s",
    "peak_mb": "peak RSS MB",
}


def _peak_rss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _run_batch(client: Any, path: str, body: dict[str, Any]) -> tuple[float, float]:
    """Create a batch (timed), then let ``instant`` progression run it to its end (timed)."""
    client.put("/mock-api/progression", json={"mode": "manual"})
    began = time.perf_counter()
    answer = client.post(BASE + path, json=body)
    created = time.perf_counter()
    if answer.status_code != 200:
        raise SystemExit(f"{path}: {answer.status_code} {answer.get_data(as_text=True)}")
    batch_id = answer.get_json()["id"]
    client.put("/mock-api/progression", json={"mode": "instant"})
    ended = client.get(f"{BASE}/batch/{batch_id}")  # instant: every due job ran before this
    finished = time.perf_counter()
    if ended.status_code != 404:
        raise SystemExit(f"batch {batch_id} did not end: {ended.get_data(as_text=True)}")
    return created - began, finished - created


def measure(instances: int) -> dict[str, float]:
    """Run the scenario once, in this process, and return its figures."""
    app = create_app(MockConfig(demo=False, progression="manual"))
    engine = app.extensions[EXTENSION_KEY]
    client = app.test_client()
    began = time.perf_counter()
    with engine.store.lock:
        deployment = engine.runtime.deploy(parse_bpmn(PROCESS, "bench.bpmn"), name="bench")
        definition = engine.store.definitions[deployment.definition_ids[0]]
        for _ in range(instances):
            engine.runtime.start(definition)
    figures = {"start": time.perf_counter() - began}
    query = {"processDefinitionKey": PROCESS_KEY}
    figures["suspend_create"], figures["suspend_run"] = _run_batch(
        client,
        "/process-instance/suspended-async",
        {"processInstanceQuery": query, "suspended": True},
    )
    figures["retries_create"], figures["retries_run"] = _run_batch(
        client, "/process-instance/job-retries", {"processInstanceQuery": query, "retries": 5}
    )
    figures["peak_mb"] = _peak_rss_mb()
    return figures


def _measure_in_subprocess(instances: int) -> dict[str, float]:
    """Each size in a fresh process, so peak memory belongs to that size alone."""
    output = subprocess.run(
        [sys.executable, __file__, "--one", str(instances)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def print_table(results: dict[int, dict[str, float]]) -> None:
    """One row per size, then the growth factor of each figure per 10x instances."""
    columns = ["instances", *(HEADERS[f] for f in FIGURES)]
    rows = [[f"{size:,}", *(f"{r[f]:.2f}" for f in FIGURES)] for size, r in results.items()]
    sizes = list(results)
    for small, large in itertools.pairwise(sizes):
        ratio = large / small
        cells = []
        for figure in FIGURES:
            before, after = results[small][figure], results[large][figure]
            cells.append(f"x{after / before:.1f}" if before > 0 else "-")
        rows.append([f"growth x{ratio:g}", *cells])
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1_000, 10_000, 100_000],
        help="instance counts to measure (default: 1000 10000 100000)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return 0
    results = {}
    for size in args.sizes:
        results[size] = _measure_in_subprocess(size)
        print(f"measured {size:,} instances", file=sys.stderr, flush=True)
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
