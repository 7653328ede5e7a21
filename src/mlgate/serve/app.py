"""The Starlette app: SageMaker's container contract (``GET /ping``, ``POST /invocations``) plus ``GET /status``.

Every response names the version that produced it in ``X-Mlgate-Version`` (absent while nothing is
loaded); an invocation names the model it started with, even if a swap happened meanwhile. Client
mistakes get a 4xx with ``{"error": ..., "hint": ...}``. Small bodies are parsed and predicted on the event
loop (a thread hop costs more than a few rows: 337 vs 240 single-row requests/s with 4 clients); bodies over
``INLINE_BYTES`` go to a worker thread, so the loop keeps answering ``/ping`` during a large batch.

Every response carries ``X-Request-Id``: the request's own when it is 1-128 characters of ``[A-Za-z0-9._:-]``,
else a new uuid4 hex, so clients can join ground-truth labels to captured rows later. With a capture writer,
each answered invocation is offered to it (a sampling decision and a list append: see serve/capture/writer.py),
marked as a smoke test when it carries ``X-Mlgate-Smoke: 1`` (serve/marks.py: monitoring leaves it out).
``X-Mlgate-Smoke: previous`` is answered by the model swapped out last (409 when there is none): a deploy
times it in the same window as the new version.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlgate.clock import utc_now
from mlgate.serve.ab import CHALLENGER, CHAMPION, AbRouter
from mlgate.serve.ab_log import AbEntry
from mlgate.serve.ab_state import VARIANT_HEADER
from mlgate.serve.capture.settings import CaptureStats
from mlgate.serve.capture.writer import CaptureWriter
from mlgate.serve.holder import HolderStatus, ModelHolder, ServedModel
from mlgate.serve.invoke import Answer, choose_format, dump_json, invoke
from mlgate.serve.marks import SMOKE_HEADER, is_smoke_header, wants_previous
from mlgate.serve.parse import JSON
from mlgate.serve.request_error import RequestError
from mlgate.serve.shadow import ShadowRunner
from mlgate.serve.state import REQUEST_ID_HEADER, TIMING_HEADER, VERSION_HEADER, format_timing

logger = logging.getLogger("mlgate.serve")

MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker's limit for a real-time invocation payload
INLINE_BYTES = 16 * 1024  # larger bodies are parsed and predicted in a worker thread
REQUEST_ID_SCOPE = "mlgate.request_id"  # where the middleware leaves the request id for the handlers
_HEADER_KEY = VERSION_HEADER.lower().encode("latin-1")
_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")
_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def create_app(
    holder: ModelHolder,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    capture: CaptureWriter | None = None,
    shadow: ShadowRunner | None = None,
    ab: AbRouter | None = None,
) -> ASGIApp:
    """The ASGI app serving ``holder``'s current model, offering answered invocations to ``capture`` and to
    ``shadow`` (which answers a share of them with another version, off the request path)."""

    async def ping(request: Request) -> Response:
        served = holder.current
        if served is None:
            return json_response({"status": "unavailable", "error": _nothing_loaded(holder.status())}, 503)
        return json_response({"status": "ok", "version": served.version}, 200, version=served.version)

    async def status(request: Request) -> Response:
        stats = capture.stats() if capture is not None else CaptureStats(enabled=False)
        document = {**holder.status().to_document(), "capture": stats.to_document()}
        if shadow is not None:
            document["shadow"] = shadow.stats().to_document()
        if ab is not None:
            testing = ab.stats()
            document["ab"] = testing.to_document() if ab.running or testing.error else None
        return json_response(document, 200)

    async def invocations(request: Request) -> Response:
        served = holder.current
        if served is None:
            return json_response({"error": _nothing_loaded(holder.status())}, 503)
        if wants_previous(request.headers.get(SMOKE_HEADER)):  # a deploy's latency reference
            if holder.previous is None:
                return json_response(
                    {"error": "no previous version is loaded: nothing was swapped out since the server started"},
                    409,
                    version=served.version,
                )
            served = holder.previous
        try:
            kind = choose_format(request.headers.get("accept"))
            body = await read_body(request, max_body_bytes)
        except ClientGone as gone:  # nobody to answer: one line in the log, no traceback
            logger.info("request %s: %s; not answered", request.scope.get(REQUEST_ID_SCOPE, "?"), gone)
            return Response(status_code=400)
        except RequestError as exc:
            return error_response(exc, version=served.version)
        content_type = request.headers.get("content-type")
        request_id = str(request.scope.get(REQUEST_ID_SCOPE, ""))
        smoke = is_smoke_header(request.headers.get(SMOKE_HEADER))
        router = ab if ab is not None and ab.running and not smoke else None  # this request is part of an A/B test
        route = None
        if router is not None and served is holder.current:
            route = router.choose(request.headers, body, content_type, served, request_id)
        answered, fallback = served, False
        try:
            if route is not None and router is not None:
                try:
                    result = await answer(route, body, content_type, kind)
                    answered = route
                except Exception as exc:  # noqa: BLE001  # the client never sees the challenger fail: the champion answers
                    router.note_failure(route.version, exc)
                    fallback = True
                    result = await answer(served, body, content_type, kind)
            else:
                result = await answer(served, body, content_type, kind)
        except RequestError as exc:
            if router is not None:
                record_ab(router, request_id, route, served, exc.status, None, 0.0, fallback=False)
            return error_response(exc, version=served.version)
        if router is not None:
            record_ab(router, request_id, route, answered, 200, result.predictions, result.seconds, fallback=fallback)
        if capture is not None:
            capture.offer(
                request_id, answered.version, answered.features, body, content_type, result.predictions, smoke=smoke
            )
        if shadow is not None:
            shadow.offer(
                request_id,
                answered.version,
                answered.features,
                body,
                content_type,
                result.predictions,
                result.seconds,
                smoke=smoke,
            )
        headers = {VERSION_HEADER: answered.version, TIMING_HEADER: format_timing(result.seconds)}
        if router is not None:
            headers[VARIANT_HEADER] = CHALLENGER if answered is route else CHAMPION
        return Response(result.content, media_type=kind, headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return json_response({"error": exc.detail}, exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        return json_response({"error": f"internal server error: {type(exc).__name__}"}, 500)

    routes = [
        Route("/ping", ping, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
        Route("/status", status, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    return StandardHeaders(app, holder)


class StandardHeaders:
    """ASGI middleware: ``X-Request-Id`` on every response; ``X-Mlgate-Version`` (the current one) where missing."""

    def __init__(self, app: ASGIApp, holder: ModelHolder) -> None:
        self.app = app
        self.holder = holder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = choose_request_id(scope.get("headers", ()))
        scope[REQUEST_ID_SCOPE] = request_id
        id_header = (_ID_KEY, request_id.encode("latin-1"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), id_header]
                served = self.holder.current
                if served is not None and all(key.lower() != _HEADER_KEY for key, _ in headers):
                    headers.append((_HEADER_KEY, served.version.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def choose_request_id(headers: Any) -> str:
    """The client's ``X-Request-Id`` when it is 1-128 characters of [A-Za-z0-9._:-], else a new uuid4 hex."""
    for key, value in headers:
        if key.lower() == _ID_KEY:
            if _VALID_ID.fullmatch(value):
                return str(value.decode("ascii"))
            break
    return uuid.uuid4().hex


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes (413) before reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestError(
            413,
            f"the body has {int(declared)} bytes, more than the limit of {limit}",
            hint="send fewer instances per request",
        )
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(
                    413, f"the body is larger than the limit of {limit} bytes", hint="send fewer instances per request"
                )
            chunks.append(chunk)
    except ClientDisconnect as exc:
        expected = f" of {int(declared)}" if declared.isdigit() else ""
        raise ClientGone(
            f"the body ended after {size}{expected} bytes (the client disconnected, or sent a malformed chunk)"
        ) from exc
    return b"".join(chunks)


