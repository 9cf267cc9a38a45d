"""What every view needs: the app's engine, the request body as the engine reads it, the user."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request
from werkzeug.routing import BaseConverter

from ..engine import MockEngine
from ..limits import declared_length
from ..spec import unsupported_media_type

EXTENSION_KEY = "camunda_mock"
# The Content-Type values for which Camunda's EmptyBodyFilter replaces an empty body by "{}".
EMPTY_BODY_FILTER = re.compile(r"application/json(;.*)?\Z", re.IGNORECASE)

# Each collection's id segment, excluding the literal paths beside it (see ResourceIdConverter).
BATCH_ID = '<id("count", "statistics"):batch_id>'
HISTORIC_BATCH_ID = '<id("count"):batch_id>'
DEPLOYMENT_ID = '<id("count", "create"):deployment_id>'
DEFINITION_ID = '<id("count", "key"):definition_id>'
EXTERNAL_TASK_ID = '<id("count", "fetchAndLock", "retries-async"):task_id>'
HISTORIC_INSTANCE_ID = '<id("count"):instance_id>'
INSTANCE_ID = '<id("count", "job-retries", "suspended-async"):instance_id>'
JOB_ID = '<id("count"):job_id>'
TASK_ID = '<id("count"):task_id>'


def current_engine() -> MockEngine:
    """The mock engine of the app serving this request."""
    return current_app.extensions[EXTENSION_KEY]


def json_body(operation_id: str) -> dict[str, Any]:
    """The request body mapped as the engine maps it, or the engine's 415 / 400 / 500."""
    engine = current_engine()
    spec, version = engine.spec, engine.config.engine_version
    content_type = request.environ.get("CONTENT_TYPE", "")
    length = declared_length(request)  # the limits hook refused one over the limit already
    # The plain header is the usual case; parsing it (parameters, case) only when it is not.
    if content_type != "application/json" and request.mimetype != "application/json":
        if content_type or length or "HTTP_TRANSFER_ENCODING" in request.environ:
            raise unsupported_media_type()
        return spec.read_body(operation_id, None)  # no entity: JAX-RS passes the resource null
    if length is None:  # a chunked body: werkzeug counts it against the limit as it streams
        raw = request.get_data(cache=False)
    else:  # the server has the whole body by now; werkzeug's stream wrapper costs more
        raw = request.environ["wsgi.input"].read(length)
    if not raw and (content_type == "application/json" or EMPTY_BODY_FILTER.match(content_type)):
        raw = b"{}"  # Camunda's EmptyBodyFilter: an empty JSON body is read as an empty object
    return spec.read_body(operation_id, raw, version)


def self_link(path: str) -> dict[str, str]:
    """A ``self`` link to a resource under the engine's base path of this request."""
    base = request.host_url.rstrip("/") + current_engine().config.base_path
    return {"method": "GET", "href": f"{base}/{path}", "rel": "self"}


class ResourceIdConverter(BaseConverter):
    """A resource id that is none of the literal path segments beside it.

    JAX-RS prefers a literal segment: ``GET /process-instance/job-retries`` is a 405 on the
    POST-only literal path, not a lookup of an instance called "job-retries". Each route names
    its collection's literal siblings: ``<id("count"):batch_id>``.
    """

    def __init__(self, url_map: Any, *literals: str) -> None:
        super().__init__(url_map)
        excluded = "|".join(re.escape(word) for word in literals)
        self.regex = f"(?!(?:{excluded})$)[^/]+" if literals else "[^/]+"
