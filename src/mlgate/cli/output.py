"""The one place the CLI writes text: every output passes the terminal guard on its way out.

Renderers already escape each value they take from data (:mod:`mlgate.text`); this guard is the last line:
no C0/C1 control character (ESC, BEL, CR, CSI U+009B, ...) and no bidirectional control reaches the
terminal or the Actions log, whatever a renderer missed. Line breaks and tabs pass; a JSON document stays
valid (the escapes it gets are JSON's own ``\\u009b`` form).
"""

from __future__ import annotations

import click

from mlgate.text import terminal
from mlgate.text.actions_log import neutralise


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` (to stderr with ``err``) with every control character but line breaks shown."""
    click.echo(terminal.sanitize(message), err=err, nl=nl)


def say_error(message: str) -> None:
    """Print an error or a hint on stderr: also no line of it can act as a workflow command in the Actions log
    (messages quote file names, cells and what services answered)."""
    echo(neutralise(message), err=True)
