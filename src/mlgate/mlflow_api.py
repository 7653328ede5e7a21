"""The gateway to an MLflow server: its client (``mlflow-skinny``, imported only here and only when used), the
tracking URI, quick retries and the translation of MLflow's failures into mlgate's errors.

MLflow's own defaults retry a failed request 7 times with a doubling back-off (minutes against a server that is
down) and print "View run" lines and INFO logs to the terminal; while mlgate talks to the server the retries are
kept short and MLflow stays quiet, unless the user set MLflow's variables themselves. Credentials come from
MLflow's environment (``MLFLOW_TRACKING_USERNAME``/``PASSWORD``, ``MLFLOW_TRACKING_TOKEN``, AWS's for S3
artifacts); they never appear in a URI mlgate shows.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.errors import ConfigError, InputError, ServiceError

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

INSTALL_HINT = "pip install 'mlgate[mlflow]'"
URI_VARIABLE = "MLFLOW_TRACKING_URI"
QUICK = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}
NOT_FOUND = "RESOURCE_DOES_NOT_EXIST"
EXISTS = "RESOURCE_ALREADY_EXISTS"
_T = TypeVar("_T")
_UNREACHABLE = ("Max retries exceeded", "Connection refused", "ConnectionError", "timed out", "Read timed out")


def resolve_uri(configured: str | None, environ: Mapping[str, str], *, key: str) -> str:
    """``MLFLOW_TRACKING_URI`` when set, else the configured URI; neither is a ConfigError naming ``key``."""
    uri = environ.get(URI_VARIABLE) or configured
    if not uri:
        raise ConfigError(
            f"no MLflow tracking URI: {key} is not set and neither is {URI_VARIABLE}",
            hint=f"set {key} in mlgate.yaml or export {URI_VARIABLE}=http://your-mlflow-server:5000",
        )
    return uri


def open_client(uri: str, *, needed_by: str) -> MlflowClient:
    """An ``MlflowClient`` for ``uri``; without the package a ConfigError (exit 2) saying which extra to install."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise ConfigError(f"{needed_by} needs the MLflow client, which is not installed", hint=INSTALL_HINT) from exc
    return MlflowClient(tracking_uri=uri)


def shown_uri(uri: str) -> str:
    """``uri`` as messages and reports may show it: no user name, password, query or fragment."""
    parts = urllib.parse.urlsplit(uri)
    if not parts.scheme or not parts.netloc:
        return uri.split("?", 1)[0].split("#", 1)[0]
    host = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


@contextmanager
def quick_calls(environ: MutableMapping[str, str] = os.environ) -> Iterator[None]:
    """MLflow's settings of ``QUICK`` where the user set none, and MLflow's logger at WARNING, for the block."""
    added = [name for name in QUICK if name not in environ]
    for name in added:
        environ[name] = QUICK[name]
    logger = logging.getLogger("mlflow")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
        for name in added:
            environ.pop(name, None)


def error_code(exc: BaseException) -> str:
    """MLflow's error code of an ``MlflowException`` (``RESOURCE_DOES_NOT_EXIST`` ...), "" for anything else."""
    return str(getattr(exc, "error_code", "") or "")


def call_mlflow(uri: str, what: str, action: Callable[[], _T], *, allow: tuple[str, ...] = ()) -> _T | None:
    """Run ``action`` against the server; an error code in ``allow`` gives None, any other failure is an
    mlgate error: refused credentials and a server that cannot be reached are ServiceErrors (exit 3), a request
    the server calls invalid an InputError (exit 2)."""
    import requests
    from mlflow.exceptions import MlflowException

    try:
        with quick_calls():
            return action()
    except MlflowException as exc:
        if error_code(exc) in allow:
            return None
        raise translate(uri, what, str(exc.message), error_code(exc), _status(exc)) from exc
    except (requests.RequestException, OSError) as exc:
        raise translate(uri, what, str(exc), "", None) from exc


def translate(uri: str, what: str, message: str, code: str, status: int | None) -> ServiceError | InputError:
    """One line saying what could not be done on which server (credentials removed), and what to do."""
    shown = shown_uri(uri)
    first = " ".join(message.replace(uri, shown).split())[:240]
    if status in (401, 403) or "error code 401" in first or "error code 403" in first:
        return ServiceError(
            f"MLflow at {shown} refused the credentials: cannot {what} ({first})",
            hint="set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) to an account "
            "that may write to the registry",
        )
    if any(sign in message for sign in _UNREACHABLE):
        reason = "connection refused" if "refused" in message.lower() else "no answer"
        return ServiceError(
            f"MLflow at {shown}: cannot {what}: the server cannot be reached ({reason}, after retries)",
            hint="check that the server is up and that the tracking URI (or MLFLOW_TRACKING_URI) names it",
        )
    if code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", NOT_FOUND, EXISTS):
        return InputError(f"MLflow at {shown}: cannot {what}: {first}")
    return ServiceError(
        f"MLflow at {shown}: cannot {what} ({first})",
        hint="check that the server is up and that the tracking URI (or MLFLOW_TRACKING_URI) names it",
    )


def _status(exc: Any) -> int | None:
    """The HTTP status of an MlflowException (MLflow's method is untyped)."""
    status = exc.get_http_status_code()
    return status if isinstance(status, int) else None
