from __future__ import annotations

import numpy as np
import pyarrow as pa

from mlgate.data.uniqueness import UniqueTracker, combine_keys, hash_strings, is_short_strings, key_of, unpack_short


def test_distinct_strings_get_distinct_hash_pairs() -> None:
    values = [f"ID-{i:08d}" for i in range(200_000)] + ["", "a", "ab", "ba", "é", "x" * 5000]
    h1, h2 = hash_strings(pa.array(values))
    pairs = set(zip(h1.tolist(), h2.tolist(), strict=True))
    assert len(pairs) == len(values)


def test_hash_ignores_array_slicing_offsets() -> None:
    array = pa.array(["zz", "abc", "", "abc"])
    whole = hash_strings(array)
    sliced = hash_strings(array.slice(1))
    assert whole[0][1:].tolist() == sliced[0].tolist()
    assert sliced[0][0] == sliced[0][2]


def test_duplicates_report_later_occurrences_and_their_first_row() -> None:
    tracker = UniqueTracker()
    tracker.add(key_of(pa.array(["a", "b", "a"])), np.arange(3))
    tracker.add(key_of(pa.array(["c", "b", "a"])), np.arange(3, 6))
    dups, firsts = tracker.duplicates()
    assert dups.tolist() == [2, 4, 5]
    assert firsts.tolist() == [0, 1, 0]


def test_integers_are_exact_and_float_zero_signs_match() -> None:
    tracker = UniqueTracker()
    tracker.add(key_of(pa.array([1, 2, 3, 2])), np.arange(4))
    assert tracker.duplicates()[0].tolist() == [3]
    floats = UniqueTracker()
    floats.add(key_of(pa.array([0.0, -0.0, 1.5])), np.arange(3))
    assert floats.duplicates()[0].tolist() == [1]


def test_composite_keys_differ_when_any_part_differs() -> None:
    left = key_of(pa.array(["a", "a", "b"]))
    right = key_of(pa.array([1, 2, 1]))
    tracker = UniqueTracker()
    tracker.add(combine_keys([left, right]), np.arange(3))
    assert tracker.duplicates()[0].tolist() == []
    again = UniqueTracker()
    again.add(combine_keys([key_of(pa.array(["a", "a"])), key_of(pa.array([1, 1]))]), np.arange(2))
    assert again.duplicates()[0].tolist() == [1]


def test_no_values_no_duplicates() -> None:
    dups, firsts = UniqueTracker().duplicates()
    assert len(dups) == 0
    assert len(firsts) == 0


def test_short_strings_have_exact_keys_of_fixed_and_mixed_width() -> None:
    fixed = [f"ID-{i:08d}" for i in range(50_000)]
    mixed = ["", "a", "a\x00", "ab", "ba", "é", "x" * 15, "y" * 14, "ID-1", "ID-10"]
    for values in (fixed, mixed, [*mixed, *mixed]):
        h1, h2 = hash_strings(pa.array(values))
        keys = list(zip(h1.tolist(), h2.tolist(), strict=True))
        first_key = {k: i for i, k in reversed(list(enumerate(keys)))}
        first_value = {v: i for i, v in reversed(list(enumerate(values)))}
        assert len(first_key) == len(first_value)
        assert [first_key[k] for k in keys] == [first_value[v] for v in values]


def test_partitioned_search_matches_a_plain_sort() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 50_000, size=120_000)
    for budget in (1 << 30, 200_000, 50_000, 8_000):  # 1, 8, 32 and 128 partitions of 120k keys
        tracker = UniqueTracker(sort_budget=budget)
        for start in range(0, len(values), 10_000):
            chunk = values[start : start + 10_000]
            keep = np.flatnonzero(chunk % 7 != 0) if start % 20_000 else np.arange(len(chunk))  # gaps in some
            tracker.add(key_of(pa.array(chunk[keep])), keep + start)
        dups, firsts = tracker.duplicates()
        seen: dict[int, int] = {}
        expected_dups, expected_firsts = [], []
        for ordinal, value in enumerate(values.tolist()):
            if (ordinal // 10_000) % 2 == 1 and value % 7 == 0:
                continue
            if value in seen:
                expected_dups.append(ordinal)
                expected_firsts.append(seen[value])
            else:
                seen[value] = ordinal
        assert dups.tolist() == expected_dups
        assert firsts.tolist() == expected_firsts


def test_equal_strings_get_equal_keys_whatever_else_is_in_their_batch() -> None:
    """A batch holding a long string must not change how its short strings are keyed."""
    short, medium, huge = "ID-1", "m" * 40, "h" * 5000
    alone = [hash_strings(pa.array([value])) for value in (short, medium, huge)]
    mixed = hash_strings(pa.array([short, medium, huge, short]))
    for i, (h1, h2) in enumerate(alone):
        assert (mixed[0][i], mixed[1][i]) == (h1[0], h2[0])
    assert (mixed[0][3], mixed[1][3]) == (mixed[0][0], mixed[1][0])
    tracker = UniqueTracker()
    tracker.add(key_of(pa.array([short, "other"])), np.arange(2))
    tracker.add(key_of(pa.array([medium, short])), np.arange(2, 4))
    assert tracker.duplicates()[0].tolist() == [3]


def test_short_string_keys_read_back_to_their_values() -> None:
    values = ["", "a", "ID-00000042", "naïve", "fifteen-bytes!!", "x" * 15]
    h1, h2 = hash_strings(pa.array(values))
    assert [unpack_short(int(a), int(b)) for a, b in zip(h1, h2, strict=True)] == values


def test_values_of_reads_duplicates_back_only_from_packed_keys() -> None:
    tracker = UniqueTracker()
    first = pa.array(["ab", "cd", "ab"])
    tracker.add(key_of(first), np.arange(3), packed=is_short_strings(first))
    second = pa.array(["cd", "ef"])
    tracker.add(key_of(second), np.array([5, 9]), packed=is_short_strings(second))
    dups, _ = tracker.duplicates()
    assert tracker.values_of(dups) == {2: "ab", 5: "cd"}
    long = pa.array(["y" * 20, "y" * 20])
    tracker.add(key_of(long), np.array([10, 11]), packed=is_short_strings(long))
    assert tracker.values_of(dups) is None


def test_tabulated_keys_do_not_depend_on_how_far_the_table_has_grown() -> None:
    """The table grows on demand for longer strings; an earlier short-table key stays the same."""
    import mlgate.data.uniqueness as uniqueness

    medium = pa.array(["t" * 20, "u" * 30])
    before = hash_strings(medium)
    hash_strings(pa.array(["v" * 3000]))  # grows the table well past 64 positions
    after = hash_strings(medium)
    assert [a.tolist() for a in before] == [a.tolist() for a in after]
    assert len(uniqueness._table(0)) >= 3000
    rows = uniqueness._table(0)
    assert len({int(x) for x in rows[:64].ravel()}) == 64 * 256  # every entry distinct
