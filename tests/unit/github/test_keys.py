"""The default report key from workflow, job and matrix."""

from __future__ import annotations

import pytest

from mlgate.errors import InputError
from mlgate.github.keys import default_key, parse_matrix

ENV = {"GITHUB_WORKFLOW": "PR checks", "GITHUB_JOB": "bench"}


def test_workflow_and_job() -> None:
    assert default_key(ENV) == "PR checks/bench"


def test_matrix_values_in_key_order() -> None:
    matrix = '{"python": "3.12", "os": "ubuntu", "extra": {"b": 1}}'
    assert default_key(ENV, matrix) == 'PR checks/bench/{"b": 1}/ubuntu/3.12'
    assert default_key(ENV, '{"n": 2}') == "PR checks/bench/2"
    assert default_key(ENV, "null") == "PR checks/bench"
    assert default_key(ENV | {"MLGATE_MATRIX": '{"n": 2}'}) == "PR checks/bench"


def test_outside_actions_the_key_is_mlgate() -> None:
    assert default_key({}) == "mlgate"


@pytest.mark.parametrize(("text", "message"), [("{", "not valid JSON"), ("[1]", "must be a JSON object")])
def test_a_bad_matrix_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_matrix(text)
