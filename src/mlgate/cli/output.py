"""The one place the CLI writes text: ``emit`` a result in the chosen format, and the terminal guard.

``emit(result, renderers, fmt)`` is every command's output: ``renderers`` is a ``report/`` module (or any object)
with ``render_text``, ``render_markdown``, ``render_json`` and ``render_github`` (``render_text`` and
``render_json`` for the text/json commands, ``render_yaml`` and ``render_json`` for a document); ``bind`` fixes
the extra arguments some renderers take (a report context, a size budget). With ``to`` the report is written to
that file (atomically, as it is) instead of printed. With ``summary`` the markdown report is also appended to a
job summary file, with ``outputs`` the step outputs go to ``$GITHUB_OUTPUT``, in that order, after the report.

Renderers already escape each value they take from data (:mod:`mlgate.text`); the guard is the last line:
no C0/C1 control character (ESC, BEL, CR, CSI U+009B, ...) and no bidirectional control reaches the
terminal or the Actions log, whatever a renderer missed. Line breaks and tabs pass; a JSON document stays
valid (the escapes it gets are JSON's own ``\\u009b`` form).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import click

from mlgate.text import terminal
from mlgate.text.actions_log import neutralise

R = TypeVar("R")
R_contra = TypeVar("R_contra", contravariant=True)

if TYPE_CHECKING:  # types only: ``mlgate --help`` imports this module, so it stays lean

    class PlainRenderers(Protocol[R_contra]):
        """What a text/json command's report exports."""

        def render_text(self, result: R_contra, /) -> str: ...
        def render_json(self, result: R_contra, /) -> str: ...

    class DocumentRenderers(Protocol[R_contra]):
        """What a command writing a document exports (``mlgate schema infer``: ``--format yaml|json``)."""

        def render_yaml(self, result: R_contra, /) -> str: ...
        def render_json(self, result: R_contra, /) -> str: ...

    class Renderers(PlainRenderers[R_contra], Protocol[R_contra]):
        """The quartet every ``report/`` module exports: ``--format text|markdown|json|github``."""

        def render_markdown(self, result: R_contra, /) -> str: ...
        def render_github(self, result: R_contra, /) -> str: ...


class Bound(Generic[R]):
    """A report module's renderers with the arguments a command adds already given (see ``bind``)."""

    __slots__ = ("render_github", "render_json", "render_markdown", "render_text")

    def __init__(
        self,
        render_text: Callable[[R], str],
        render_markdown: Callable[[R], str],
        render_json: Callable[[R], str],
        render_github: Callable[[R], str],
    ) -> None:
        self.render_text = render_text
        self.render_markdown = render_markdown
        self.render_json = render_json
        self.render_github = render_github


def bind(
    renderers: Any, *args: Any, markdown: Mapping[str, Any] | None = None, github: Mapping[str, Any] | None = None
) -> Bound[Any]:
    """``renderers`` called as ``render_x(result, *args)``, plus the ``markdown`` / ``github`` keywords for those two."""
    return Bound(
        render_text=_after(renderers.render_text, args, {}),
        render_markdown=_after(renderers.render_markdown, args, markdown or {}),
        render_json=_after(renderers.render_json, args, {}),
        render_github=_after(renderers.render_github, args, github or {}),
    )


def _after(render: Callable[..., str], args: tuple[Any, ...], keywords: Mapping[str, Any]) -> Callable[[Any], str]:
    """``render`` with ``args`` after the result (``functools.partial`` would put them before it)."""
    return lambda result: render(result, *args, **keywords)


def emit(
    result: R,
    renderers: Renderers[R] | PlainRenderers[R] | DocumentRenderers[R],
    fmt: str,
    *,
    to: Path | None = None,
    summary: Path | None = None,
    outputs: Mapping[str, str] | None = None,
) -> None:
    """Print ``result`` in ``fmt`` (or write it to ``to``); append its markdown to ``summary``; write ``outputs``
    to ``$GITHUB_OUTPUT``."""
    render: Callable[[R], str] = getattr(renderers, f"render_{fmt}")
    if to is not None:
        from mlgate.files import write_atomic

        write_atomic(to, render(result))
    else:
        echo(render(result), nl=False)
    if summary is not None:
        from mlgate.cli.common import append_job_summary

        append_job_summary(summary, renderers.render_markdown(result))  # type: ignore[union-attr]
    if outputs is not None:
        from mlgate.cli.common import write_github_outputs

        write_github_outputs(dict(outputs))


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` (to stderr with ``err``) with every control character but line breaks shown."""
    click.echo(terminal.sanitize(message), err=err, nl=nl)


def say_error(message: str) -> None:
    """Print an error or a hint on stderr: also no line of it can act as a workflow command in the Actions log
    (messages quote file names, cells and what services answered)."""
    echo(neutralise(message), err=True)
