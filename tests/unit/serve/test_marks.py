"""The smoke-test marks shared by the deploy targets, the server and the monitor's reader."""

from __future__ import annotations

import pytest

from mlgate.serve.marks import SMOKE_ID_PREFIX, is_smoke_header, is_smoke_id, new_smoke_id


@pytest.mark.parametrize(
    ("value", "marked"),
    [
        ("1", True),
        (" true ", True),
        ("Yes", True),
        (b"1", True),
        ("0", False),
        ("", False),
        ("no", False),
        (None, False),
    ],
)
def test_the_header_marks_a_request_only_with_a_true_value(value: str | bytes | None, marked: bool) -> None:
    assert is_smoke_header(value) is marked


def test_smoke_ids_are_unique_fit_sagemakers_inference_id_and_are_recognised() -> None:
    ids = {new_smoke_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(is_smoke_id(i) and i.startswith(SMOKE_ID_PREFIX) and len(i) <= 64 for i in ids)  # InferenceId: 1-64
    assert not is_smoke_id("order-77")
    assert not is_smoke_id("smoke-mlgate-1")
