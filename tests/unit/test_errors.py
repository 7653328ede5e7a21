"""Unit tests for mlgate.errors: the exception tree, how an error reads, and the exit code of any exception."""

from __future__ import annotations

import pytest

from mlgate.errors import (
    ConfigError,
    DataError,
    ExitCode,
    InputError,
    InternalError,
    MlgateError,
    SchemaError,
    ServiceError,
    exit_code_for,
)


def test_an_error_reads_as_its_message_then_its_hint() -> None:
    error = ConfigError("mlgate.yaml: models: must be a mapping", hint="see docs/config.md")
    assert str(error) == "mlgate.yaml: models: must be a mapping\n  hint: see docs/config.md"
    assert (error.message, error.hint) == ("mlgate.yaml: models: must be a mapping", "see docs/config.md")
    assert str(DataError("data/train.csv: not found")) == "data/train.csv: not found"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError("x"), ExitCode.BAD_INPUT),
        (ConfigError("x"), ExitCode.BAD_INPUT),
        (SchemaError("x"), ExitCode.BAD_INPUT),
        (DataError("x"), ExitCode.BAD_INPUT),
        (ServiceError("x"), ExitCode.SERVICE_FAILED),
        (InternalError("x"), ExitCode.INTERNAL),
        (MlgateError("x"), ExitCode.INTERNAL),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (ValueError("a bug"), ExitCode.INTERNAL),
    ],
)
def test_exit_code_for_maps_every_exception(error: BaseException, code: ExitCode) -> None:
    assert exit_code_for(error) == code


def test_the_input_errors_share_one_root_a_caller_can_catch() -> None:
    with pytest.raises(InputError, match="bad schema"):
        raise SchemaError("bad schema")
    assert all(issubclass(kind, MlgateError) for kind in (InputError, ServiceError, InternalError))


def test_the_exit_codes_are_the_documented_numbers() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 5, 6, 130]
