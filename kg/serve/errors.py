"""Every error of the server in one JSON shape: ``{"ok": false, "error": ..., "status": ...}``.

A client (or a person reading the answer) gets the same three keys whatever went wrong: a bad
query (400), an update without permission (403), an unknown page (404), a body too large
(413), too many requests at once (429), a query past its time limit (503) or its memory limit
(507). Nothing ever answers with a stack trace: an error
that is the server's fault is logged on the server, and the client reads "internal error".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kg.errors import (
    KgError,
    KgFileError,
    KgLimitError,
    KgParseError,
    KgStoreError,
    KgUsageError,
)

log = logging.getLogger("kg.serve")


class ServeError(KgError):
    """A request the server answers with an HTTP error: the status and the message to send.

    >>> ServeError(404, "no such resource").status
    404
    """

    def __init__(
        self, status: int, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one shape of every error answer.

    >>> error_response(400, "bad").body
    b'{"ok":false,"error":"bad","status":400}'
    """
    return JSONResponse(
        {"ok": False, "error": message, "status": status},
        status_code=status,
        headers=dict(headers or {}),
    )


def status_of(exc: KgError) -> int:
    """The HTTP status that fits a library error: the client's fault is 4xx, the store's 5xx."""
    if isinstance(exc, ServeError):
        return exc.status
    if isinstance(exc, KgLimitError):
        return 507 if exc.limit == "memory" else 503
    if isinstance(exc, (KgUsageError, KgParseError)):
        return 400
    if isinstance(exc, (KgStoreError, KgFileError)):
        return 503
    return 400


async def _kg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KgError)
    headers = exc.headers if isinstance(exc, ServeError) else None
    return error_response(status_of(exc), str(exc), headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "no such page", 405: "method not allowed here"}.get(
        exc.status_code, str(exc.detail)
    )
    if exc.status_code == 404:
        message = f"no such page: {request.url.path} (see / for what the server offers)"
    return error_response(exc.status_code, message, exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error answering %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error; the server's log has the details")


#: The handlers create_app installs, by exception class (or status).
HANDLERS = {KgError: _kg_error, HTTPException: _http_error, Exception: _internal_error}
