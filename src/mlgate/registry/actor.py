"""Who and when: the actor of a registry change and the timestamps the registry writes.

The actor is ``--by`` when given, else ``GITHUB_ACTOR`` (set by GitHub Actions to the user who triggered
the run), else the local user name. Times are ISO 8601 in UTC, to the second.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable, Mapping

from mlgate.errors import InputError


def resolve_actor(by: str | None, environ: Mapping[str, str], getuser: Callable[[], str] = getpass.getuser) -> str:
    """``by``, else ``GITHUB_ACTOR``, else the local user; an unknown actor is an InputError."""
    for candidate in (by, environ.get("GITHUB_ACTOR")):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    if by is not None:
        raise InputError("--by is empty", hint="pass the name of the person (or workflow) making the change")
    try:
        user = getuser()
    except (OSError, KeyError, ImportError) as exc:  # no login name and no passwd entry (some containers)
        raise InputError("cannot tell who is making this change", hint="pass --by NAME") from exc
    if not user.strip():
        raise InputError("cannot tell who is making this change", hint="pass --by NAME")
    return user.strip()


def format_time(moment: dt.datetime) -> str:
    """``moment`` as ISO 8601 in UTC, to the second (naive times are taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
