"""Ground-truth labels for ``mlgate monitor --labels``: read the file, join it to the captured rows, say what did
not fit. No label is dropped silently: each problem is a named issue (a warning; the labels concerned are left
out and counted) or an InputError when nothing sensible can be scored.

The file is CSV (with a header), Parquet or JSON Lines with the key column (``monitor.labels_key``, default
``request_id``: the ``X-Request-Id`` every response carries), optionally ``row`` (the 0-based index of the row in
its request, needed when a request had several rows) and the target column, holding the true value encoded as
the model predicts it. Issues, by code:

- ``labels-missing``: a label without a key or a value (empty; also ``n/a``, ``NA``, ``null``, ``NaN``, ``none``
  unless the model predicts such a class);
- ``labels-unparsable``: a regression label that is not a finite number (``12,5``, ``high``);
- ``labels-duplicate``: a key twice with the same value (joined once), or with different values (both left out);
- ``labels-unmatched``: labels that match no captured row in the window;
- ``labels-retried``: a labelled request captured more than once (a client retry with the same ``X-Request-Id``):
  its label is joined once, to the last answer;
- ``labels-no-prediction``: a matched row whose captured prediction is null;
- ``labels-unknown-values``: classification labels that are none of the model's classes (scored as wrong).

Labels none of whose values is one of the model's classes (``1``/``0`` against ``yes``/``no``) are an
InputError: scoring them would report a live accuracy of 0, a false emergency.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import DataError, InputError
from mlgate.monitor.model import LabelIssue

ROW = "row"
EXAMPLES = 3
MISSING = frozenset({"n/a", "na", "null", "nan", "none", "#n/a"})  # text a label file holds for "no label"
Key = tuple[str, int | None]


@dataclass(frozen=True)
class LabelFile:
    """The usable labels of a file, by (request id, row or None), and what was left out."""

    source: str
    labels: dict[Key, Any]
    rows: int  # data rows in the file
    issues: tuple[LabelIssue, ...] = ()


@dataclass(frozen=True)
class Joined:
    """The labelled captured rows, as (y_true, y_pred), and what did not join."""

    y_true: list[Any] = field(default_factory=list)
    y_pred: list[Any] = field(default_factory=list)
    issues: tuple[LabelIssue, ...] = ()


def read_labels(path: Path, *, key: str, target: str, regression: bool) -> LabelFile:
    """The labels of a CSV, Parquet or JSONL file; regression labels as floats."""
    table = _read_table(path, key)
    for needed in (key, target):
        if needed not in table.column_names:
            raise InputError(
                f"{path}: no column {needed!r} (columns: {', '.join(table.column_names)})",
                hint=f"the labels need {key!r} (monitor.labels_key) and the target {target!r}",
            )
    ids = table.column(key).to_pylist()
    rows = table.column(ROW).to_pylist() if ROW in table.column_names else [None] * len(ids)
    values = _values(table.column(target))
    place = _placer(path)
    found: dict[Key, Any] = {}
    where: dict[Key, int] = {}
    missing: list[str] = []
    unparsable: list[str] = []
    repeated, conflicts = 0, set()
    for index, (rid, row, raw) in enumerate(zip(ids, rows, values, strict=True)):
        text = "" if raw is None else as_text(raw).strip()
        if rid is None or str(rid).strip() == "" or not text or (regression and text.lower() in MISSING):
            missing.append(f"{place(index)}: {text or 'empty'}")
            continue
        label = raw
        if regression:
            label = _number(raw)
            if label is None:
                unparsable.append(f"{place(index)}: {raw!r}")
                continue
        name = (str(rid), _row(row, path, place(index)))
        if name in found:
            if same_label(found[name], label):
                repeated += 1
            else:
                conflicts.add(name)
            continue
        found[name], where[name] = label, index
    for name in conflicts:
        del found[name]
    issues = _file_issues(
        path, target, len(ids), missing, unparsable, repeated, sorted(conflicts, key=lambda k: where[k])
    )
    if ids and not found and (missing or unparsable):
        raise InputError(
            f"{path}: none of its {len(ids):,} labels can be used ({issues[0].message})",
            hint=f"the target column {target!r} must hold the true values, encoded as the model predicts them"
            + (" (numbers: the task is regression)" if regression else ""),
        )
    return LabelFile(str(path), found, len(ids), issues)


def _file_issues(
    path: Path,
    target: str,
    total: int,
    missing: list[str],
    unparsable: list[str],
    repeated: int,
    conflicts: list[Key],
) -> tuple[LabelIssue, ...]:
    issues = []
    if missing:
        verb = "has" if len(missing) == 1 else "have"
        issues.append(
            LabelIssue(
                "labels-missing",
                f"{_count(missing, 'label')} of {total:,} in {path} {verb} no "
                f"request id or no {target!r} value ({_examples(missing)}): left out",
            )
        )
    if unparsable:
        verb = "is not a number" if len(unparsable) == 1 else "are not numbers"
        issues.append(
            LabelIssue(
                "labels-unparsable",
                f"{_count(unparsable, 'label')} in {path} {verb}, "
                f"but the task is regression ({_examples(unparsable)}): left out",
            )
        )
    if repeated:
        issues.append(
            LabelIssue(
                "labels-duplicate",
                f"{repeated:,} label(s) in {path} repeat a request id (and row) "
                "with the same value: each is joined once",
            )
        )
    if conflicts:
        shown = ", ".join(_name(k) for k in conflicts[:EXAMPLES])
        issues.append(
            LabelIssue(
                "labels-duplicate",
                f"{len(conflicts):,} request id(s) in {path} have two different labels ({shown}): left out",
            )
        )
    return tuple(issues)


def join_labels(
    labels: Mapping[Key, Any],
    request_ids: Sequence[str],
    rows: Sequence[int],
    predictions: Sequence[Any],
) -> Joined:
    """Each label joined to its captured row: the last one captured under its request id and row (a client retry
    with the same request id is captured twice, but labelled once)."""
    last: dict[tuple[str, int], int] = {}
    seen: dict[tuple[str, int], int] = {}
    per_request: dict[str, set[int]] = {}
    for position, captured in enumerate(zip(request_ids, rows, strict=True)):
        last[captured] = position
        seen[captured] = seen.get(captured, 0) + 1
        per_request.setdefault(captured[0], set()).add(captured[1])
    y_true, y_pred = [], []
    unmatched: list[str] = []
    retried: list[tuple[str, int]] = []
    used: set[int] = set()
    no_prediction = twice = 0
    for (rid, row), label in labels.items():
        if row is None:
            count = len(per_request.get(rid, ()))
            if count > 1:
                raise InputError(
                    f"labels: request {rid!r} has {count} captured rows but its label has no row",
                    hint="add a 'row' column (0-based, the row's index in its request)",
                )
            row = next(iter(per_request[rid])) if count else None
        at = last.get((rid, row)) if row is not None else None
        if at is None or row is None:
            unmatched.append(_name((rid, row)))
            continue
        if at in used:  # labelled with and without its row number
            twice += 1
            continue
        used.add(at)
        if seen[(rid, row)] > 1:
            retried.append((rid, row))
        if predictions[at] is None:
            no_prediction += 1
            continue
        y_true.append(label)
        y_pred.append(predictions[at])
    issues = _join_issues(len(labels), unmatched, retried, seen, no_prediction)
    if twice:
        issues += (
            LabelIssue(
                "labels-duplicate",
                f"{twice:,} label(s) name a row that another label names too (once "
                "with 'row', once without): each row is joined once",
            ),
        )
    return Joined(y_true, y_pred, issues)


def _join_issues(
    total: int,
    unmatched: list[str],
    retried: list[tuple[str, int]],
    seen: Mapping[tuple[str, int], int],
    no_prediction: int,
) -> tuple[LabelIssue, ...]:
    issues = []
    if unmatched:
        how = (
            f"none of the {total:,} labels matches a captured row"
            if len(unmatched) == total
            else f"{len(unmatched):,} of {total:,} labels match no captured row"
        )
        issues.append(
            LabelIssue(
                "labels-unmatched",
                f"{how} in the window "
                f"(e.g. {', '.join(unmatched[:EXAMPLES])}): left out; check monitor.labels_key "
                "and the window (--since, --until)",
            )
        )
    if retried:
        times = max(seen[k] for k in retried)
        issues.append(
            LabelIssue(
                "labels-retried",
                f"{len(retried):,} labelled request(s) were captured up to "
                f"{times} times (client retries with the same X-Request-Id, e.g. "
                f"{retried[0][0]!r}): each label is joined once, to the last answer",
            )
        )
    if no_prediction:
        issues.append(
            LabelIssue(
                "labels-no-prediction",
                f"{no_prediction:,} labelled row(s) have no captured prediction (null): left out",
            )
        )
    return tuple(issues)


def check_vocabulary(joined: Joined, classes: Iterable[Any]) -> Joined:
    """Classification labels against the model's classes (the values it predicts): a missing-value marker
    (``n/a``, ``NA``, …) that is no class is left out as missing; no label in common with the classes is an
    InputError (never a live accuracy of 0); other labels outside them are an issue (they are scored as wrong)."""
    known = {as_text(c) for c in classes if c is not None}
    if not known or not joined.y_true:
        return joined
    keep = [as_text(v) in known or as_text(v).strip().lower() not in MISSING for v in joined.y_true]
    issues = list(joined.issues)
    if not all(keep):
        markers = sorted({as_text(v) for v, k in zip(joined.y_true, keep, strict=True) if not k})
        issues.append(
            LabelIssue(
                "labels-missing",
                f"{keep.count(False):,} matched label(s) are a missing value "
                f"({', '.join(markers)}), not one of the model's classes: left out",
            )
        )
        joined = Joined(
            [v for v, k in zip(joined.y_true, keep, strict=True) if k],
            [v for v, k in zip(joined.y_pred, keep, strict=True) if k],
        )
    given = {as_text(v) for v in joined.y_true}
    if not given:
        return Joined(issues=tuple(issues))
    if not given & known:
        raise InputError(
            f"labels: no label value is one the model predicts: the labels hold {_values_text(given)}, "
            f"the predictions {_values_text(known)}",
            hint="encode the labels as the target is encoded in the training data (e.g. yes/no, "
            "not 1/0); scoring them as they are would report every prediction as wrong",
        )
    unknown = given - known
    if unknown:
        count = sum(1 for v in joined.y_true if as_text(v) in unknown)
        issues.append(
            LabelIssue(
                "labels-unknown-values",
                f"{count:,} matched label(s) have values the model never "
                f"predicts ({_values_text(unknown)}; it predicts {_values_text(known)}): scored as "
                "wrong",
            )
        )
    return Joined(joined.y_true, joined.y_pred, tuple(issues))


def as_text(value: Any) -> str:
    """A label or prediction as text, so that values of different types compare: 1.0 is "1", True is "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def same_label(a: Any, b: Any) -> bool:
    return a == b or as_text(a) == as_text(b)


