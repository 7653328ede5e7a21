"""Label files read and joined to captured rows: every label left out is named and counted, never silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlgate.config import MetricsConfig
from mlgate.errors import InputError
from mlgate.monitor.labels import Joined, LabelFile, check_vocabulary, join_labels, read_labels
from mlgate.monitor.live_metrics import check_labels
from mlgate.monitor.model import LabelIssue


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def codes(issues: tuple[LabelIssue, ...]) -> list[str]:
    return [issue.code for issue in issues]


# -- reading ----------------------------------------------------------------------------------------------------


def test_labels_from_csv_keep_ids_as_text_and_name_the_empty_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", "request_id,row,y\n007,0,1\n007,1,0\n8,0,\n,0,1\n")
    found = read_labels(path, key="request_id", target="y", regression=False)
    assert (found.labels, found.rows) == ({("007", 0): 1, ("007", 1): 0}, 4)
    (issue,) = found.issues
    assert issue.code == "labels-missing"
    assert (
        issue.message
        == f"2 labels of 4 in {path} have no request id or no 'y' value (line 4: empty; line 5: 1): left out"
    )
    with pytest.raises(InputError, match=r"no column 'label' \(columns: request_id, row, y\)"):
        read_labels(path, key="request_id", target="label", regression=False)
    with pytest.raises(InputError, match="labels file not found"):
        read_labels(tmp_path / "missing.csv", key="request_id", target="y", regression=False)
    with pytest.raises(InputError, match="is a folder, not a file"):
        read_labels(tmp_path, key="request_id", target="y", regression=False)


def test_a_text_label_in_a_regression_file_is_named_not_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", 'request_id,price\na,10.5\nb,n/a\nc,"12,5"\nd,nan\ne,high\nf,inf\ng, 7 \n')
    found = read_labels(path, key="request_id", target="price", regression=True)
    assert found.labels == {("a", None): 10.5, ("g", None): 7.0}
    assert codes(found.issues) == ["labels-missing", "labels-unparsable"]
    assert found.issues[0].message == (
        f"2 labels of 7 in {path} have no request id or no 'price' value (line 3: n/a; line 5: nan): left out"
    )
    assert found.issues[1].message == (
        f"3 labels in {path} are not numbers, but the task is regression (line 4: '12,5'; line 6: 'high'; "
        "line 7: 'inf'): left out"
    )


def test_labels_none_of_which_can_be_used_are_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", "request_id,price\na,cheap\nb,dear\n")
    with pytest.raises(InputError, match=r"none of its 2 labels can be used \(2 labels in .* are not numbers"):
        read_labels(path, key="request_id", target="price", regression=True)


def test_duplicate_labels_are_joined_once_and_conflicting_ones_left_out(tmp_path: Path) -> None:
    path = write(
        tmp_path / "labels.jsonl",
        "".join(
            json.dumps(d) + "\n"
            for d in [
                {"request_id": "a", "y": "yes"},
                {"request_id": "a", "y": "yes"},
                {"request_id": "b", "y": "yes"},
                {"request_id": "b", "y": "no"},
                {"request_id": "c", "y": "no"},
            ]
        ),
    )
    found = read_labels(path, key="request_id", target="y", regression=False)
    assert found.labels == {("a", None): "yes", ("c", None): "no"}
    assert [(i.code, i.message) for i in found.issues] == [
        (
            "labels-duplicate",
            f"1 label(s) in {path} repeat a request id (and row) with the same value: each is joined once",
        ),
        ("labels-duplicate", f"1 request id(s) in {path} have two different labels ('b'): left out"),
    ]


def test_a_row_that_is_no_row_number_says_where(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", "request_id,row,y\na,0,1\na,first,0\n")
    with pytest.raises(InputError, match=r"labels.csv: line 3: row 'first' is not a row number"):
        read_labels(path, key="request_id", target="y", regression=False)


def test_parquet_labels_name_rows_not_lines(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "labels.parquet"
    pq.write_table(pa.table({"request_id": ["a", "b"], "y": pa.array([1.5, None])}), path)
    found = read_labels(path, key="request_id", target="y", regression=True)
    assert found.labels == {("a", None): 1.5}
    assert "(row 2: empty)" in found.issues[0].message


# -- joining ----------------------------------------------------------------------------------------------------


def test_join_needs_rows_when_a_request_has_several() -> None:
    labels = {("a", None): 1, ("b", 1): 0}
    joined = join_labels(labels, ["a", "b", "b", "c"], [0, 0, 1, 0], [1, 1, 1, 1])
    assert (joined.y_true, joined.y_pred, joined.issues) == ([1, 0], [1, 1], ())
    with pytest.raises(InputError, match="request 'a' has 2 captured rows but its label has no row"):
        join_labels(labels, ["a", "a"], [0, 1], [1, 1])


def test_a_retried_request_is_joined_once_to_its_last_answer() -> None:
    """A client retry with the same X-Request-Id is captured twice; its one label is joined once (222 labels
    gave "223 matched" before)."""
    labels: dict[tuple[str, int | None], str] = {("r1", None): "yes", ("r2", None): "no"}
    joined = join_labels(labels, ["r1", "r2", "r1"], [0, 0, 0], ["no", "no", "yes"])
    assert (joined.y_true, joined.y_pred) == (["yes", "no"], ["yes", "no"])
    assert [(i.code, i.message) for i in joined.issues] == [
        (
            "labels-retried",
            "1 labelled request(s) were captured up to 2 times (client retries with the same "
            "X-Request-Id, e.g. 'r1'): each label is joined once, to the last answer",
        ),
    ]


def test_labels_matching_no_captured_row_are_named() -> None:
    joined = join_labels({("x", None): 1, ("a", 0): 0, ("y", 2): 1}, ["a"], [0], [0])
    assert (joined.y_true, codes(joined.issues)) == ([0], ["labels-unmatched"])
    assert joined.issues[0].message == (
        "2 of 3 labels match no captured row in the window (e.g. 'x', 'y' row 2): left out; "
        "check monitor.labels_key and the window (--since, --until)"
    )
    none = join_labels({("x", None): 1}, ["a"], [0], [0])
    assert none.issues[0].message.startswith("none of the 1 labels matches a captured row in the window (e.g. 'x')")


def test_a_row_labelled_twice_and_a_null_prediction_are_named() -> None:
    joined = join_labels({("a", None): 1, ("a", 0): 1, ("b", 0): 0}, ["a", "b"], [0, 0], [1, None])
    assert (joined.y_true, codes(joined.issues)) == ([1], ["labels-no-prediction", "labels-duplicate"])


# -- label values against the model's classes ------------------------------------------------------------------


def test_labels_in_another_encoding_are_an_input_error_not_a_live_accuracy_of_zero() -> None:
    with pytest.raises(
        InputError,
        match=r"no label value is one the model predicts: the labels hold 0, 1, "
        r"the predictions no, yes",
    ):
        check_vocabulary(Joined([1, 0, 1], ["yes", "no", "no"]), ["yes", "no"])


def test_the_registered_classes_count_so_one_sided_windows_are_still_judged() -> None:
    """Every prediction in the window was "no" and every label "yes": a real (bad) result, not an encoding error."""
    joined = check_vocabulary(Joined(["yes", "yes"], ["no", "no"]), ["yes", "no", "no", "no"])
    assert (joined.y_true, joined.issues) == (["yes", "yes"], ())


def test_missing_markers_are_left_out_and_unknown_values_named() -> None:
    joined = check_vocabulary(Joined(["yes", "n/a", "maybe", "no"], ["yes", "no", "no", "no"]), ["yes", "no"])
    assert (joined.y_true, joined.y_pred) == (["yes", "maybe", "no"], ["yes", "no", "no"])
    assert [(i.code, i.message) for i in joined.issues] == [
        ("labels-missing", "1 matched label(s) are a missing value (n/a), not one of the model's classes: left out"),
        (
            "labels-unknown-values",
            "1 matched label(s) have values the model never predicts (maybe; it predicts no, yes): scored as wrong",
        ),
    ]
    as_class = check_vocabulary(Joined(["NA", "EU"], ["NA", "NA"]), ["NA", "EU"])  # NA is a class here: kept
    assert (as_class.y_true, as_class.issues) == (["NA", "EU"], ())


def test_booleans_and_whole_floats_compare_as_their_text() -> None:
    assert check_vocabulary(Joined([True, False], ["true", "false"]), []).issues == ()
    assert check_vocabulary(Joined([1.0, 0.0], [1, 0]), []).issues == ()


def test_check_labels_carries_every_issue_and_scores_only_what_joined() -> None:
    read_issue = LabelIssue("labels-missing", "1 label of 4 in l.csv has no request id or no 'y' value: left out")
    labels = LabelFile("l.csv", {("a", None): "yes", ("b", None): "no", ("zz", None): "no"}, 4, (read_issue,))
    check = check_labels(
        labels,
        ["a", "b", "a"],
        [0, 0, 0],
        ["yes", "no", "yes"],
        {"accuracy": 0.5},
        regression=False,
        metrics=MetricsConfig(),
        classes=["yes", "no"],
    )
    assert (check.labels, check.matched, check.metrics[0].live) == (3, 2, 1.0)
    assert codes(check.issues) == ["labels-missing", "labels-unmatched", "labels-retried"]
    assert check.issues[0] is read_issue


def test_check_labels_refuses_another_encoding_before_scoring() -> None:
    labels = LabelFile("l.csv", {("a", None): 1, ("b", None): 0}, 2)
    with pytest.raises(InputError, match="no label value is one the model predicts"):
        check_labels(
            labels,
            ["a", "b"],
            [0, 0],
            ["yes", "no"],
            {"accuracy": 0.9},
            regression=False,
            metrics=MetricsConfig(),
            classes=["yes", "no"],
        )
