"""The floor for ``bench/throughput.py``: Flask on waitress answering a constant Batch.

Same server, same thread count and same five POST paths as the mock, but no state, no
validation and no engine: whatever the mock costs beyond this is its own work.

    python bench/bare_flask.py --port 0
"""

from __future__ import annotations

import argparse
import sys

from flask import Flask, Response, request
from waitress import create_server

BASE = "/engine-rest"
THREADS = 8  # as mockserver/cli.py serves the mock
POST_PATHS = (
    "/process-instance/job-retries",
    "/external-task/retries-async",
    "/process-instance/suspended-async",
    "/modification/executeAsync",
    "/process-definition/<definition_id>/restart-async",
)
BATCH = (
    b'{"id":"5e6c3e2a-0000-4000-8000-000000000001","type":"instance-update-suspension-state",'
    b'"totalJobs":3,"jobsCreated":0,"batchJobsPerSeed":100,"invocationsPerBatchJob":1,'
    b'"seedJobDefinitionId":"5e6c3e2a-0000-4000-8000-000000000002",'
    b'"monitorJobDefinitionId":"5e6c3e2a-0000-4000-8000-000000000003",'
    b'"batchJobDefinitionId":"5e6c3e2a-0000-4000-8000-000000000004","suspended":false,'
    b'"tenantId":null,"createUserId":null,"startTime":"2025-01-01T00:00:00.000+0000",'
    b'"executionStartTime":null}'
)


def create_bare_app() -> Flask:
    """Five POST routes that read the body and answer the same Batch."""
    app = Flask("bare")

    def answer(**_: str) -> Response:
        request.get_data()  # read the body, as any real handler must
        return Response(BATCH, mimetype="application/json")

    for number, path in enumerate(POST_PATHS):
        app.add_url_rule(BASE + path, f"post{number}", answer, methods=["POST"])
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    args = parser.parse_args(argv)
    server = create_server(create_bare_app(), host=args.host, port=args.port, threads=THREADS)
    print(f"bare Flask listening on http://{args.host}:{server.effective_port}{BASE}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
