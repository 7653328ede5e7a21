"""``mlgate compare`` end to end through the CLI entry point: exit codes, merging, DVC files, outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from mlgate.cli import main
from mlgate.results import Evaluation, ModelResult, ResultSet, write_results
from mlgate.text.markdown import md

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "compare.schema.json"
BASE_SHA = "d3cd69f" + "0" * 33
HEAD_SHA = "2737c6a" + "1" * 33
EVALUATION = Evaluation("holdout", train_rows=80, test_rows=20, data_sha256="cd" * 32)
CONFIG = """\
version: 1
metrics:
  names: [accuracy, neg_log_loss]  # log_loss is stored without scikit-learn's neg_
  primary: accuracy
  gates:
    accuracy: {rel_tol: 0.02}
    log_loss: {severity: warn}
report:
  key: pr-check
"""


@pytest.fixture(autouse=True)
def outside_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def save(folder: Path, models: dict[str, dict[str, float]], *, commit: str = HEAD_SHA, **params: float) -> str:
    results = ResultSet(
        models={
            name: ModelResult(name, "sklearn.Estimator", params=dict(params), metrics=metrics)
            for name, metrics in models.items()
        },
        commit=commit,
        evaluation=EVALUATION,
        primary="accuracy",
    )
    write_results(folder, results)
    return str(folder)


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "mlgate.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["compare", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("accuracy", "log_loss", "code", "statuses"),
    [
        (0.89, 0.30, 0, {"accuracy": "same", "log_loss": "same"}),  # −1.1 %: within the 2 % tolerance
        (0.95, 0.25, 0, {"accuracy": "better", "log_loss": "better"}),
        (0.85, 0.30, 1, {"accuracy": "fail", "log_loss": "same"}),  # the peers' acceptance case: −5.6 % fails
        (0.90, 0.40, 0, {"accuracy": "same", "log_loss": "warn"}),  # only a warning: still exit 0
    ],
)
def test_exit_codes_follow_the_gates(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    config: str,
    accuracy: float,
    log_loss: float,
    code: int,
    statuses: dict[str, str],
) -> None:
    base = save(tmp_path / "base", {"lr": {"accuracy": 0.90, "log_loss": 0.30}}, commit=BASE_SHA)
    new = save(tmp_path / "new", {"lr": {"accuracy": accuracy, "log_loss": log_loss}})
    exit_code, out, _ = run(capsys, "--config", config, "--baseline", base, "--candidate", new, "--format", "json")
    document = json.loads(out)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(document)
    assert exit_code == code
    assert {k: v["status"] for k, v in document["metrics"]["lr"].items()} == statuses
    assert document["schema_version"] == 1
    assert (document["baseline"]["commit"], document["candidate"]["commit"]) == (BASE_SHA, HEAD_SHA)


def test_failures_come_first_in_the_markdown_and_files_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str
) -> None:
    base = save(tmp_path / "base", {"a": {"accuracy": 0.9, "log_loss": 0.3}, "b": {"accuracy": 0.9}}, commit=BASE_SHA)
    new = save(tmp_path / "new", {"a": {"accuracy": 0.9, "log_loss": 0.5}, "b": {"accuracy": 0.8}}, C=2.0)
    out_file, summary = tmp_path / "out" / "comment.md", tmp_path / "summary.md"
    code, out, _ = run(
        capsys,
        "--config",
        config,
        "--baseline",
        base,
        "--candidate",
        new,
        "--format",
        "markdown",
        "--out",
        str(out_file),
        "--summary",
        str(summary),
        "--head",
        HEAD_SHA,
    )
    assert code == 1
    comment = out_file.read_text(encoding="utf-8")
    assert out == comment
    assert comment.startswith(f"<!-- mlgate:report v=1 key=pr-check head={HEAD_SHA} hash=")
    assert comment.splitlines()[1] == "### ❌ mlgate: 1 gate failed — **b** accuracy −11.1 % (tolerance 2 %)"
    statuses = re.findall(r"^\| (\w) .*\|\s+(❌|⚠️|➖)\s+\|$", comment, re.MULTILINE)
    assert statuses[:2] == [("b", "❌"), ("a", "⚠️")]
    assert summary.read_text(encoding="utf-8") == comment  # small enough: the budget cut nothing


def test_several_candidate_folders_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str) -> None:
    base = save(tmp_path / "base", {"a": {"accuracy": 0.9}, "b": {"accuracy": 0.8}}, commit=BASE_SHA)
    leg_a = save(tmp_path / "leg-a", {"a": {"accuracy": 0.95}})
    leg_b = save(tmp_path / "leg-b", {"b": {"accuracy": 0.85}})
    for args in (["--candidate", leg_a, leg_b], ["--candidate", leg_a, "--candidate", leg_b]):
        code, out, _ = run(capsys, "--config", config, "--baseline", base, *args, "--format", "json")
        document = json.loads(out)
        assert code == 0
        assert {m: v["accuracy"]["status"] for m, v in document["metrics"].items()} == {"a": "better", "b": "better"}
        assert document["best_model"] == "a"


def test_a_model_in_two_candidate_folders_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str
) -> None:
    leg_a = save(tmp_path / "leg-a", {"a": {"accuracy": 0.91}})
    leg_b = save(tmp_path / "leg-b", {"a": {"accuracy": 0.85}})
    code, out, err = run(capsys, "--config", config, "--candidate", leg_a, leg_b)
    assert (code, out) == (2, "")
    assert f"model 'a' is in two candidate sets: {leg_a} and {leg_b}" in err


def test_without_a_baseline_the_report_is_current_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str
) -> None:
    new = save(tmp_path / "new", {"a": {"accuracy": 0.9}})
    missing = str(tmp_path / "cache" / "nothing-here")
    code, out, _ = run(capsys, "--config", config, "--baseline", missing, "--candidate", new, "--format", "markdown")
    assert code == 0
    assert "### ✅ mlgate: no baseline, current results only — best model **a** (accuracy 0.9000)" in out
    assert f"**No baseline**: {md(missing, 200)} does not exist" in out
    code, out, err = run(capsys, "--config", config, "--baseline", missing, "--candidate", new, "--require-baseline")
    assert (code, out) == (2, "")
    assert f"mlgate: error: no baseline: {missing} does not exist" in err
    Path(config).write_text(CONFIG + "baseline:\n  require: true\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", config, "--candidate", new)
    assert code == 2
    assert "mlgate: error: no baseline: no --baseline was given" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no candidate results given"),
        (["--candidate", "{tmp}/absent"], "absent not found"),
        (["--candidate", "{tmp}/broken.json"], "not valid JSON"),
        (["--candidate", "{tmp}/new", "--baseline", "{tmp}/broken.json"], "not valid JSON"),
    ],
)
def test_unusable_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, args: list[str], message: str
) -> None:
    save(tmp_path / "new", {"a": {"accuracy": 0.9}})
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    code, out, err = run(capsys, "--config", config, *(a.format(tmp=tmp_path) for a in args))
    assert (code, out) == (2, "")
    assert message in err


def test_dvc_metrics_and_params_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str) -> None:
    (tmp_path / "old.json").write_text(json.dumps({"test": {"f1": 0.9, "accuracy": 0.9}}), encoding="utf-8")
    (tmp_path / "new.yaml").write_text("test:\n  f1: 0.93\n  accuracy: 0.91\n", encoding="utf-8")
    (tmp_path / "old-params.yaml").write_text("train:\n  C: 1.0\n  seed: 1\n", encoding="utf-8")
    (tmp_path / "new-params.yaml").write_text("train:\n  C: 0.1\n  seed: 1\n", encoding="utf-8")
    code, out, _ = run(
        capsys,
        "--config",
        config,
        "--baseline",
        str(tmp_path / "old.json"),
        "--candidate",
        str(tmp_path / "new.yaml"),
        "--baseline-params",
        str(tmp_path / "old-params.yaml"),
        "--candidate-params",
        str(tmp_path / "new-params.yaml"),
        "--name",
        "churn",
        "--format",
        "markdown",
    )
    assert code == 0
    assert re.search(
        r"^\| churn +\| test\.f1 +\| +0\.9000 \| +0\.9300 \| +\+0\.0300 \| +\+3\.33 % \| +✅ +\|$", out, re.M
    )
    assert re.search(r"^\| churn +\| train\.C +\| 1\.0 +\| 0\.1 +\|$", out, re.MULTILINE)


def test_text_is_the_default_format_outside_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str
) -> None:
    base = save(tmp_path / "base", {"a": {"accuracy": 0.9}}, commit=BASE_SHA)
    code, out, _ = run(capsys, "--config", config, "--baseline", base, "--candidate", base)
    assert code == 0
    assert out.startswith("✓ mlgate: all gates passed — best model a (accuracy 0.9000)\n")


def test_github_format_annotates_failed_gates(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str) -> None:
    base = save(tmp_path / "base", {"a": {"accuracy": 0.9}}, commit=BASE_SHA)
    new = save(tmp_path / "new", {"a": {"accuracy": 0.5}})
    code, out, _ = run(capsys, "--config", config, "--baseline", base, "--candidate", new, "--format", "github")
    assert code == 1
    assert out.startswith("::error title=mlgate gate%3A a accuracy::a accuracy: 0.9000 → 0.5000 (−44.4 %25)")
