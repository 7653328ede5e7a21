"""The error of a request the server cannot use, with the 4xx status to answer it with.

Its own module because both readers of a request body raise it: ``serve.parse`` (the body's format) and
``serve.convert`` (its values, read with the version's schema), and ``parse`` calls ``convert``.
"""

from __future__ import annotations

from mlgate.errors import InputError


class RequestError(InputError):
    """A request the server cannot use; ``status`` is the 4xx code to answer with."""

    def __init__(self, status: int, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status
