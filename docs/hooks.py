"""mkdocs hook: the tables that restate `openapi.yaml` are built from it when the site is built.

On a page, what stands between `<!-- divergences -->` and `<!-- /divergences -->` (a note for
the page read unbuilt) is replaced by the table of every entry of `x-divergences`: its id, the
operation's method and path, the condition, and the engine's and the documents' answers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DIVERGENCES = re.compile(r"<!-- divergences -->.*?<!-- /divergences -->", re.DOTALL)
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def load_contract() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((ROOT / "openapi.yaml").read_text(), Loader=loader)


def operations(document: dict[str, Any]) -> dict[str, str]:
    """operationId -> `METHOD /path`."""
    found = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = f"{method.upper()} {path}"
    return found


def cell(text: str) -> str:
    """Prose for a table cell: one line, no pipe or angle bracket read as Markdown."""
    text = " ".join(str(text).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", r"\|")


def code(text: str) -> str:
    text = " ".join(str(text).split()).replace("|", r"\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def answer(side: dict[str, Any], other: dict[str, Any] | None = None) -> str:
    if side.get("type") is None:
        return f"{side['status']}, a Batch"
    text = f"{side['status']} {code(side['type'])}"
    if side.get("message") is None:
        text += ", message null"
    elif other is not None and other.get("message") == side["message"]:
        text += ", same message"
    else:
        text += f" {code(side['message'])}"
    if side.get("code") is not None:
        text += f" (code {side['code']})"
    return text


def divergence_table(document: dict[str, Any]) -> str:
    endpoints = operations(document)
    rows = [
        "| divergence | endpoint | when | engine (default) | documents (`--profile docs`) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in document["x-divergences"]:
        endpoint = endpoints.get(entry["operation"], entry["operation"])
        engine, docs = entry["engine"], entry["docs"]
        rows.append(
            f"| {code(entry['id'])} | {code(endpoint)} | {cell(entry['condition'])} "
            f"| {answer(engine)} | {answer(docs, engine)} |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown: str, **_: Any) -> str:
    if DIVERGENCES.search(markdown):
        table = divergence_table(load_contract())
        markdown = DIVERGENCES.sub(lambda _: table, markdown)
    return markdown
