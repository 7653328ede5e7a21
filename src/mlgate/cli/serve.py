"""``mlgate serve``: run the local inference endpoint for a state folder (docs/serve.md)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import echo
from mlgate.errors import ExitCode
from mlgate.files import display_path

if TYPE_CHECKING:
    from mlgate.config import Config
    from mlgate.serve.capture.settings import CaptureSettings
    from mlgate.serve.state import ServerInfo

LOG_LEVELS = ("debug", "info", "warning", "error")
LOGGERS = ("mlgate", "uvicorn")


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="TCP port; 0 picks a free one (written to STATE/port either way).",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface)."
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="State folder with live.json (default: deploy.state in mlgate.yaml, .mlgate/serve).",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS), default="info", show_default=True)
@click.option(
    "--capture/--no-capture",
    "capture",
    default=None,
    help="Record requests and predictions for `mlgate monitor` (default: capture.enabled in mlgate.yaml).",
)
@config_option
def serve(
    port: int,
    host: str,
    state_dir: Path | None,
    access_log: bool,
    log_level: str,
    capture: bool | None,
    config_path: Path | None,
) -> int:
    """Serve the version STATE/live.json names: GET /ping, POST /invocations (JSON or CSV), GET /status.

    The server hot-swaps when live.json changes (`mlgate deploy` / `mlgate rollback`), keeps serving the
    old version if the new one cannot be loaded, and stops gracefully on SIGTERM or Ctrl+C (exit 0).
    """
    from mlgate.serve.run import LocalServer, ServeOptions

    config = get_config(config_path) if state_dir is None or capture is not False else None
    if state_dir is None:
        assert config is not None
        state_dir = Path(display_path(config.deploy.state))
    state = state_dir.absolute()
    capturing = capture_settings(config, capture) if config is not None else None
    options = ServeOptions(state=state, host=host, port=port, access_log=access_log, capture=capturing)
    server = LocalServer(options)

    def announce(info: ServerInfo) -> None:
        echo(f"mlgate serve: listening on {info.url} (state {state}, pid {info.pid}); Ctrl+C stops it", err=True)

    with logging_to_stderr(getattr(logging, log_level.upper())):
        stopped_by = server.run(on_ready=announce)
    if stopped_by:
        echo(f"mlgate serve: stopped by {signal.Signals(stopped_by).name}", err=True)
    return ExitCode.OK


def capture_settings(config: Config, flag: bool | None) -> CaptureSettings | None:
    """The capture settings when capture is on (``--capture``, else ``capture.enabled``); None when off."""
    from mlgate.serve.capture.settings import settings_from_config

    if not (config.capture.enabled if flag is None else flag):
        return None
    folder = Path(display_path(config.capture.path)).absolute()
    return settings_from_config(config.capture, folder, os.environ)


@contextlib.contextmanager
def logging_to_stderr(level: int) -> Iterator[None]:
    """Send mlgate's and uvicorn's log records to stderr while serving (and only then)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(previous)
