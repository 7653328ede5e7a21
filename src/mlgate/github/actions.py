"""GitHub Actions environment files and workflow commands, as strings and appends.

- ``GITHUB_OUTPUT``: every value uses the ``name<<DELIMITER`` form with a random delimiter that is checked
  not to occur in the value, so a multi-line (or hostile) value cannot end early or inject outputs.
- ``GITHUB_STEP_SUMMARY``: appends, keeping the file within GitHub's 1 MiB per step (a longer report is
  cut at a line with a note rather than making the upload fail).
- Workflow commands (``::warning::``, ``::error::``, ``::notice::``, ``::group::``, ``::add-mask::``) are
  returned as strings with GitHub's escaping (:mod:`mlgate.text.actions_log`); only the CLI prints them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from mlgate.text.actions_log import escape_data, escape_property, workflow_command

__all__ = [
    "END_GROUP",
    "add_mask",
    "annotation",
    "append_outputs",
    "append_summary",
    "escape_data",
    "escape_property",
    "format_outputs",
    "group",
    "workflow_command",
]

SUMMARY_LIMIT = 1024 * 1024  # bytes per step
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

Level = Literal["error", "warning", "notice"]


def annotation(
    level: Level, message: str, *, title: str | None = None, file: str | None = None, line: int | None = None
) -> str:
    """An ``::error::`` / ``::warning::`` / ``::notice::`` annotation."""
    return workflow_command(level, message, file=file, line=line, title=title)


def group(title: str) -> str:
    """Start a folded log group (end it with :data:`END_GROUP`)."""
    return workflow_command("group", title)


END_GROUP = "::endgroup::"


def add_mask(value: str) -> str:
    """Ask the runner to mask ``value`` in the log from now on (one command per line of the value)."""
    return "\n".join(workflow_command("add-mask", line) for line in value.splitlines() if line.strip())


def format_outputs(values: Mapping[str, str], *, token: Callable[[], str] = lambda: secrets.token_hex(16)) -> str:
    """``GITHUB_OUTPUT`` text for ``values``: ``name<<ghadelimiter_X`` blocks with collision-free delimiters."""
    parts = []
    for name, value in values.items():
        if not _NAME.fullmatch(name):
            raise ValueError(f"invalid output name {name!r}")
        delimiter = f"ghadelimiter_{token()}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{token()}"
        parts.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(parts)


def append_outputs(path: Path, values: Mapping[str, str]) -> None:
    """Append ``values`` to the ``GITHUB_OUTPUT`` file at ``path``."""
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(format_outputs(values))


def append_summary(path: Path, markdown: str, *, limit: int = SUMMARY_LIMIT) -> bool:
    """Append ``markdown`` to the step summary at ``path`` within ``limit`` bytes; True when it was cut."""
    used = path.stat().st_size if path.exists() else 0
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    raw = text.encode("utf-8")
    cut = used + len(raw) > limit
    if cut:
        note = b"\n> [!NOTE]\n> mlgate cut this summary at GitHub's 1 MiB step-summary limit.\n"
        room = limit - used - len(note)
        if room <= 0:
            return True
        kept = raw[:room].decode("utf-8", errors="ignore")
        raw = kept[: kept.rfind("\n") + 1].encode("utf-8") + note
    with path.open("ab") as handle:
        handle.write(raw)
    return cut
