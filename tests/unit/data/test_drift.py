"""Drift against reference statistics: PSI and KS compared with independent numpy/scipy computations."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from scipy import special
from scipy import stats as scipy_stats

from mlgate.config import CsvConfig
from mlgate.data.drift import DriftCollector, drift_violations, reference_for
from mlgate.data.drift_math import KS_TOLERANCE, PSI_EPSILON, ks_pvalue
from mlgate.data.drift_report import DriftReport, to_data
from mlgate.data.schema import Schema, load_schema, parse_schema
from mlgate.data.stats import NumericStats, ReferenceStats, StatsCollector, save_stats
from mlgate.data.validate import validate_file
from mlgate.errors import SchemaError
from mlgate.report.drift import render_drift_markdown, render_drift_text, sparkline

N = 50_000
BATCH = 65_536


def make_schema(fields: list[dict[str, Any]], **drift: Any) -> Schema:
    return parse_schema({"fields": fields, "x-mlgate": {"drift": {"reference": "ref.json", **drift}}})


def reference(schema: Schema, columns: dict[str, Any]) -> ReferenceStats:
    collector = StatsCollector(schema)
    rows = 0
    for name, values in columns.items():
        rows = len(values)
        for start in range(0, len(values), BATCH):
            collector.observe(name, pa.array(values[start : start + BATCH]))
    collector.set_rows(rows)
    return collector.finish(source="ref.csv", created="2024-01-01T00:00:00+00:00")


def drift(ref: ReferenceStats, schema: Schema, columns: dict[str, Any]) -> DriftReport:
    collector = DriftCollector(ref, schema)
    for name, values in columns.items():
        for start in range(0, len(values), BATCH):
            collector.observe(name, pa.array(values[start : start + BATCH]))
    return collector.finish()


def independent_psi(reference_counts: Any, current_counts: Any) -> float:
    q = np.maximum(np.asarray(reference_counts) / np.sum(reference_counts), PSI_EPSILON)
    p = np.maximum(np.asarray(current_counts) / np.sum(current_counts), PSI_EPSILON)
    return float(np.sum(special.rel_entr(p, q) + special.rel_entr(q, p)))


NUMERIC = [{"name": "x", "type": "number"}]


@pytest.mark.parametrize("shift", [0.0, 0.05, 0.2, 0.5])
def test_numeric_psi_and_ks_match_numpy_and_scipy(shift: float) -> None:
    rng = np.random.default_rng(42)
    ref_values, cur_values = rng.normal(size=N), rng.normal(loc=shift, size=N)
    schema = make_schema(NUMERIC)
    ref = reference(schema, {"x": ref_values})
    result = drift(ref, schema, {"x": cur_values}).fields[0]
    stats = ref.fields["x"]
    assert isinstance(stats, NumericStats)
    current_counts, _ = np.histogram(cur_values, bins=[-np.inf, *stats.edges, np.inf])
    assert abs(result.psi - independent_psi(stats.bins, current_counts)) <= 1e-12
    exact = scipy_stats.ks_2samp(ref_values, cur_values)
    assert result.ks is not None
    assert abs(result.ks - exact.statistic) <= KS_TOLERANCE
    assert abs(result.ks - exact.statistic) <= 0.005  # the typical gap, far inside the bound
    assert result.drifted == (result.psi > 0.2 or result.ks > 0.1)
    assert (result.kind, result.count, result.reference_count) == ("numeric", N, N)


def test_ks_against_an_exact_small_reference_and_pvalue_series() -> None:
    rng = np.random.default_rng(3)
    ref_values, cur_values = rng.exponential(size=1500), rng.exponential(scale=1.3, size=4000)
    schema = make_schema(NUMERIC)
    ref = reference(schema, {"x": ref_values})
    stats = ref.fields["x"]
    assert isinstance(stats, NumericStats)
    assert stats.exact
    result = drift(ref, schema, {"x": cur_values}).fields[0]
    exact = scipy_stats.ks_2samp(ref_values, cur_values).statistic
    assert result.ks is not None
    assert exact - 0.0101 <= result.ks <= exact + 1e-12  # exact reference: the grid gap is the only error
    en = np.sqrt(1500 * 4000 / 5500)
    assert result.ks_pvalue == pytest.approx(special.kolmogorov((en + 0.12 + 0.11 / en) * result.ks), rel=1e-9)
    assert ks_pvalue(0.001, 100, 100) == 1.0


def test_categorical_psi_new_and_missing_categories() -> None:
    rng = np.random.default_rng(9)
    ref_values = rng.choice(["red", "green", "blue", "black"], size=N, p=[0.4, 0.3, 0.2, 0.1])
    cur_values = rng.choice(["red", "green", "blue", "pink", "teal"], size=N, p=[0.3, 0.3, 0.3, 0.07, 0.03])
    schema = make_schema([{"name": "colour"}])
    ref = reference(schema, {"colour": ref_values})
    result = drift(ref, schema, {"colour": cur_values}).fields[0]
    ref_counts, cur_counts = Counter(ref_values.tolist()), Counter(cur_values.tolist())
    names = ["red", "green", "blue", "black"]
    expected = independent_psi(
        [ref_counts[n] for n in names] + [0],
        [cur_counts[n] for n in names] + [cur_counts["pink"] + cur_counts["teal"]],
    )
    assert abs(result.psi - expected) <= 1e-12
    assert result.new_categories == ("pink", "teal")
    assert result.missing_categories == ("black",)
    assert result.new_share == pytest.approx(0.1, abs=0.01)
    assert (result.kind, result.ks, result.threshold_ks, result.drifted) == ("categorical", None, None, True)


def test_truncated_reference_does_not_claim_new_categories() -> None:
    schema = make_schema([{"name": "id"}])
    collector = StatsCollector(schema, top=3)
    collector.observe("id", pa.array(["a", "a", "b", "c", "d", "e"]))
    collector.set_rows(6)
    ref = collector.finish(source="r", created="c")
    result = drift(ref, schema, {"id": np.array(["a", "e", "zzz"])}).fields[0]
    assert result.new_categories == ()
    assert "top 3 categories" in result.note
    assert result.labels[-1] == "(other)"


def test_field_settings_override_schema_settings_and_disabled_fields_are_skipped() -> None:
    fields: list[dict[str, Any]] = [
        {"name": "plain", "type": "number"},
        {"name": "strict", "type": "number", "x-mlgate": {"drift": {"psi": 0.001, "ks": 0.01, "severity": "error"}}},
        {"name": "off", "type": "number", "x-mlgate": {"drift": False}},
        {"name": "off2", "type": "number", "x-mlgate": {"drift": {"enabled": False}}},
    ]
    schema = make_schema(fields, psi=0.5, ks=0.3)
    rng = np.random.default_rng(1)
    base = {name: rng.normal(size=20_000) for name in ("plain", "strict", "off", "off2")}
    moved = {name: values + 0.15 for name, values in base.items()}
    report = drift(reference(schema, base), schema, moved)
    by_name = {r.field: r for r in report.fields}
    assert set(by_name) == {"plain", "strict"}
    assert report.skipped == ()
    plain, strict = by_name["plain"], by_name["strict"]
    assert (plain.threshold_psi, plain.threshold_ks, plain.severity, plain.drifted) == (0.5, 0.3, "warning", False)
    assert (strict.threshold_psi, strict.threshold_ks, strict.severity, strict.drifted) == (0.001, 0.01, "error", True)
    assert (report.share, report.dataset_drift) == (0.5, True)
    violations = drift_violations(report)
    assert [(v.field, v.check, v.severity, v.count, v.rows) for v in violations] == [
        ("strict", "drift", "error", 1, ())
    ]
    assert re.fullmatch(r"PSI \d\.\d\d > 0\.001; KS \d\.\d\d > 0\.01", violations[0].message)


def test_defaults_without_schema_drift_settings_and_skip_reasons() -> None:
    ref_schema = parse_schema({"fields": [{"name": "a", "type": "integer"}, {"name": "b"}, {"name": "gone"}]})
    ref = reference(ref_schema, {"a": np.arange(100), "b": np.array(["x"] * 100), "gone": np.array(["y"] * 100)})
    schema = parse_schema(
        {
            "fields": [
                {"name": "a", "type": "integer"},
                {"name": "b", "type": "number"},
                {"name": "new"},
                {"name": "gone"},
            ]
        }
    )
    report = drift(ref, schema, {"a": np.arange(100)})
    assert [(r.field, r.threshold_psi, r.threshold_ks, r.severity, r.drifted) for r in report.fields] == [
        ("a", 0.2, 0.1, "warning", False)
    ]
    assert report.skipped == (
        ("b", "type changed from string to number"),
        ("new", "not in the reference statistics"),
        ("gone", "not in the data"),
    )
    assert (report.share, report.dataset_drift, drift_violations(report)) == (0.0, False, [])
    assert render_drift_markdown(report).startswith("#### ✅ No drift: 0 of 1 field drifted\n")
    assert "not checked: b (type changed from string to number); new (not in the reference" in render_drift_text(report)


def test_reference_for_reads_a_stats_file_next_to_the_schema(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "data.schema.yaml").write_text(
        "fields:\n- {name: x, type: number}\nx-mlgate:\n  drift: {reference: stats/ref.json}\n", encoding="utf-8"
    )
    schema = load_schema(folder / "data.schema.yaml")
    ref = reference(schema, {"x": np.linspace(0, 1, 500)})
    save_stats(folder / "stats" / "ref.json", ref)
    assert reference_for(schema, csv=CsvConfig(), resolve=lambda p: "/nowhere/" + p) == ref


def test_reference_for_computes_a_dataset_on_the_fly_and_drift_rides_validation(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    lines = ["x,colour"] + [
        f"{v:.6f},{c}" for v, c in zip(rng.normal(size=3000), rng.choice(["a", "b"], 3000), strict=True)
    ]
    (tmp_path / "ref.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    current = ["x,colour"] + [f"{v:.6f},c" for v in rng.normal(loc=1.0, size=2000)]
    (tmp_path / "cur.csv").write_text("\n".join(current) + "\n", encoding="utf-8")
    schema = parse_schema(
        {
            "fields": [{"name": "x", "type": "number"}, {"name": "colour"}],
            "x-mlgate": {"drift": {"reference": "ref.csv"}},
        }
    )
    ref = reference_for(schema, csv=CsvConfig(), resolve=lambda p: str(tmp_path / p))
    assert (ref.rows, ref.source) == (3000, str(tmp_path / "ref.csv"))
    collector = DriftCollector(ref, schema)
    validate_file(str(tmp_path / "cur.csv"), schema, csv=CsvConfig(), observers=[collector])
    report = collector.finish()
    assert [(r.field, r.drifted) for r in report.fields] == [("x", True), ("colour", True)]
    assert report.fields[1].new_categories == ("c",)
    assert report.fields[1].missing_categories == ("a", "b")
    data = json.loads(json.dumps(to_data(report), allow_nan=False))
    assert (data["schema_version"], data["checked"], data["drifted"], data["dataset_drift"]) == (1, 2, 2, True)


def test_reference_for_needs_drift_settings() -> None:
    with pytest.raises(SchemaError, match=r"no x-mlgate\.drift\.reference"):
        reference_for(parse_schema({"fields": [{"name": "a"}]}), csv=CsvConfig())


def test_renderers_show_a_table_a_verdict_and_sparklines() -> None:
    schema = make_schema([{"name": "a|b", "type": "number"}, {"name": "kind"}])
    rng = np.random.default_rng(8)
    ref = reference(schema, {"a|b": rng.normal(size=5000), "kind": rng.choice(["u", "v"], 5000)})
    report = drift(ref, schema, {"a|b": rng.normal(loc=2, size=5000), "kind": rng.choice(["u", "v"], 5000)})
    markdown = render_drift_markdown(report)
    assert "| Field" in markdown
    assert "a\\|b" in markdown
    assert "#### ❌ Dataset drift: 1 of 2 fields drifted (50% ≥ 50%)" in markdown
    assert "drifted (PSI > 0.2, KS > 0.1)" in markdown
    text = render_drift_text(report)
    assert "Drift vs ref.csv: dataset drift: 1 of 2 fields drifted" in text
    assert "✓ stable" in text
    assert sparkline((0.5, 0.5, 0.0), (0.25, 0.25, 0.5)) == "██· → ▄▄█"
    assert sparkline((), ()) == ""


def test_every_field_gets_a_test_p_value_and_numbers_their_shift_in_own_units() -> None:
    rng = np.random.default_rng(3)
    schema = make_schema([{"name": "x", "type": "integer"}, {"name": "city", "type": "string"}])
    ref_x, cur_x = rng.integers(0, 10, 2000), rng.integers(2, 12, 500)
    ref_city, cur_city = rng.choice(["a", "b", "c"], 2000), rng.choice(["a", "b", "c"], 500, p=[0.6, 0.2, 0.2])
    ref = reference(schema, {"x": ref_x, "city": ref_city})
    numeric, categorical = drift(ref, schema, {"x": cur_x, "city": cur_city}).fields
    assert (numeric.test, numeric.p_value) == ("KS", numeric.ks_pvalue)
    assert numeric.p_value is not None
    assert numeric.p_value < 1e-6
    assert numeric.shift is not None
    assert numeric.shift.reference_mean == pytest.approx(ref_x.mean())
    assert numeric.shift.current_mean == pytest.approx(cur_x.mean())
    assert numeric.shift.current_std == pytest.approx(cur_x.std())
    assert (numeric.shift.reference_median, numeric.shift.current_median) == (np.median(ref_x), np.median(cur_x))
    counts = [[int(np.sum(ref_city == c)) for c in "abc"], [int(np.sum(cur_city == c)) for c in "abc"]]
    assert categorical.test == "chi-square"
    assert categorical.p_value == pytest.approx(scipy_stats.chi2_contingency(np.array(counts), correction=False).pvalue)
    assert categorical.shift is None
    data = to_data(drift(ref, schema, {"x": cur_x, "city": cur_city}))["fields"][0]
    assert (data["test"], data["p_adjusted"], data["shift"]["current_mean"]) == (
        "KS",
        None,
        pytest.approx(cur_x.mean()),
    )


def test_the_reference_is_checked_with_the_schemas_folder_before_it_is_read(tmp_path: Path) -> None:
    schema_file = tmp_path / "project" / "schema.yaml"
    schema_file.parent.mkdir()
    schema_file.write_text(
        "fields:\n  - {name: x, type: number}\nx-mlgate:\n  drift: {reference: ../elsewhere.json}\n", encoding="utf-8"
    )
    seen: list[tuple[str, str, Path]] = []

    def refuse(location: str, what: str, folder: Path) -> None:
        seen.append((location, what, folder))
        raise SchemaError(f"{what}: refused")

    with pytest.raises(SchemaError, match=r"schema\.yaml: x-mlgate\.drift\.reference: refused"):
        reference_for(load_schema(schema_file), csv=CsvConfig(), check=refuse)  # ../elsewhere.json does not exist
    assert seen == [
        (
            str(tmp_path / "project" / "../elsewhere.json"),
            f"{schema_file}: x-mlgate.drift.reference",
            schema_file.parent,
        )
    ]
