"""Regenerate the example data of the project template (templates/ml-project): deterministic, no network.

python scripts/make_template_data.py

For each task it writes small train/test CSVs, drafts their schema with ``mlgate schema infer``, curates the draft
(domain bounds instead of observed ones, id patterns, nullable fields, the x-mlgate row-count, null-fraction and drift
settings) and writes the reference statistics with ``mlgate schema stats``. The schema becomes a Jinja template: its
drift block is kept only when the generated project includes the example data.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from make_example import make_rows as make_churn_rows

TEMPLATE = (
    Path(__file__).resolve().parent.parent / "templates" / "ml-project" / "{{cookiecutter.project_slug}}" / "data"
)
SEED = 20261122
TRAIN_ROWS, TEST_ROWS = 450, 150
RowMaker = Callable[[np.random.Generator, int, int], list[dict[str, object]]]
CREATED = "2026-11-22T00:00:00+00:00"  # fixed, so regenerating gives identical files
NEIGHBOURHOODS = ("harbour", "old-town", "riverside", "hills")
DRIFT_BLOCK = "{%- if cookiecutter.example_data %}\n  drift:\n    reference: reference-stats.json\n    psi: 0.2\n    ks: 0.15\n    severity: warning\n{%- endif %}\n"


def make_house_rows(rng: np.random.Generator, start: int, count: int) -> list[dict[str, object]]:
    """House sales: the price (in thousands) grows with area, rooms, quality and newness, falls with distance."""
    rows: list[dict[str, object]] = []
    premium = {"harbour": 1.35, "old-town": 1.2, "riverside": 1.05, "hills": 0.9}
    for i in range(start, start + count):
        hood = NEIGHBOURHOODS[int(rng.integers(0, 4))]
        area = round(float(np.clip(rng.normal(95, 30), 25, 260)), 1)
        bedrooms = int(np.clip(round(area / 30 + rng.normal(0, 0.7)), 1, 7))
        year = int(rng.integers(1900, 2025))
        distance = round(float(rng.gamma(2.0, 3.0)), 2)
        garage = bool(rng.random() < 0.45)
        condition = int(rng.integers(1, 6))
        price = premium[hood] * (1.9 * area + 12 * bedrooms + 6 * condition + 0.25 * (year - 1900))
        price += (18 if garage else 0) - 4.5 * distance + float(rng.normal(0, 15))
        rows.append(
            {
                "house_id": f"H-{i:06d}",
                "neighbourhood": hood,
                "area_sqm": area,
                "bedrooms": bedrooms,
                "year_built": year,
                "distance_km": distance,
                "has_garage": "true" if garage else "false",
                "condition": "" if rng.random() < 0.03 else condition,
                "price_k": round(max(price, 40.0), 1),
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def run_mlgate(*argv: str, cwd: Path) -> None:
    """Run an mlgate command with this interpreter; any failure stops the script."""
    subprocess.run([sys.executable, "-m", "mlgate", *argv], cwd=cwd, check=True)


# Curation: what a person reviewing the inferred draft would change. Keys are field names; values replace the
# draft's constraints (None drops the field's constraint); "x-mlgate" entries are added to the field.
CURATION: dict[str, dict[str, dict[str, Any]]] = {
    "classification": {
        "customer_id": {
            "constraints": {"required": True, "unique": True, "pattern": "C-[0-9]{6}"},
            "x-mlgate": {"drift": False},
        },
        "signup_date": {"constraints": {"required": True, "minimum": "2020-01-01", "maximum": "2026-12-31"}},
        "tenure_months": {"constraints": {"required": True, "minimum": 0, "maximum": 120}},
        "monthly_charges": {"constraints": {"required": True, "minimum": 0}},
        "support_tickets": {"constraints": {"minimum": 0}},
        "satisfaction": {"constraints": {"minimum": 1, "maximum": 5}, "x-mlgate": {"maxNullFraction": 0.1}},
    },
    "regression": {
        "house_id": {
            "constraints": {"required": True, "unique": True, "pattern": "H-[0-9]{6}"},
            "x-mlgate": {"drift": False},
        },
        "area_sqm": {"constraints": {"required": True, "minimum": 10, "maximum": 1000}},
        "bedrooms": {"constraints": {"required": True, "minimum": 0, "maximum": 20}},
        "year_built": {"constraints": {"required": True, "minimum": 1800, "maximum": 2030}},
        "distance_km": {"constraints": {"required": True, "minimum": 0}},
        "condition": {"constraints": {"minimum": 1, "maximum": 5}, "x-mlgate": {"maxNullFraction": 0.1}},
        "price_k": {"constraints": {"required": True, "minimum": 0}},
    },
}
HEADERS = {
    "classification": "Table Schema of the churn example: one row per customer; `churned` is the target.",
    "regression": "Table Schema of the house-price example: one row per sale; `price_k` (thousands) is the target.",
}
ID_FIELD = {"classification": "customer_id", "regression": "house_id"}


def curate(draft: dict[str, Any], task: str) -> dict[str, Any]:
    """Apply CURATION to an inferred schema and add the schema-level x-mlgate settings (drift is added as text)."""
    fields = []
    for field in draft["fields"]:
        change = CURATION[task].get(field["name"], {})
        curated = {"name": field["name"], "type": field["type"]}
        constraints = change.get("constraints", field.get("constraints"))
        if constraints:
            curated["constraints"] = constraints
        if "x-mlgate" in change:
            curated["x-mlgate"] = change["x-mlgate"]
        fields.append(curated)
    return {"fields": fields, "primaryKey": ID_FIELD[task], "x-mlgate": {"rowCount": {"min": 50}}}


def render_schema(schema: dict[str, Any], task: str) -> str:
    """The schema as block YAML with flow-style field details, plus the Jinja-guarded drift block."""
    lines = [
        f"# {HEADERS[task]}",
        "# Drafted by `mlgate schema infer`, then curated; mlgate-only settings live under x-mlgate.",
        "fields:",
    ]
    for field in schema["fields"]:
        lines.append(f"  - name: {field['name']}")
        lines.append(f"    type: {field['type']}")
        for key in ("constraints", "x-mlgate"):
            if key in field:
                flow = yaml.safe_dump(field[key], default_flow_style=True, sort_keys=False, width=200).strip()
                lines.append(f"    {key}: {flow}")
    lines.append(f"primaryKey: {schema['primaryKey']}")
    lines.append("x-mlgate:")
    lines.append("  rowCount: {min: 50}")
    return "\n".join(lines) + "\n" + DRIFT_BLOCK


def pin_provenance(stats_path: Path) -> None:
    """Make the statistics file reproducible: its source relative to the project, a fixed creation stamp."""
    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    stats["source"] = "data/train.csv"
    stats["created"] = CREATED
    stats_path.write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    stats_path.chmod(0o644)


def make_tables(make_rows: RowMaker) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The train and test rows of one task, from one seeded generator (test ids follow the train ids)."""
    rng = np.random.default_rng(SEED)
    return make_rows(rng, 1, TRAIN_ROWS), make_rows(rng, TRAIN_ROWS + 1, TEST_ROWS)