class ClientGone(Exception):
    """The client closed the connection before its request body was complete."""


async def answer(served: ServedModel, body: bytes, content_type: str | None, kind: str) -> Answer:
    """``invoke`` on the event loop for a small body (a thread hop costs more than a few rows), else in a thread."""
    if len(body) <= INLINE_BYTES:
        return invoke(served, body, content_type, kind)
    return await run_in_threadpool(invoke, served, body, content_type, kind)


def record_ab(
    router: AbRouter,
    request_id: str,
    route: ServedModel | None,
    answered: ServedModel,
    status: int,
    predictions: list[Any] | None,
    seconds: float,
    *,
    fallback: bool,
) -> None:
    """Log one invocation of an A/B test: the variant the client was routed to (``route``: the challenger's model, or
    None for the champion) and the version that ``answered``."""
    variant = CHALLENGER if route is not None else CHAMPION
    router.record(AbEntry(utc_now(), request_id, variant, answered.version, seconds, status, fallback, predictions))


def json_response(
    document: Any, status: int, *, version: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """A compact JSON response, with the version header when ``version`` is given."""
    extra = dict(headers or {})
    if version is not None:
        extra[VERSION_HEADER] = version
    return Response(dump_json(document), status_code=status, media_type=JSON, headers=extra)


def error_response(exc: RequestError, *, version: str | None) -> Response:
    document = {"error": exc.message, **({"hint": exc.hint} if exc.hint else {})}
    return json_response(document, exc.status, version=version)


def _nothing_loaded(status: HolderStatus) -> str:
    if status.loading:
        return f"no model is loaded yet: loading version {status.pointer_version}"
    if status.loading_error:
        return f"no model is loaded: {status.loading_error}"
    return "no model is loaded: the state folder has no live.json yet (deploy a version)"
