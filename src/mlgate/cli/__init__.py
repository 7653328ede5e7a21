"""The ``mlgate`` command line: a lazy click group and the one error handler.

This package is the only place that reads argv, prints or exits. Commands live in one module each and
are imported only when invoked, so ``mlgate --help`` stays fast.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

from mlgate import __version__, notices
from mlgate.cli.lazy import LazyGroup
from mlgate.cli.output import echo, say_error
from mlgate.errors import ExitCode, MlgateError, exit_code_for

# name -> (module, attribute, short help): the explicit registry of commands.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("mlgate.cli.validate", "validate", "Validate datasets against their schema."),
    "schema": ("mlgate.cli.schema", "schema", "Infer, diff and summarise data schemas."),
    "data": ("mlgate.cli.data", "data", "Fetch the declared datasets' DVC-tracked data (dvc pull)."),
    "train": ("mlgate.cli.train", "train", "Train and evaluate the candidate models; write metrics and artifacts."),
    "compare": ("mlgate.cli.compare", "compare", "Compare results with a baseline; apply the gates."),
    "check": ("mlgate.cli.check", "check", "Validate, train, compare with the merge-base and report (the PR check)."),
    "baseline": ("mlgate.cli.baseline", "baseline", "Find a pull request's merge-base and its cached results."),
    "comment": ("mlgate.cli.comment", "comment", "Create or update the sticky PR comment from a report."),
    "registry": ("mlgate.cli.registry", "registry", "Register model versions; approve, reject, list them."),
    "deploy": ("mlgate.cli.deploy", "deploy", "Deploy an approved version, smoke-test it live, roll back on failure."),
    "rollback": (
        "mlgate.cli.rollback",
        "rollback",
        "Restore the previous (or a named) approved version, smoke-tested.",
    ),
    "serve": ("mlgate.cli.serve", "serve", "Run the local inference endpoint (hot-swaps when live.json changes)."),
    "monitor": ("mlgate.cli.monitor", "monitor", "Check captured traffic for drift, schema violations and decay."),
    "shadow": ("mlgate.cli.shadow", "shadow", "Follow or stop a version shadowing the live one (deploy --shadow)."),
    "ab": ("mlgate.cli.ab", "ab", "Follow, decide (promote, stop, continue) and end an A/B test (deploy --ab)."),
    "replay": ("mlgate.cli.replay", "replay", "Replay captured traffic through a version; compare with the live one."),
    "new": ("mlgate.cli.new", "new", "Generate a new ML project from the bundled template."),
    "demo": ("mlgate.cli.demo", "demo", "Run the whole lifecycle offline on example data, narrated (under a minute)."),
    "retrain": ("mlgate.cli.retrain", "retrain", "Retrain on fresh data; register a model that beats the live one."),
}


@click.group(cls=LazyGroup, registry=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mlgate")
def cli() -> None:
    """mlgate: data, model and deploy gates for scikit-learn projects.

    Exit codes: 0 pass, 1 checks failed, 2 unusable input, 3 external service failed,
    4 internal error, 5 deploy needs a person, 6 timed out, 130 interrupted.
    Set MLGATE_DEBUG=1 to see tracebacks.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; every exception is mapped here and only here."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with notices.sending_to(_warn):
            result = cli.main(args=args, prog_name="mlgate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        echo("mlgate: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        shown = io.StringIO()  # a usage error quotes the argument it refused: shown through the guard
        exc.show(file=shown)
        say_error(shown.getvalue().rstrip("\n"))
        return ExitCode.BAD_INPUT
    except BaseException as exc:  # noqa: BLE001 - the one place every failure is translated
        return report_exception(exc)
    return int(result) if isinstance(result, int) else ExitCode.OK


def stop_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl+C: mlgate stops where it is, releases its locks and exits 130 ("interrupted").

    A cancelled GitHub Actions run, ``timeout`` and service managers send SIGTERM; without this the process would
    vanish mid-deploy without a word. Only when SIGTERM has its default action (``mlgate serve`` installs its
    own graceful handlers later).
    """
    import signal

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _warn(message: str) -> None:
    click.echo(f"mlgate: warning: {message}", err=True)


def run() -> None:
    """Console-script entry: run ``main`` and leave without interpreter finalisation.

    pyarrow's I/O threads may drop their last reference to a Python object (a file wrapper, a row
    callback) while CPython finalises; CPython then ends that native thread and the process aborts
    (SIGABRT) after a correct report. So: flush, run the atexit hooks, and ``os._exit``.
    """
    import atexit
    import contextlib

    code: int = ExitCode.INTERNAL
    try:
        stop_on_sigterm()
        code = main()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
                stream.flush()
        atexit._run_exitfuncs()
        os._exit(code)


def report_exception(exc: BaseException) -> int:
    """Print a one- or two-line message for ``exc`` and return its exit code."""
    if isinstance(exc, SystemExit):
        return int(exc.code) if isinstance(exc.code, int) else ExitCode.INTERNAL
    code = exit_code_for(exc)
    debug = os.environ.get("MLGATE_DEBUG", "") not in ("", "0")
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, KeyboardInterrupt):
        echo("mlgate: interrupted", err=True)
    elif isinstance(exc, MlgateError) and code != ExitCode.INTERNAL:
        say_error(f"mlgate: error: {exc.message}")
        if exc.hint:
            say_error(f"  hint: {exc.hint}")
    else:
        log = write_crash_log(exc)
        say_error(
            f"mlgate: internal error (a bug): {type(exc).__name__}: {exc}\n"
            f"  traceback saved to {log}; please attach it to an issue"
        )
    return code


def write_crash_log(exc: BaseException) -> Path:
    """Save the traceback with version details to a log file and return its path."""
    import tempfile  # imported here, on failure only: the CLI's start-up stays lean
    import traceback

    folder = Path(os.environ.get("MLGATE_LOG_DIR") or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"mlgate-crash-{stamp}-{os.getpid()}.log"
    lines = [
        f"mlgate {__version__} on Python {sys.version.split()[0]} ({sys.platform})",
        f"argv: {sys.argv!r}",
        "",
        *traceback.format_exception(exc),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
