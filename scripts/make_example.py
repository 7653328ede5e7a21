"""Regenerate the bundled example dataset (examples/churn): deterministic, no network.

python scripts/make_example.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent / "examples" / "churn" / "data"
PLANS = ("basic", "standard", "premium")
REGIONS = ("north", "south", "east", "west")


def make_rows(rng: np.random.Generator, start: int, count: int) -> list[dict[str, object]]:
    rows = []
    for i in range(start, start + count):
        tenure = int(rng.integers(0, 73))
        plan = PLANS[int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        charges = round(float(rng.normal({"basic": 30, "standard": 60, "premium": 95}[plan], 8)), 2)
        tickets = int(rng.poisson(1.2))
        score = 1.5 - 0.04 * tenure + 0.5 * tickets + (0.6 if plan == "basic" else 0.0)
        churned = bool(rng.random() < 1 / (1 + np.exp(-score)))
        rows.append(
            {
                "customer_id": f"C-{i:06d}",
                "signup_date": str(np.datetime64("2020-01-01") + int(rng.integers(0, 1800))),
                "region": REGIONS[int(rng.integers(0, 4))],
                "plan": plan,
                "tenure_months": tenure,
                "monthly_charges": max(charges, 5.0),
                "support_tickets": tickets,
                "satisfaction": "" if rng.random() < 0.03 else int(rng.integers(1, 6)),
                "churned": "true" if churned else "false",
            }
        )
    return rows


def write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    rng = np.random.default_rng(7)
    ROOT.mkdir(parents=True, exist_ok=True)
    write(ROOT / "train.csv", make_rows(rng, 1, 600))
    write(ROOT / "test.csv", make_rows(rng, 601, 200))


if __name__ == "__main__":
    main()
