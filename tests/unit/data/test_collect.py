"""Collector (violations gathered batch by batch as ordinals) and finish_entry (ordinals resolved into rows)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from mlgate.data.collect import Collector, Entry, finish_entry
from mlgate.data.numbering import RowNumbering
from mlgate.data.results import Violation


def ordinals(*values: int) -> np.ndarray:
    return np.asarray(values, np.int64)


def one_line_per_record() -> RowNumbering:
    """Record ordinal o is row o + 2 and line o + 2 (a header on line 1, no ragged rows)."""
    return RowNumbering(3, lambda o: o + 2, lambda o: o + 2, [])


def test_an_entry_is_made_once_per_field_and_check() -> None:
    collector = Collector(max_examples=3)
    first = collector.entry("age", "minimum", "error", "below 0")
    again = collector.entry("age", "minimum", "warning", "another message")
    other = collector.entry("age", "maximum", "error", "above 120")
    assert again is first
    assert (first.severity, first.message) == ("error", "below 0")  # the first call's text is kept
    assert list(collector.entries) == [("age", "minimum"), ("age", "maximum")]
    assert other is not first


def test_masks_are_offset_by_their_batch_start() -> None:
    collector = Collector(max_examples=5)
    entry = collector.entry("n", "minimum", "error", "below 0")
    collector.add_mask(entry, pa.array([False, True, True]), None, base=0)
    collector.add_mask(entry, pa.array([True, False]), None, base=3)
    assert [part.tolist() for part in entry.ordinals] == [[1, 2], [3]]
    assert entry.examples == []  # no raw values given


def test_a_mask_without_a_hit_adds_nothing() -> None:
    collector = Collector(max_examples=5)
    entry = collector.entry("n", "minimum", "error", "below 0")
    collector.add_mask(entry, pa.array([False, False]), pa.array(["1", "2"]), base=10)
    assert entry.ordinals == []
    assert entry.examples == []


def test_examples_are_distinct_failing_values_up_to_the_limit() -> None:
    collector = Collector(max_examples=2)
    entry = collector.entry("n", "minimum", "error", "below 0")
    collector.add_mask(entry, pa.array([True, True, False, True, True]), pa.array(["-1", "-1", "5", "-2", "-3"]), 0)
    assert entry.examples == ["-1", "-2"]
    collector.add_mask(entry, pa.array([True]), pa.array(["-9"]), 5)
    assert entry.examples == ["-1", "-2"]  # full: the next batch's ordinals count, its values do not
    assert np.concatenate(entry.ordinals).tolist() == [0, 1, 3, 4, 5]


def test_add_examples_skips_repeats_and_stops_at_the_limit() -> None:
    collector = Collector(max_examples=3)
    entry = Entry("n", "enum", "error", "not allowed")
    collector.add_examples(entry, ["x", None, "x", None, "y", "z"])
    assert entry.examples == ["x", None, "y"]


def test_finish_entry_maps_ordinals_to_rows_and_lines_in_order() -> None:
    entry = Entry("n", "minimum", "warning", "below 0", examples=["-1"])
    entry.ordinals = [ordinals(4, 7), ordinals(0)]
    violation = finish_entry(entry, one_line_per_record(), with_lines=True)
    assert violation == Violation(
        field="n",
        check="minimum",
        severity="warning",
        count=3,
        rows=(2, 6, 9),
        message="below 0",
        lines=(2, 6, 9),
        examples=("-1",),
        first_rows=None,
    )


def test_finish_entry_merges_already_resolved_rows_and_their_lines() -> None:
    # a blank row 5 sits on line 7 (say, after a two-line quoted record): its line comes from blank_rows
    numbering = RowNumbering(2, lambda o: o + 2, lambda o: o + 3, [], blank_rows=((5, 7),))
    entry = Entry(None, "blank-row", "error", "blank row", ordinals=[ordinals(1)], rows=[5, 1])
    violation = finish_entry(entry, numbering, with_lines=True)
    assert violation.rows == (1, 3, 5)
    assert violation.lines == (1, 4, 7)  # header row 1 on line 1, ordinal 1 on line 4, the blank row on line 7
    assert violation.count == 3


def test_finish_entry_without_lines_or_with_unknown_lines_gives_none() -> None:
    entry = Entry("n", "minimum", "error", "below 0", ordinals=[ordinals(0)])
    assert finish_entry(entry, one_line_per_record(), with_lines=False).lines is None
    parquet = RowNumbering(1, lambda o: o + 2, None, [])
    assert finish_entry(entry, parquet, with_lines=True).lines is None


def test_an_entry_without_ordinals_is_an_empty_violation() -> None:
    violation = finish_entry(Entry("n", "minimum", "error", "below 0"), one_line_per_record(), with_lines=True)
    assert (violation.count, violation.rows, violation.lines) == (0, (), ())


def test_dataset_level_checks_count_as_one_finding() -> None:
    for check in ("row-count", "null-fraction"):
        entry = Entry("n", check, "error", "too many", ordinals=[ordinals(0, 1, 2)])
        violation = finish_entry(entry, one_line_per_record(), with_lines=False)
        assert (violation.count, violation.rows) == (1, (2, 3, 4))


def test_first_rows_are_the_rows_each_duplicate_repeats_in_row_order() -> None:
    # duplicates at ordinals 5 and 3 repeat the keys first seen at ordinals 1 and 0
    entry = Entry("id", "unique", "error", "repeated", ordinals=[ordinals(5, 3)], first_ordinals=ordinals(1, 0))
    violation = finish_entry(entry, one_line_per_record(), with_lines=False)
    assert violation.rows == (5, 7)
    assert violation.first_rows == (2, 3)  # row 5 repeats row 2, row 7 repeats row 3
