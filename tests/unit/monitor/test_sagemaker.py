"""SageMaker data-capture lines as capture records."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mlgate.monitor.records import RecordError
from mlgate.monitor.sagemaker import convert_sagemaker, is_sagemaker

FEATURES = ("a", "b")


def line(
    body: str,
    content_type: str = "application/json",
    *,
    encoding: str = "JSON",
    output: Any = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    answer = {"predictions": [1, 0], "version": "7"} if output is None else output
    return {
        "captureData": {
            "endpointInput": {"observedContentType": content_type, "mode": "INPUT", "data": body, "encoding": encoding},
            "endpointOutput": {
                "observedContentType": "application/json",
                "mode": "OUTPUT",
                "data": json.dumps(answer),
                "encoding": "JSON",
            },
        },
        "eventMetadata": meta or {"eventId": "e-1", "inferenceId": "inf-1", "inferenceTime": "2026-11-22T10:00:00Z"},
    }


def test_json_objects_lists_and_base64() -> None:
    objects = line(json.dumps({"instances": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}))
    assert is_sagemaker(objects)
    first, second = convert_sagemaker(objects, FEATURES)
    assert (first.request_id, first.row, first.version, dict(first.inputs), first.prediction) == (
        "inf-1",
        0,
        "7",
        {"a": 1, "b": "x"},
        1,
    )
    assert (second.row, dict(second.inputs), second.prediction) == (1, {"a": 2, "b": "y"}, 0)
    lists = json.dumps({"instances": [[1, "x"], [2, "y"]]})
    encoded = line(
        base64.b64encode(lists.encode()).decode(),
        encoding="BASE64",
        meta={"eventId": "e-2", "inferenceTime": "2026-11-22T10:00:00Z"},
    )
    assert [(r.request_id, dict(r.inputs)) for r in convert_sagemaker(encoded, FEATURES)] == [
        ("e-2", {"a": 1, "b": "x"}),
        ("e-2", {"a": 2, "b": "y"}),
    ]


def test_a_smoke_tests_inference_id_marks_every_row_of_its_invocation() -> None:
    from mlgate.serve.marks import new_smoke_id

    body = json.dumps({"instances": [[1, "x"], [2, "y"]]})
    marked = line(body, meta={"inferenceId": new_smoke_id(), "inferenceTime": "2026-11-22T10:00:00Z"})
    assert [r.smoke for r in convert_sagemaker(marked, FEATURES)] == [True, True]
    assert [r.smoke for r in convert_sagemaker(line(body), FEATURES)] == [False, False]


def test_csv_requests_with_or_without_a_header() -> None:
    records = convert_sagemaker(line("a,b\n1,x\n2,y\n", "text/csv"), FEATURES)
    assert [dict(r.inputs) for r in records] == [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"captureData": {}}, "without captureData/eventMetadata"),
        (line("{}"), 'not a JSON object with an "instances" list'),
        (line("a=1", "text/plain"), "is neither application/json nor text/csv"),
        (line(json.dumps({"instances": [[1]]})), "has 1 values; the live version has 2 features"),
        (line(json.dumps({"instances": [[1, "x"]]})), "one prediction per input row"),
        (line("!!", encoding="BASE64"), "BASE64 data that is not UTF-8"),
        (line(json.dumps({"instances": [[1, "x"]]}), meta={"eventId": "e"}), "without eventId or inferenceTime"),
    ],
)
def test_unusable_lines_say_why(document: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        convert_sagemaker(document, FEATURES)
