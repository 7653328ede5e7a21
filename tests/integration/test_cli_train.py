"""``mlgate train`` end to end: the churn example, JSON output and schemas, errors, XGBoost, custom types."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgate.artifacts import load_model
from mlgate.cli import main
from mlgate.config import load_config
from mlgate.errors import ExitCode, InputError, exit_code_for
from mlgate.results import TIMING_LABELS
from mlgate.training.rescore import rescore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "churn"
SCHEMAS = ROOT / "docs" / "schemas"


def _schema(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer latency calls: the example's settings are for people, these for the suite."""
    monkeypatch.setenv("MLGATE_TRAIN__LATENCY_ROWS", "5")
    monkeypatch.setenv("MLGATE_TRAIN__BATCH_ROWS", "50")


def _project(tmp_path: Path, body: str, *, task: str = "classification", target: str = "churned") -> Path:
    """A config next to a copy of the churn data and schema."""
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    shutil.copy(EXAMPLE / "schema.yaml", tmp_path / "schema.yaml")
    path = tmp_path / "mlgate.yaml"
    head = (
        f"data: {{schema: schema.yaml, train: data/train.csv, test: data/test.csv}}\ntask: {task}\ntarget: {target}\n"
    )
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return path


def test_churn_example_trains_and_writes_valid_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast: None
) -> None:
    out = tmp_path / "results"
    assert main(["train", "--config", str(EXAMPLE / "mlgate.yaml"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "mlgate train: 3 model(s), holdout: 600 training rows, 200 test rows, primary metric roc_auc" in captured.out
    assert "logistic" in captured.out
    assert "predict p95 (ms, 1 row)" in captured.out
    assert "[3/3] boosting: accuracy" in captured.err  # progress goes to stderr
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    jsonschema.validate(metrics, _schema("metrics.schema.json"))
    assert list(metrics["models"]) == ["logistic", "forest", "boosting"]
    for model in metrics["models"].values():
        assert set(model["metrics"]) == {"accuracy", "f1_macro", "roc_auc"}
        assert list(model["timings"]) == list(TIMING_LABELS)
        assert (out / model["artifact"]["path"]).is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, _schema("manifest.schema.json"))
    assert [(Path(d["uri"]).name, d["rows"]) for d in manifest["data"]] == [("train.csv", 600), ("test.csv", 200)]
    assert manifest["config"]["target"] == "churned"


def test_json_format_prints_metrics_json_and_runs_are_deterministic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast: None
) -> None:
    documents = []
    for run in ("a", "b"):
        args = ["train", "--config", str(EXAMPLE / "mlgate.yaml"), "--out", str(tmp_path / run), "--format", "json"]
        assert main([*args, "--only", "forest,boosting"]) == 0
        documents.append(json.loads(capsys.readouterr().out))
    jsonschema.validate(documents[0], _schema("metrics.schema.json"))
    assert list(documents[0]["models"]) == ["forest", "boosting"]
    for name in ("forest", "boosting"):
        assert documents[0]["models"][name]["metrics"] == documents[1]["models"][name]["metrics"]
        assert documents[0]["models"][name]["params"] == documents[1]["models"][name]["params"]
    assert documents[0] == json.loads((tmp_path / "a" / "metrics.json").read_text(encoding="utf-8"))


def test_cross_validation_prints_mean_and_std(tmp_path: Path, capsys: pytest.CaptureFixture[str], fast: None) -> None:
    path = _project(tmp_path, "models: {logistic: {estimator: sklearn.linear_model.LogisticRegression}}\n")
    path.write_text(
        path.read_text(encoding="utf-8").replace("test: data/test.csv", "split: {folds: 3}"), encoding="utf-8"
    )
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "3-fold cross-validation over 600 rows" in out
    assert " ± " in out
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert len(metrics["models"]["logistic"]["folds"]["accuracy"]) == 3
    jsonschema.validate(metrics, _schema("metrics.schema.json"))


def test_default_out_is_train_out_beside_the_config(tmp_path: Path, fast: None) -> None:
    path = _project(tmp_path, "models: {lr: {estimator: sklearn.linear_model.LogisticRegression}}\ntrain: {out: res}\n")
    assert main(["train", "--config", str(path)]) == 0
    assert (tmp_path / "res" / "metrics.json").is_file()


@pytest.mark.parametrize(
    ("body", "task", "target", "first_line"),
    [
        (
            "models: {rf: {estimator: sklearn.ensemble.RandomForestClasifier}}",
            "classification",
            "churned",
            "mlgate: error: model 'rf': estimator 'sklearn.ensemble.RandomForestClasifier': 'sklearn.ensemble' has no "
            "attribute 'RandomForestClasifier'",
        ),
        (
            "models: {rf: {estimator: sklearn.ensemble.RandomForestClassifier, params: {n_estimator: 5}}}",
            "classification",
            "churned",
            "mlgate: error: model 'rf': RandomForestClassifier has no parameter 'n_estimator' (models.rf.params)",
        ),
        (
            "models: {rf: {estimator: sklearn.ensemble.RandomForestClassifier, params: {n_estimators: 0}}}",
            "classification",
            "churned",
            "mlgate: error: model 'rf': The 'n_estimators' parameter of RandomForestClassifier must be an int in the "
            "range [1, inf). Got 0 instead.",
        ),
        (
            "models: {lr: {estimator: sklearn.linear_model.LogisticRegression}}",
            "classification",
            "monthly_charges",
            "mlgate: error: data/train.csv: task is classification but target 'monthly_charges' holds continuous numbers",
        ),
        (
            "models: {lr: {estimator: sklearn.linear_model.LinearRegression}}",
            "regression",
            "plan",
            "mlgate: error: data/train.csv: task is regression but target 'plan' is string, not a number",
        ),
    ],
)
def test_errors_exit_2_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: str,
    task: str,
    target: str,
    first_line: str,
) -> None:
    _project(tmp_path, body, task=task, target=target)
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--out", "out"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("mlgate: error:")] == [first_line]
    assert "Traceback" not in "\n".join(err)


