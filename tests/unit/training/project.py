"""A tiny, deterministic ML project written into a folder: schema, train/test CSVs and mlgate.yaml.

Shared by the training tests (imported as ``unit.training.project``; tests/ is on sys.path).
"""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from pathlib import Path

SCHEMA = """\
fields:
  - {name: id, type: string, constraints: {required: true, unique: true}}
  - {name: x1, type: number}
  - {name: x2, type: integer}
  - {name: color, type: string, constraints: {enum: [red, green, blue]}}
  - {name: flag, type: boolean}
  - {name: day, type: date}
  - {name: amount, type: number}
  - {name: label, type: boolean}
primaryKey: id
"""
HEADER = "id,x1,x2,color,flag,day,amount,label"
# A classifier that keeps a function reference (SelectKBest's f_classif), which mlgate never trusts by default:
# ``models=PICKY`` needs ``artifacts.trusted_types: [F_CLASSIF]`` (scikit-learn's own trees need nothing).
F_CLASSIF = "sklearn.feature_selection._univariate_selection.f_classif"
PICKY = "picky: {estimator: 'picky_model:build'}"
PICKY_MODULE = """\
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def build():
    return make_pipeline(SelectKBest(k=3), LogisticRegression())
"""


def rows(count: int, *, seed: int, start: int = 0) -> list[str]:
    """CSV lines: ``label`` depends on x1, color and flag; ``amount`` is a noisy linear target."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + count):
        x1 = round(rng.uniform(-2, 2), 3)
        x2 = rng.randint(0, 9)
        color = rng.choice(["red", "green", "blue"])
        flag = rng.random() < 0.5
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 365))
        score = x1 + (0.8 if color == "red" else -0.3) + (0.5 if flag else 0.0) + rng.gauss(0, 0.6)
        amount = round(3.0 * x1 + x2 + rng.gauss(0, 0.5), 3)
        cells = [
            f"R-{i:05d}",
            "" if i % 17 == 0 else str(x1),
            str(x2),
            color,
            "true" if flag else "false",
            day.isoformat(),
            str(amount),
            "true" if score > 0.4 else "false",
        ]
        out.append(",".join(cells))
    return out


def write_project(
    folder: Path,
    *,
    models: str,
    task: str = "classification",
    target: str = "label",
    data: str = "{schema: schema.yaml, train: data/train.csv, test: data/test.csv}",
    extra: str = "",
    train_rows: int = 120,
    test_rows: int = 40,
) -> Path:
    """Write schema.yaml, data/train.csv, data/test.csv and mlgate.yaml; return the config path.

    ``models`` is the YAML body of the ``models:`` mapping; ``extra`` more top-level YAML.
    """
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    (folder / "picky_model.py").write_text(PICKY_MODULE, encoding="utf-8")
    train = [HEADER, *rows(train_rows, seed=1)]
    test = [HEADER, *rows(test_rows, seed=2, start=train_rows)]
    (folder / "data" / "train.csv").write_text("\n".join(train) + "\n", encoding="utf-8")
    (folder / "data" / "test.csv").write_text("\n".join(test) + "\n", encoding="utf-8")
    config = (
        f"data: {data}\ntask: {task}\ntarget: {target}\n"
        + "train: {latency_rows: 5, batch_rows: 20}\n"
        + "models:\n"
        + textwrap.indent(textwrap.dedent(models).strip(), "  ")
        + "\n"
        + textwrap.dedent(extra)
    )
    path = folder / "mlgate.yaml"
    path.write_text(config, encoding="utf-8")
    return path
