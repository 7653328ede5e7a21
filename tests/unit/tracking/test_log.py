from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace

import pytest

from mlgate import __version__, notices
from mlgate.compare import Row
from mlgate.config import MlflowTrackingConfig, TrackingConfig
from mlgate.results import Artifact, Evaluation, ModelResult, ResultSet, from_data
from mlgate.tracking.client import RunRecord, TrackedRun, TrackingFailed
from mlgate.tracking.log import Context, build_records, track_candidates


@dataclass
class FakeClient:
    """A tracker in memory; ``fail_after`` runs, it fails like a server that went away."""

    uri: str
    fail_after: int | None = None
    experiments: dict[str, str] = field(default_factory=dict)
    runs: list[tuple[str, RunRecord]] = field(default_factory=list)
    updates: list[tuple[str, RunRecord]] = field(default_factory=list)

    def find_experiment(self, name: str) -> str:
        return self.experiments.setdefault(name, str(len(self.experiments) + 1))

    def log_run(self, experiment_id: str, record: RunRecord) -> str:
        if self.fail_after is not None and len(self.runs) >= self.fail_after:
            raise TrackingFailed("the MLflow server could not be used (connection refused)", "start it")
        self.runs.append((experiment_id, record))
        return f"run{len(self.runs)}"

    def update_run(self, run_id: str, record: RunRecord) -> None:
        self.updates.append((run_id, record))


def _results() -> ResultSet:
    def model(name: str, auc: float) -> ModelResult:
        return ModelResult(
            name=name,
            estimator="sklearn.tree.DecisionTreeClassifier",
            params={"max_depth": 3, "class_weight": {"0": 1}, "odd key!": None},
            metrics={"roc_auc": auc, "log_loss": math.nan},
            timings={"fit_s": 0.25},
            artifact=Artifact(path=f"models/{name}/model.skops", sha256="f" * 64, bytes=10),
            seed_sd={"roc_auc": 0.01},
        )

    evaluation = Evaluation(kind="holdout", train_rows=600, test_rows=200, data_sha256="d" * 64)
    return ResultSet(models={"a": model("a", 0.8), "b": model("b", 0.7)}, evaluation=evaluation, commit="c" * 40)


def _settings(uri: str | None = "http://127.0.0.1:5000") -> TrackingConfig:
    return TrackingConfig(mlflow=MlflowTrackingConfig(tracking_uri=uri, experiment="churn"))


def _heard() -> tuple[list[str], object]:
    heard: list[str] = []
    return heard, notices.sending_to(heard.append)


def test_records_hold_params_metrics_intervals_and_tags() -> None:
    row = Row(
        model="a", metric="roc_auc", kind="quality", base=0.75, new=0.8, diff=0.05, pct=6.7, status="better",
        severity=None, reason="", low=0.01, high=0.09, p_worse=0.002, mde=None,
    )  # fmt: skip
    context = Context(command="check", pr_number=7, data=[("data/train.csv", "1" * 64)], rows=[row], verdict="pass")
    first, second = build_records(_results(), context)
    assert first.name == "a"
    assert first.params == {
        "model.max_depth": "3",
        "model.class_weight": '{"0": 1}',
        "estimator": "sklearn.tree.DecisionTreeClassifier",
        "evaluation.kind": "holdout",
        "evaluation.train_rows": "600",
        "evaluation.test_rows": "200",
    }
    assert first.metrics == {
        "roc_auc": 0.8,
        "roc_auc.seed_sd": 0.01,
        "timing.fit_s": 0.25,
        "roc_auc.baseline": 0.75,
        "roc_auc.diff": 0.05,
        "roc_auc.diff_low": 0.01,
        "roc_auc.diff_high": 0.09,
        "roc_auc.p_worse": 0.002,
    }
    assert first.tags == {
        "mlgate.command": "check",
        "mlgate.version": __version__,
        "mlgate.model": "a",
        "mlgate.estimator": "sklearn.tree.DecisionTreeClassifier",
        "mlgate.pr": "7",
        "mlgate.verdict": "pass",
        "mlgate.artifact_sha256": "f" * 64,
        "mlgate.data_sha256": "d" * 64,
        "mlgate.data": f"data/train.csv sha256:{'1' * 64}",
        "mlgate.commit": "c" * 40,
        "mlflow.source.git.commit": "c" * 40,
    }
    assert "roc_auc.diff" not in second.metrics  # the rows of other models stay theirs


def test_unsafe_keys_and_long_values_are_made_acceptable() -> None:
    results = _results()
    model = ModelResult(name="m", estimator="x", params={"a b/c:d": "v" * 7000}, metrics={"r²": 1.0})
    (record,) = build_records(ResultSet(models={"m": model}), Context(command="train"))
    assert list(record.params) == ["model.a b/c_d", "estimator"]
    assert len(record.params["model.a b/c_d"]) == 6000
    assert record.metrics == {"r_": 1.0}
    assert results.models  # the shared fixture is untouched


def test_logs_a_run_per_model_in_the_experiment() -> None:
    client = FakeClient("http://127.0.0.1:5000")
    said: list[str] = []
    tracked = track_candidates(
        _settings(), _results(), Context(command="train"), environ={}, open_client=lambda uri: client, say=said.append
    )
    assert [(e, r.name) for e, r in client.runs] == [("1", "a"), ("1", "b")]
    assert tracked["b"].url == "http://127.0.0.1:5000/#/experiments/1/runs/run2"
    assert said == ["logged 2 run(s) to MLflow at http://127.0.0.1:5000, experiment 'churn'"]


