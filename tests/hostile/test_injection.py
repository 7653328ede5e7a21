"""Hostile text in every output: nothing from data acts in a PR comment, an issue, a terminal or the Actions log.

Each case puts one attack (a mention, a reference, a pipe, a bidirectional override, raw HTML, an escape
sequence, a workflow command, a token echo) where strangers control text (CSV headers and cells, DVC metric
keys, parameter values, ``compare --name``, approval reasons, captured traffic, deploy reasons, a GitHub error
body), drives the real CLI (``mlgate.cli.main``) or the renderer, and checks the exit code, that no traceback
appears, that the message names what is wrong, and that the oracles in ``tests/inert.py`` find nothing live.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings

from inert import hostile_text, log_problems, markdown_problems, terminal_problems
from mlgate.ab.model import AbChange
from mlgate.cli import main
from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.deploy.outcome import DeployOutcome, Step
from mlgate.github.client import GitHubClient, GitHubError
from mlgate.registry.model import HistoryEvent, StatusChange
from mlgate.registry.render import render_change, render_history, render_list, render_version
from mlgate.replay.model import Flip
from mlgate.report import ab as ab_report
from mlgate.report import deploy as deploy_report
from mlgate.report import monitor as monitor_report
from mlgate.report import replay as replay_report
from mlgate.report import shadow as shadow_report
from mlgate.report import validation as validation_report
from unit.registry.test_render import approved
from unit.report.monitor_results import PLAN, result
from unit.report.test_ab import result as ab_result
from unit.report.test_replay import result as replay_result
from unit.report.test_shadow import status as shadow_result
from unit.training.project import write_project

# (id, payload): one attack each; every payload carries INJECTED where a command could start
ATTACKS = [
    ("mention", "@someone"),
    ("team-mention", "@org/team"),
    ("reference", "#123"),
    ("pipe", "x|y"),
    ("backslash-pipe", "x\\|y"),
    ("bidi-override", "abc\u202eINJECTED"),
    ("raw-html", "<img src=x onerror=alert(1)>"),
    ("esc-sequence", "\x1b[2J\x1b[31mINJECTED"),
    ("osc8-hyperlink", "\x1b]8;;https://evil.example\x07INJECTED\x1b]8;;\x07"),
    ("bel", "bell\x07"),
    ("c1-csi", "\x9b31mINJECTED"),
    ("newline-error", "ok\n::error::INJECTED"),
    ("add-mask", "::add-mask::INJECTED"),
    ("legacy-group", "##[group]INJECTED"),
    ("stop-commands", "\n::stop-commands::INJECTED"),
    ("cr-warning", "ok\r  ::warning title=INJECTED::x"),
]
MARKDOWN_ATTACKS = [
    a
    for a in ATTACKS
    if a[0]
    in {
        "mention",
        "team-mention",
        "reference",
        "pipe",
        "backslash-pipe",
        "bidi-override",
        "raw-html",
        "esc-sequence",
        "newline-error",
    }
]
TEXT_ATTACKS = [
    a
    for a in ATTACKS
    if a[0]
    in {
        "esc-sequence",
        "osc8-hyperlink",
        "bel",
        "c1-csi",
        "bidi-override",
        "newline-error",
        "add-mask",
        "legacy-group",
        "stop-commands",
        "cr-warning",
    }
]


def no_traceback(err: str) -> None:
    assert "Traceback" not in err
    assert "internal error" not in err


def inert_everywhere(out: str, fmt: str) -> None:
    assert terminal_problems(out) == []
    assert log_problems(out) == []
    if fmt == "markdown":
        assert markdown_problems(out) == []


# --- compare: DVC metric keys, parameter values and --name reach the PR comment and the log ---------------------

COMPARE_CONFIG = "version: 1\nmetrics:\n  names: [accuracy]\n  primary: accuracy\nreport:\n  key: pr-check\n"


@pytest.mark.parametrize("fmt", ["markdown", "text", "github"])
@pytest.mark.parametrize(("where", "payload"), [(w, p) for w in ("metric", "param", "name") for _, p in ATTACKS[:12]])
def test_compare_shows_hostile_metric_keys_params_and_names_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, payload: str, fmt: str
) -> None:
    key = payload if where == "metric" else "f1"
    (tmp_path / "mlgate.yaml").write_text(COMPARE_CONFIG, encoding="utf-8")
    (tmp_path / "old.json").write_text(json.dumps({"test": {key: 0.9, "accuracy": 0.9}}), encoding="utf-8")
    (tmp_path / "new.json").write_text(json.dumps({"test": {key: 0.95, "accuracy": 0.91}}), encoding="utf-8")
    value = payload if where == "param" else 1.0
    (tmp_path / "old-p.json").write_text(json.dumps({"train": {"C": 1.0}}), encoding="utf-8")
    (tmp_path / "new-p.json").write_text(json.dumps({"train": {"C": value}}), encoding="utf-8")
    name = payload if where == "name" else "churn"
    code = main(
        [
            "compare",
            "--config",
            str(tmp_path / "mlgate.yaml"),
            "--baseline",
            str(tmp_path / "old.json"),
            "--candidate",
            str(tmp_path / "new.json"),
            "--baseline-params",
            str(tmp_path / "old-p.json"),
            "--candidate-params",
            str(tmp_path / "new-p.json"),
            "--name",
            name,
            "--format",
            fmt,
        ]
    )
    out, err = capsys.readouterr()
    no_traceback(err)
    assert code in (0, 1, 2), err
    if code == 1:  # an unknown metric name is judged lower-is-better: its rise fails the gate, which is said
        assert "gate failed" in out or "gate%3A" in out or "failed gate" in out
    if code == 2:  # a name mlgate cannot use is refused with a message that names it, and nothing is printed
        assert "mlgate: error:" in err
        assert out == ""
        inert_everywhere(err, "text")
        return
    inert_everywhere(out, fmt)


# --- validate: CSV headers and cells -------------------------------------------------------------------------------

SCHEMA = "fields:\n  - {name: a, type: integer, constraints: {maximum: 5}}\n  - {name: b, type: string}\n"


def write_csv(folder: Path, header: str, cell: str) -> Path:
    def quote(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    path = folder / "data.csv"
    path.write_bytes(f"a,{quote(header)}\n1,x\n9,{quote(cell)}\n".encode())
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "github", "markdown"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_validate_shows_a_hostile_header_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str, payload: str, fmt: str
) -> None:
    data = write_csv(tmp_path, payload, "x")
    code = main(["validate", str(data), "--schema", str(tmp_path / "schema.yaml"), "--format", fmt])
    out, err = capsys.readouterr()
    no_traceback(err)
    assert code == 1
    assert "extra-column" in out
    assert "missing-column" in out  # the message names what is wrong: b is missing, the hostile one is extra
    inert_everywhere(out, fmt)


@pytest.mark.parametrize("fmt", ["text", "github", "markdown"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_validate_shows_a_hostile_example_value_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str, payload: str, fmt: str
) -> None:
    data = write_csv(tmp_path, "b", "x")
    (tmp_path / "schema.yaml").write_text(SCHEMA.replace("type: string}", "type: string, constraints: {maxLength: 2}}"))
    data.write_bytes(f'a,b\n1,x\n2,"{payload.replace(chr(34), chr(34) * 2)}"\n'.encode())
    code = main(["validate", str(data), "--schema", str(tmp_path / "schema.yaml"), "--format", fmt])
    out, err = capsys.readouterr()
    no_traceback(err)
    assert code == 1
    assert "maxLength" in out or "max-length" in out or "maxlength" in out.lower()
    inert_everywhere(out, fmt)


# --- registry: --reason and --by -------------------------------------------------------------------------------

MODELS = "tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 2}}\n"


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    config = write_project(folder, models=MODELS, extra="registry: {path: state/registry}\n")
    assert main(["train", "--config", str(config), "--out", str(folder / "results"), "--format", "json"]) == 0
    assert (
        main(["registry", "register", "--best", str(folder / "results"), "--config", str(config), "--format", "json"])
        == 0
    )
    return folder


@pytest.mark.parametrize(("attack", "payload"), TEXT_ATTACKS, ids=[a for a, _ in TEXT_ATTACKS])
def test_registry_shows_hostile_reasons_and_actors_inert(
    registered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str, payload: str
) -> None:
    import shutil

    shutil.copytree(registered, tmp_path / "p")
    config = ["--config", str(tmp_path / "p" / "mlgate.yaml")]
    capsys.readouterr()
    assert main(["registry", "approve", "1", "--reason", payload, "--by", payload, *config]) == 0
    outputs = [capsys.readouterr()]
    for command in (["list"], ["history"], ["show", "1"]):
        assert main(["registry", *command, *config]) == 0
        outputs.append(capsys.readouterr())
    for captured in outputs:
        no_traceback(captured.err)
        inert_everywhere(captured.out, "text")
        inert_everywhere(captured.err, "text")
    assert "approved" in outputs[1].out


# --- monitor: captured categorical values in the report, the issue and the log --------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "text", "github"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_monitor_report_shows_captured_values_inert(attack: str, payload: str, fmt: str) -> None:
    hostile = dataclasses.replace(
        PLAN,
        field=payload,
        new_categories=(payload, "gold"),
        missing_categories=(payload,),
        labels=(payload, "premium", "(other)"),
    )
    base = result()
    drift = dataclasses.replace(base.feature_drift, fields=(hostile,)) if base.feature_drift else None
    schema = base.schema
    assert schema is not None
    violation = dataclasses.replace(schema.violations[0], field=payload, examples=(payload,), message=payload)
    monitored = result(
        feature_drift=drift,
        schema=dataclasses.replace(schema, violations=(violation,), invalid_requests=(payload,)),
        notes=(payload,),
        version=payload,
    )
    out = {
        "markdown": monitor_report.render_markdown,
        "text": monitor_report.render_text,
        "github": monitor_report.render_github,
    }[fmt](monitored)
    inert_everywhere(out, fmt)
    assert "breach" in out.lower() or "drift" in out.lower()


# --- replay: captured feature values, request ids and answers ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "text", "github"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_replay_report_shows_traffic_values_inert(attack: str, payload: str, fmt: str) -> None:
    base = replay_result()
    segments = tuple(dataclasses.replace(s, feature=payload, value=payload) for s in base.segments)
    flips = (Flip(payload, payload, payload),)
    replayed = dataclasses.replace(
        base, segments=segments, flips=flips, invalid_examples=(payload,), notes=(payload,), location=payload
    )
    render = {
        "markdown": replay_report.render_markdown,
        "text": replay_report.render_text,
        "github": replay_report.render_github,
    }
    out = render[fmt](replayed)
    inert_everywhere(out, fmt)
    assert "fail" in out


# --- shadow status: answers, request ids, feature values and errors from traffic ----------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "text", "github"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_shadow_status_shows_traffic_values_inert(attack: str, payload: str, fmt: str) -> None:
    base = shadow_result()
    shadowed = dataclasses.replace(
        base,
        segments=tuple(dataclasses.replace(s, feature=payload, value=payload) for s in base.segments),
        flips=(Flip(payload, payload, payload),),
        errors=(payload,),
        live_versions=(payload,),
    )
    render = {
        "markdown": shadow_report.render_markdown,
        "text": shadow_report.render_text,
        "github": shadow_report.render_github,
    }
    inert_everywhere(render[fmt](shadowed), fmt)


# --- A/B tests: version names, the routing key, reasons and notes from the registry and the config ----------------


@pytest.mark.parametrize("fmt", ["markdown", "text", "github"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_ab_report_shows_registry_and_config_values_inert(attack: str, payload: str, fmt: str) -> None:
    base = ab_result()
    assert base.evidence is not None
    assert base.decision is not None
    split = dataclasses.replace(base.split, champion=payload, challenger=payload, key=payload, started_at=payload)
    guard = dataclasses.replace(base.decision.guardrails[0], name=payload, limit=payload, measured=payload)
    hostile = dataclasses.replace(
        base,
        split=split,
        message=payload,
        health=tuple(dataclasses.replace(h, version=payload, source=payload) for h in base.health),
        evidence=dataclasses.replace(base.evidence, metric=payload, notes=(payload,)),
        decision=dataclasses.replace(base.decision, reason=payload, guardrails=(guard,)),
    )
    render = {"markdown": ab_report.render_markdown, "text": ab_report.render_text, "github": ab_report.render_github}
    inert_everywhere(render[fmt](hostile), fmt)
    change = AbChange("started", split, payload, payload)
    inert_everywhere(render[fmt](change), fmt)


# --- deploy and rollback narration --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
@pytest.mark.parametrize(("attack", "payload"), ATTACKS, ids=[a for a, _ in ATTACKS])
def test_deploy_narration_shows_reasons_and_details_inert(attack: str, payload: str, fmt: str) -> None:
    outcome = DeployOutcome(
        action="deploy",
        outcome="refused",
        target="local",
        version=payload,
        previous=None,
        live="6",
        reason=f"version {payload} is rejected",
        steps=(Step("gate", "failed", payload, 0.1, hint=payload),),
    )
    out = {
        "text": deploy_report.render_text,
        "markdown": deploy_report.render_markdown,
        "github": deploy_report.render_github,
    }[fmt](outcome)
    inert_everywhere(out, fmt)
    assert "refused" in out


# --- GitHub: an error body that echoes the token ------------------------------------------------------------------

TOKEN = "ghs_" + "Zq9" * 12


@pytest.mark.parametrize(
    "body",
    [
        {"message": f"Bad credentials: Authorization: Bearer {TOKEN}"},
        {"message": "Validation Failed", "errors": [{"message": f"header token {TOKEN} refused"}]},
        {"message": f"proxy echoed {TOKEN}\n::error::INJECTED"},
        {"message": f"{'x' * 290}{TOKEN}"},  # the token straddles the 300-character cut
    ],
)
def test_a_github_error_never_prints_the_token(body: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(401, json=body))
    with httpx.Client(transport=transport) as session:
        client = GitHubClient(session, base_url="http://127.0.0.1:9", token=TOKEN, sleep=lambda _: None)
        with pytest.raises(GitHubError, match="401") as caught:
            client.get("/repos/o/r/pulls/1")
    assert TOKEN not in caught.value.message
    assert TOKEN[:12] not in caught.value.message
    from mlgate.cli import report_exception

    assert report_exception(caught.value) == 3
    err = capsys.readouterr().err
    assert TOKEN[:12] not in err
    assert "GitHub API" in err
    no_traceback(err)
    assert log_problems(err) == []


# --- every renderer, property-based: hypothesis glues attack fragments and arbitrary text ---------------------------


BOUNDED = settings(max_examples=200, deadline=None, derandomize=True)


@BOUNDED
@given(hostile_text(), hostile_text())
def test_every_validation_format_is_inert(name: str, value: str) -> None:
    violation = Violation(name, "enum", "error", 2, (2, 3), f"not one of {value}", lines=(3, 4), examples=(value,))
    hostile = ValidationResult(name, (FileResult(name, "csv", 2, 2, 0.1, (violation,), notes=(value,)),))
    inert_everywhere(validation_report.render_markdown(hostile), "markdown")
    inert_everywhere(validation_report.render_text(hostile), "text")
    inert_everywhere(validation_report.render_github(hostile), "github")


@BOUNDED
@given(hostile_text(), hostile_text())
def test_every_monitor_format_is_inert(name: str, value: str) -> None:
    hostile = dataclasses.replace(PLAN, field=name, new_categories=(value,), labels=(value, "b", "c"))
    base = result()
    assert base.feature_drift is not None
    monitored = result(feature_drift=dataclasses.replace(base.feature_drift, fields=(hostile,)), notes=(value,))
    inert_everywhere(monitor_report.render_markdown(monitored), "markdown")
    inert_everywhere(monitor_report.render_text(monitored), "text")
    inert_everywhere(monitor_report.render_github(monitored), "github")


@BOUNDED
@given(hostile_text(), hostile_text())
def test_every_deploy_format_is_inert(version: str, value: str) -> None:
    outcome = DeployOutcome(
        action="rollback",
        outcome="needs-person",
        target="local",
        version=version,
        previous=None,
        live=version,
        reason=value,
        steps=(Step("smoke", "failed", value, 0.1, hint=value),),
    )
    inert_everywhere(deploy_report.render_markdown(outcome), "markdown")
    inert_everywhere(deploy_report.render_text(outcome), "text")
    inert_everywhere(deploy_report.render_github(outcome), "github")


@BOUNDED
@given(hostile_text(), hostile_text())
def test_every_registry_text_is_inert(by: str, reason: str) -> None:
    version = approved()
    change = StatusChange("approved", by, reason, "2026-01-01T00:00:00Z")
    hostile = dataclasses.replace(version, model=by, registered_by=by, history=(change,), features=(reason,))
    for text in (
        render_list([hostile]),
        render_version(hostile),
        render_change("approved", hostile, reason),
        render_history([HistoryEvent("2026-01-01T00:00:00Z", "approved", by, by, reason)]),
    ):
        inert_everywhere(text, "text")


@BOUNDED
@given(hostile_text(), hostile_text())
def test_every_replay_format_is_inert(name: str, value: str) -> None:
    base = replay_result()
    segments = tuple(dataclasses.replace(s, feature=name, value=value) for s in base.segments)
    replayed = dataclasses.replace(base, segments=segments, flips=(Flip(value, name, value),), notes=(value,))
    inert_everywhere(replay_report.render_markdown(replayed), "markdown")
    inert_everywhere(replay_report.render_text(replayed), "text")
    inert_everywhere(replay_report.render_github(replayed), "github")
