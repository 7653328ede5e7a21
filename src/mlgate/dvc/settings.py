"""DVC's own settings, as messages need them: the remote a pull uses and where it points.

``.dvc/config`` (committed) and ``.dvc/config.local`` (this machine's, it wins) are INI files written by
configobj: ``[core]`` ``remote = NAME``, and ``['remote "NAME"']`` ``url = s3://...``. They are read here
only to name the remote in an error; ``dvc`` itself decides what it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Remote:
    """A DVC remote: its name and URL (None when the settings do not say)."""

    name: str
    url: str | None

    def describe(self) -> str:
        return f"DVC remote '{self.name}'" + (f" ({self.url})" if self.url else "")


def read_settings(root: Path) -> dict[str, dict[str, str]]:
    """``.dvc/config`` overlaid by ``.dvc/config.local``: section -> key -> value (unreadable files skipped)."""
    merged: dict[str, dict[str, str]] = {}
    for name in ("config", "config.local"):
        try:
            text = (root / ".dvc" / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for section, values in _parse(text).items():
            merged.setdefault(section, {}).update(values)
    return merged


def find_remote(root: Path, name: str | None = None) -> Remote | None:
    """The remote ``name`` (default: ``core.remote``), or None when no default remote is set."""
    settings = read_settings(root)
    chosen = name or settings.get("core", {}).get("remote")
    if not chosen:
        return None
    return Remote(chosen, settings.get(f'remote "{chosen}"', {}).get("url"))


def _parse(text: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            title = stripped[1:-1].strip()
            if len(title) >= 2 and title[0] == title[-1] and title[0] in "'\"":
                title = title[1:-1]
            current = sections.setdefault(title.strip(), {})
        elif current is not None and "=" in stripped:
            key, _, value = stripped.partition("=")
            current[key.strip()] = _unquote(value.strip())
    return sections


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