def build_task(task: str, make_rows: RowMaker) -> None:
    """Write one task's CSVs, its reference statistics and its templated schema."""
    examples = TEMPLATE / "_examples" / task
    examples.mkdir(parents=True, exist_ok=True)
    train, test = make_tables(make_rows)
    write_csv(examples / "train.csv", train)
    write_csv(examples / "test.csv", test)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        draft_path = work / "draft.yaml"
        run_mlgate("schema", "infer", str(examples / "train.csv"), "-o", str(draft_path), cwd=work)
        schema = curate(yaml.safe_load(draft_path.read_text(encoding="utf-8")), task)
        (work / "schema.yaml").write_text(yaml.safe_dump(schema, sort_keys=False), encoding="utf-8")
        run_mlgate(
            "schema",
            "stats",
            str(examples / "train.csv"),
            "--schema",
            "schema.yaml",
            "-o",
            str(examples / "reference-stats.json"),
            cwd=work,
        )
    pin_provenance(examples / "reference-stats.json")
    schemas = TEMPLATE / "_schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    (schemas / f"{task}.yaml").write_text(render_schema(schema, task), encoding="utf-8")


ROW_MAKERS: dict[str, RowMaker] = {"classification": make_churn_rows, "regression": make_house_rows}


def main() -> None:
    for task, make_rows in ROW_MAKERS.items():
        build_task(task, make_rows)


if __name__ == "__main__":
    main()
