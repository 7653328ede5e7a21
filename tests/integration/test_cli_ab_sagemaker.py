"""``mlgate deploy VERSION --ab`` / ``--shadow`` and ``mlgate ab|shadow`` through the CLI on the SageMaker target.

The stage of tests/integration/test_cli_deploy_sagemaker.py (moto in server mode behind the FaultProxy, versions
registered by the sagemaker backend, the packed ``inference.py`` answering), plus the variants stand-in
(``fakes.sagemaker_variants``): it routes invocations by the variants' weights, writes SageMaker's data capture to
moto's S3 per variant and publishes per-variant CloudWatch metrics. ``mlgate ab decide`` reads the answers from
that capture and the guardrails from those metrics, as it would on AWS. Labels are simulated from the answers the
clients got (the better version right on every row, the other wrong on every third).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from fakes.sagemaker_variants import VariantsStandIn, install_variants
from integration.test_cli_ab import write_labels
from integration.test_cli_deploy_sagemaker import (
    ENDPOINT,
    Project,
    Stage,
    make_project,
    stage,  # noqa: F401  # module fixture
    trained,  # noqa: F401  # module fixture
)
from integration.test_registry_sagemaker import candidates  # noqa: F401  # module fixture
from mlgate.config import load_config
from mlgate.registry import open_registry
from mlgate.registry.build import Candidate
from schemas import schema_validator

pytestmark = pytest.mark.slow

AB = "ab: {min_labels: 30, min_requests: 20}\n"


@pytest.fixture
def project(
    trained: Path,  # noqa: F811
    candidates: list[Candidate],  # noqa: F811
    tmp_path: Path,
    stage: Stage,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Project, VariantsStandIn]:
    """Versions 1 and 2 approved, 1 live on the endpoint, data capture on; the variants stand-in installed."""
    made = make_project(trained, tmp_path, stage, monkeypatch, capsys)
    config = made.folder / "mlgate.yaml"
    text = config.read_text("utf-8").replace("sagemaker:\n", "sagemaker:\n  data_capture_prefix: s3://{b}/capture\n")
    bucket = load_config(config).sagemaker.bucket
    config.write_text(text.replace("{b}", str(bucket)) + AB, "utf-8")
    registry = open_registry(load_config(config))
    assert [registry.register(c.version, c.artifact_file).version for c in candidates] == ["1", "2", "3"]
    made.arrange("1", "2")
    made.arrange_live("1")
    variants = install_variants(
        stage.proxy,
        made.stand_in,
        stage.moto,
        stage.cloudwatch,
        stage.s3,
        made.stand_in.respond,  # type: ignore[arg-type]
    )
    return made, variants


def invoke(on: Stage, rows: list[dict[str, Any]], clients: int) -> list[dict[str, Any]]:
    """``clients`` requests (one row each, InferenceId = the request id); what each got."""
    from mlgate.aws import client

    assert on.proxy.url, "through the proxy, where the variants stand-in routes"
    runtime = client("sagemaker-runtime", region="us-east-1")
    answers = []
    for i in range(clients):
        body = json.dumps({"instances": [rows[i % len(rows)]]})
        reply = runtime.invoke_endpoint(
            EndpointName=ENDPOINT, ContentType="application/json", Body=body, InferenceId=f"c{i}"
        )
        document = json.loads(reply["Body"].read())
        answers.append({"request_id": f"c{i}", "version": document["version"], "answer": document["predictions"][0]})
    return answers


def test_rows(project: Project) -> list[dict[str, Any]]:
    features = open_registry(load_config(project.folder / "mlgate.yaml")).get("1").features
    with (project.folder / "data" / "test.csv").open(encoding="utf-8", newline="") as file:
        return [{k: _value(row[k]) for k in features} for row in csv.DictReader(file)]


test_rows.__test__ = False  # type: ignore[attr-defined]


def _value(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def test_an_ab_test_on_two_production_variants_is_decided_from_data_capture_and_cloudwatch(
    project: tuple[Project, VariantsStandIn],
    stage: Stage,  # noqa: F811
    tmp_path: Path,
) -> None:
    made, variants = project
    code, started, err = made.mlgate("deploy", "2", "--ab", "50", "--target", "sagemaker", "--by", "carol")
    assert code == 0, err
    schema_validator("ab.schema.json").validate(started)
    assert started["split"]["challenger"] == "2"
    answers = invoke(stage, test_rows(made), 160)
    assert {a["version"] for a in answers} == {"1", "2"}, "both production variants answer"
    labels = write_labels(tmp_path / "labels.csv", answers, better="2")

    code, status, err = made.mlgate("ab", "status", "--labels", str(labels), "--target", "sagemaker")
    assert code == 0, err
    schema_validator("ab.schema.json").validate(status)
    health = {h["version"]: h for h in status["health"]}
    assert health["1"]["requests"] + health["2"]["requests"] == 160
    assert "CloudWatch" in health["1"]["source"]
    assert status["evidence"]["matched"] == 160, "every answer was read back from the data capture"
    assert (status["decision"]["outcome"], status["acted"]) == ("promote", "not-acted")

    code, decided, err = made.mlgate("ab", "decide", "--labels", str(labels), "--target", "sagemaker", "--by", "dana")
    assert code == 0, err
    assert decided["deploy"] is not None, (decided["decision"], decided["acted"], decided["message"])
    assert (decided["decision"]["outcome"], decided["acted"], decided["deploy"]["outcome"]) == (
        "promote",
        "promoted",
        "deployed",
    )
    assert made.live_config() == made.config_of("2"), "the challenger's own config serves everyone"
    (weights,) = variants.weight_requests
    assert {v["VariantName"]: v["DesiredWeight"] for v in weights["DesiredWeightsAndCapacities"]} == {
        "AllTraffic": 0.0,
        "Challenger": 1.0,
    }
    events = [e.event for e in open_registry(load_config(made.folder / "mlgate.yaml")).history()]
    assert events[-2:] == ["ab-decision", "deployed"]


def test_a_worse_challenger_on_sagemaker_is_stopped_and_rejected(
    project: tuple[Project, VariantsStandIn],
    stage: Stage,  # noqa: F811
    tmp_path: Path,
) -> None:
    made, _ = project
    assert made.mlgate("deploy", "2", "--ab", "50", "--target", "sagemaker")[0] == 0
    answers = invoke(stage, test_rows(made), 160)
    labels = write_labels(tmp_path / "labels.csv", answers, better="1")
    code, decided, err = made.mlgate("ab", "decide", "--labels", str(labels), "--target", "sagemaker")
    assert code == 0, err
    assert (decided["decision"]["outcome"], decided["acted"]) == ("stop", "stopped")
    assert made.live_config() == made.config_of("1")
    assert open_registry(load_config(made.folder / "mlgate.yaml")).get("2").status == "rejected"


def test_a_shadow_variant_is_read_back_from_data_capture_and_stopped(
    project: tuple[Project, VariantsStandIn],
    stage: Stage,  # noqa: F811
) -> None:
    made, variants = project
    code, started, err = made.mlgate("deploy", "2", "--shadow", "--fraction", "0.5", "--target", "sagemaker")
    assert (code, started["action"], started["version"], started["live"]) == (0, "started", "2", "1"), err
    answers = invoke(stage, test_rows(made), 80)
    assert {a["version"] for a in answers} == {"1"}, "clients only ever see the live version"
    shadowed = sum(1 for i in variants.invocations if i.shadow)
    assert 0 < shadowed < 80
    code, status, err = made.mlgate("shadow", "status", "--target", "sagemaker")
    assert code == 0, err
    schema_validator("shadow.schema.json").validate(status)
    assert (status["version"], status["running"], status["fraction"]) == ("2", True, 0.5)
    assert status["rows"] == status["answered"] == shadowed, "each shadowed request paired with its live answer"
    assert status["live_versions"] == ["1"]
    assert 0 <= status["disagreement"]["low"] <= status["disagreement"]["high"] <= 1
    assert "SageMaker captures neither latency" in status["notes"][0]
    code, monitored, err = made.mlgate("monitor", "--since", "1h", "--version", "1")
    assert code in (0, 1), err
    assert monitored["shadow"]["version"] == "2", "the monitor shows the shadow of its window, paired from capture"
    assert monitored["shadow"]["rows"] == shadowed
    code, stopped, err = made.mlgate("shadow", "stop", "--target", "sagemaker")
    assert (code, stopped["action"]) == (0, "stopped"), err
    assert made.live_config() == made.config_of("1")
    events = [e.event for e in open_registry(load_config(made.folder / "mlgate.yaml")).history()]
    assert events[-2:] == ["shadow-started", "shadow-stopped"]