def _number(value: Any) -> float | None:
    """A finite float, or None (text that is no number, NaN, infinities, booleans)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _row(value: Any, path: Path, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not number.is_integer() or number < 0:
        raise InputError(
            f"{path}: {where}: row {value!r} is not a row number",
            hint="'row' is the 0-based index of the row in its request; leave it empty for one-row requests",
        )
    return int(number)


def _values(column: Any) -> list[Any]:
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.cast(pa.string())
    return list(column.to_pylist())


def _placer(path: Path) -> Any:
    """How to name the n-th data row of the file: its line (CSV after the header, JSONL) or its row (Parquet)."""
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return lambda index: f"row {index + 1}"
    offset = 1 if name.endswith((".jsonl", ".json", ".ndjson")) else 2
    return lambda index: f"line {index + offset}"


def _read_table(path: Path, key: str) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    name = path.name.lower()
    if path.is_dir():
        raise InputError(
            f"labels file {path} is a folder, not a file", hint="pass --labels FILE (CSV, Parquet or JSONL)"
        )
    if not path.is_file():
        raise InputError(f"labels file not found: {path}", hint="pass --labels FILE (CSV, Parquet or JSONL)")
    try:
        if name.endswith((".parquet", ".pq")):
            return pq.read_table(path)
        if name.endswith((".jsonl", ".json", ".ndjson")):
            return pjson.read_json(path)
        options = pcsv.ConvertOptions(column_types={key: pa.string()}, null_values=[""], strings_can_be_null=True)
        return pcsv.read_csv(path, convert_options=options)  # "n/a" stays text: reported, not silently null
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            f"{path}: not a readable labels file: {str(exc).splitlines()[0]}",
            hint="use CSV with a header, Parquet, or JSON Lines",
        ) from exc


def _name(key: tuple[str, int | None]) -> str:
    return repr(key[0]) if key[1] is None else f"{key[0]!r} row {key[1]}"


def _count(items: Sequence[Any], noun: str) -> str:
    return f"{len(items):,} {noun}{'s' * (len(items) != 1)}"


def _examples(items: Sequence[str]) -> str:
    return "; ".join(items[:EXAMPLES]) + ("; …" if len(items) > EXAMPLES else "")


def _values_text(values: set[str]) -> str:
    shown = sorted(values)[:5]
    return ", ".join(shown) + (f" and {len(values) - 5} more" if len(values) > 5 else "")
