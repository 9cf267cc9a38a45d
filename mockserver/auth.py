"""Optional HTTP Basic authentication of the engine API, as the engine's REST filter does it.

Camunda's ``ProcessEngineAuthenticationFilter`` with its HTTP Basic provider checks every
request below the REST application's root. A request without valid credentials gets 401,
the challenge ``WWW-Authenticate: Basic realm="<engine name>"`` (``default``) and no body:
the filter only sets the status and the header. The mock adds the reason in
``X-Mock-Error-Detail``, as it does for the engine's other answers without detail.

The authenticated user becomes the ``createUserId`` of the batches the request creates.
The admin API (``/mock-api``) and the OpenAPI document stay open.
"""

from __future__ import annotations

import binascii
import hmac
from base64 import b64decode

from flask import Request, Response

from .route_patterns import engine_path
from .serving_hooks import Hooks

REALM = "default"  # the filter names the engine it guards; the mock is the default engine
# The engine's filter lets GET /engine through without credentials (a readiness probe).
OPEN_PATHS = frozenset({"/openapi.json", "/engine"})
_USER_KEY = "mockserver.user"  # in the WSGI environ: the user the filter let through


def parse_credentials(text: str) -> tuple[str, str]:
    """``user:password`` (the password may contain colons, the user may not)."""
    user, separator, password = text.partition(":")
    if not separator or not user:
        raise ValueError(f"credentials are 'user:password', not '{text}'")
    return user, password


class BasicAuth:
    """The known users and the check of a request's ``Authorization`` header."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = dict(users)

    def authenticate(self, header: str | None) -> tuple[str | None, str]:
        """The user the header proves, or None and why not.

        Read as the engine's provider reads it: the header must start with ``Basic ``, the
        decoded text is split at its first colon.
        """
        if header is None or not header.startswith("Basic "):
            return None, "no HTTP Basic credentials"
        try:
            decoded = b64decode(header.removeprefix("Basic ").strip(), validate=False)
        except (binascii.Error, ValueError):
            return None, "the credentials are not base64"
        user, separator, password = decoded.decode("utf-8", "replace").partition(":")
        if not separator:
            return None, "the credentials have no ':' between user and password"
        expected = self.users.get(user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return None, "unknown user or wrong password"
        return user, ""


def request_user(request: Request) -> str | None:
    """The user the engine records as the creator of what a request makes.

    With authentication on, the user the filter let through; otherwise the user named by
    HTTP Basic credentials, unchecked. Read from the WSGI environ: the usual request has no
    credentials, and two dict lookups settle that.
    """
    environ = request.environ
    authenticated = environ.get(_USER_KEY)
    if authenticated is not None:
        return authenticated
    if "HTTP_AUTHORIZATION" not in environ:
        return None
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        return None
    return credentials.username or None


def challenge(reason: str) -> Response:
    """The filter's 401: the status, the challenge header, no body."""
    response = Response(status=401)
    response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    response.headers["X-Mock-Error-Detail"] = reason
    return response


def hooks(users: dict[str, str], base_path: str) -> Hooks:
    """Require valid credentials for the engine API (no users: authentication off)."""
    if not users:
        return Hooks()
    auth = BasicAuth(users)

    def require_credentials(request: Request) -> Response | None:
        path = engine_path(request.path, base_path)
        if path is None or path in OPEN_PATHS:
            return None
        user, reason = auth.authenticate(request.headers.get("Authorization"))
        if user is None:
            return challenge(reason)
        request.environ[_USER_KEY] = user
        return None

    return Hooks(before=require_credentials)