def test_target_missing_from_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(tmp_path, "models: {lr: {estimator: sklearn.linear_model.LogisticRegression}}\n")
    train = tmp_path / "data" / "train.csv"
    lines = train.read_text(encoding="utf-8").splitlines()
    train.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", str(path), "--out", "out"]) == ExitCode.BAD_INPUT
    assert "mlgate: error: data/train.csv has no column 'churned' (the target)" in capsys.readouterr().err


def test_unknown_only_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--config", str(EXAMPLE / "mlgate.yaml"), "--out", str(tmp_path), "--only", "forrest"]) == 2
    err = capsys.readouterr().err
    assert "--only forrest: no model of that name in mlgate.yaml" in err
    assert "did you mean 'forest'?" in err


def test_xgboost_trains_and_its_artifact_needs_trusted_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast: None
) -> None:
    pytest.importorskip("xgboost")
    body = "models: {xgb: {estimator: xgboost.XGBClassifier, params: {n_estimators: 20, max_depth: 3, n_jobs: 1}}}\n"
    path = _project(tmp_path, body)
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert (
        "model 'xgb': its artifact holds types skops does not trust by default: xgboost.core.Booster, "
        "xgboost.sklearn.XGBClassifier" in err
    )
    assert "artifacts.trusted_types" in err
    path.write_text(
        path.read_text(encoding="utf-8") + "artifacts:\n  trusted_types: [xgboost.core.Booster, "
        "xgboost.sklearn.XGBClassifier]\n",
        encoding="utf-8",
    )
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    model = json.loads(capsys.readouterr().out)["models"]["xgb"]
    assert model["metrics"]["roc_auc"] > 0.6
    assert model["params"]["random_state"] == 0
    artifact = tmp_path / "out" / model["artifact"]["path"]
    with pytest.raises(InputError, match=r"xgboost\.core\.Booster, xgboost\.sklearn\.XGBClassifier"):
        load_model(artifact, sha256=model["artifact"]["sha256"], trusted=())
    trusted = ["xgboost.core.Booster", "xgboost.sklearn.XGBClassifier"]
    assert load_model(artifact, sha256=model["artifact"]["sha256"], trusted=trusted).predict is not None


def test_custom_transformer_from_a_project_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fast: None
) -> None:
    package = tmp_path / "pkgs" / "h1_churn_ext"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "features.py").write_text(
        textwrap.dedent("""
        import numpy as np
        from sklearn.base import BaseEstimator, TransformerMixin
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline


        class Clip(TransformerMixin, BaseEstimator):
            def __init__(self, limit=3.0):
                self.limit = limit

            def fit(self, X, y=None):
                return self

            def transform(self, X):
                return np.clip(X, -self.limit, self.limit)


        def clipped_logistic():
            return Pipeline([("clip", Clip()), ("model", LogisticRegression())])
    """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    body = "models: {clipped: {estimator: 'h1_churn_ext.features:clipped_logistic', params: {clip__limit: 2.5}}}\n"
    path = _project(tmp_path, body)
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "types skops does not trust by default: h1_churn_ext.features.Clip" in err
    path.write_text(
        path.read_text(encoding="utf-8") + "artifacts: {trusted_types: [h1_churn_ext.features.Clip]}\n",
        encoding="utf-8",
    )
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    model = json.loads(capsys.readouterr().out)["models"]["clipped"]
    assert model["params"]["steps"][0][1]["params"] == {"limit": 2.5}
    loaded = load_model(
        tmp_path / "out" / model["artifact"]["path"],
        sha256=model["artifact"]["sha256"],
        trusted=["h1_churn_ext.features.Clip"],
    )
    assert type(loaded.named_steps["model"].named_steps["clip"]).__name__ == "Clip"
    again = rescore(tmp_path / "out", load_config(path))  # the round trip the baseline uses
    assert again.results.models["clipped"].metrics == model["metrics"]


def test_tampered_artifact_is_exit_2(tmp_path: Path, fast: None) -> None:
    path = _project(tmp_path, "models: {lr: {estimator: sklearn.linear_model.LogisticRegression}}\n")
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out")]) == 0
    model_file = tmp_path / "out" / "models" / "lr" / "model.skops"
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    model_file.write_bytes(bytes(data))
    with pytest.raises(InputError, match="tampered artifact") as caught:
        rescore(tmp_path / "out", load_config(path))
    assert exit_code_for(caught.value) == ExitCode.BAD_INPUT


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--only NAME" in out
    assert "--out" in out
