"""RequestError: a client mistake with the 4xx status to answer it with, and mlgate's exit code for input."""

from __future__ import annotations

import pytest

from mlgate.errors import ExitCode, InputError
from mlgate.serve.request_error import RequestError


def test_a_request_error_carries_its_status_message_and_hint() -> None:
    error = RequestError(422, "feature 'age' = 'old': not a number", hint="send numbers for age")
    assert (error.status, error.message, error.hint) == (
        422,
        "feature 'age' = 'old': not a number",
        "send numbers for age",
    )
    assert isinstance(error, InputError)
    assert error.exit_code == ExitCode.BAD_INPUT


def test_it_is_raised_and_caught_as_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^body is not JSON$"):
        raise RequestError(400, "body is not JSON")
