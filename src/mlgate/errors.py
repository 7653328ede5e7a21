"""One exception root for mlgate and the mapping from failures to exit codes.

Hierarchy (exit code in brackets)::

    MlgateError                     [4]  base; never raised directly
      InputError                    [2]  the input cannot be used
        ConfigError                      mlgate.yaml / MLGATE_* problems
        SchemaError                      an invalid data schema
        DataError                        a missing, unreadable or malformed dataset
      ServiceError                  [3]  an external service failed after retries
      InternalError                 [4]  a bug

Exit code 0 (pass) and 1 (checks ran and failed) are returned by commands, not raised.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes every mlgate command uses (DESIGN.md)."""

    OK = 0
    CHECKS_FAILED = 1
    BAD_INPUT = 2
    SERVICE_FAILED = 3
    INTERNAL = 4
    NEEDS_PERSON = 5
    TIMED_OUT = 6
    INTERRUPTED = 130


class MlgateError(Exception):
    """Root of every error mlgate raises on purpose.

    ``message`` says what is wrong and where; ``hint`` says what to do about it.
    """

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class InputError(MlgateError):
    """The input cannot be used (usage error, missing or unreadable file, invalid config)."""

    exit_code = ExitCode.BAD_INPUT


class ConfigError(InputError):
    """mlgate.yaml or an MLGATE_* variable is invalid."""


class SchemaError(InputError):
    """A data schema is itself invalid."""


class DataError(InputError):
    """A dataset is missing, unreadable or not in the declared format."""


class ServiceError(MlgateError):
    """An external service (GitHub, AWS) failed after retries."""

    exit_code = ExitCode.SERVICE_FAILED


class InternalError(MlgateError):
    """A bug in mlgate."""

    exit_code = ExitCode.INTERNAL


def exit_code_for(exc: BaseException) -> ExitCode:
    """Map any exception to the exit code the CLI should return."""
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(exc, MlgateError):
        return exc.exit_code
    return ExitCode.INTERNAL