def test_the_environment_uri_wins() -> None:
    opened: list[str] = []

    def open_client(uri: str) -> FakeClient:
        opened.append(uri)
        return FakeClient(uri)

    environ = {"MLFLOW_TRACKING_URI": "http://127.0.0.1:6000"}
    track_candidates(_settings(), _results(), Context(command="train"), environ=environ, open_client=open_client)
    assert opened == ["http://127.0.0.1:6000"]


def test_a_failure_is_one_warning_and_keeps_the_runs_logged() -> None:
    client = FakeClient("https://u:secret@mlflow.example.com", fail_after=1)
    heard, sink = _heard()
    with sink:  # type: ignore[attr-defined]
        tracked = track_candidates(
            _settings(client.uri), _results(), Context(command="train"), environ={}, open_client=lambda uri: client
        )
    assert list(tracked) == ["a"]
    assert heard == [
        "MLflow tracking at https://mlflow.example.com: the MLflow server could not be used (connection refused); "
        "1 of 2 run(s) logged (fix: start it)"
    ]


def test_no_uri_is_a_warning_and_nothing_is_opened() -> None:
    heard, sink = _heard()

    def never(uri: str) -> FakeClient:
        raise AssertionError("no client without a URI")

    with sink:  # type: ignore[attr-defined]
        assert (
            track_candidates(_settings(None), _results(), Context(command="train"), environ={}, open_client=never) == {}
        )
    assert len(heard) == 1
    assert "names no tracking URI" in heard[0]
    assert "MLFLOW_TRACKING_URI" in heard[0]


def test_without_the_section_nothing_happens() -> None:
    def never(uri: str) -> FakeClient:
        raise AssertionError("tracking is off")

    assert track_candidates(TrackingConfig(), _results(), Context(command="train"), environ={}, open_client=never) == {}


@pytest.mark.parametrize("command", ["train", "check"])
def test_the_command_is_a_tag(command: str) -> None:
    (record, _) = build_records(_results(), Context(command=command))
    assert record.tags["mlgate.command"] == command


def test_a_train_run_holds_its_models_metrics_json() -> None:
    first, second = build_records(_results(), Context(command="train"))
    assert list(first.artifacts) == ["mlgate/metrics.json"]
    document = json.loads(first.artifacts["mlgate/metrics.json"])
    assert document["models"]["a"]["metrics"] == {"roc_auc": 0.8, "log_loss": None}  # NaN is written as null
    assert list(json.loads(second.artifacts["mlgate/metrics.json"])["models"]) == ["b"]


def test_the_metrics_json_of_a_run_reads_back_as_results() -> None:
    results = _results()
    model = replace(results.models["a"], metrics={"roc_auc": 0.8})  # a trained model's scores are finite
    (record,) = build_records(replace(results, models={"a": model}), Context(command="train"))
    read = from_data(json.loads(record.artifacts["mlgate/metrics.json"]))  # what `mlgate compare` reads
    assert read.models == {"a": model}
    assert read.evaluation == results.evaluation
    assert read.commit == "c" * 40


def test_a_check_run_also_holds_its_rows_of_the_comparison() -> None:
    row = Row(
        model="a", metric="fit_s", kind="timing", base=0.2, new=0.25, diff=0.05, pct=math.inf, status="same",
        severity=None, reason="", low=0.01, high=0.09, method="bootstrap",
    )  # fmt: skip
    first, second = build_records(_results(), Context(command="check", rows=[row], verdict="warn"))
    comparison = json.loads(first.artifacts["mlgate/comparison.json"])
    assert comparison["model"] == "a"
    assert comparison["verdict"] == "warn"
    (only,) = comparison["rows"]
    assert only["metric"] == "fit_s"
    assert only["label"] == row.label
    assert (only["low"], only["high"], only["method"]) == (0.01, 0.09, "bootstrap")
    assert only["pct"] is None  # not a number in JSON
    assert json.loads(second.artifacts["mlgate/comparison.json"])["rows"] == []


def test_a_run_a_leg_logged_on_this_server_is_updated_not_logged_again() -> None:
    client = FakeClient("http://127.0.0.1:5000")
    said: list[str] = []
    logged = {
        "a": TrackedRun("a", "7", "leg-a", None, "http://127.0.0.1:5000"),
        "b": TrackedRun("b", "7", "leg-b", None, "http://127.0.0.1:9999"),  # logged elsewhere: b gets a run here
    }
    tracked = track_candidates(
        _settings("http://u:pw@127.0.0.1:5000"),
        _results(),
        Context(command="check", verdict="pass"),
        environ={},
        open_client=lambda uri: client,
        say=said.append,
        logged=logged,
    )
    assert [(run_id, record.name) for run_id, record in client.updates] == [("leg-a", "a")]
    assert [record.name for _, record in client.runs] == ["b"]
    assert tracked["a"] == TrackedRun(
        "a", "7", "leg-a", "http://127.0.0.1:5000/#/experiments/7/runs/leg-a", "http://127.0.0.1:5000"
    )
    assert tracked["b"].run_id == "run1"
    assert said == [
        "logged 2 run(s) to MLflow at http://127.0.0.1:5000, experiment 'churn' (1 of them logged by the training "
        "job, updated)"
    ]
