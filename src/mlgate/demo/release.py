"""The demo's release steps: register and approve, the endpoint, deploy and call it, a failing deploy, an A/B test.

Everything goes through the code ``mlgate registry``, ``mlgate serve`` and ``mlgate deploy`` run: the
registry of the generated project, a real server on a free loopback port, the deploy flow with its live
smoke test and automatic rollback, and the monitor of ``mlgate monitor`` on the traffic it captured (``watch``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.config import ModelConfig
from mlgate.demo import abtest, watch
from mlgate.demo.endpoint import Endpoint, is_listening, running_endpoint
from mlgate.demo.steps import Outcome, StepRunner

if TYPE_CHECKING:
    import httpx

    from mlgate.config import Config
    from mlgate.demo.lifecycle import Demo
    from mlgate.deploy.flow import Deployer
    from mlgate.registry.model import ModelVersion, Registry

ACTOR = "demo"
# The second version: a model whose answers are random (no seed), approved by mistake. Its live answers cannot
# reproduce the predictions recorded when it was registered, so the golden check of the smoke test fails.
UNREPRODUCIBLE = ModelConfig("sklearn.dummy.DummyClassifier", {"strategy": "uniform", "random_state": None})
UNREPRODUCIBLE_NAME = "coin_flip"
LOGGERS = ("mlgate", "uvicorn")


@dataclass
class Serving:
    """The running endpoint, the HTTP client the deploys use, and the project's registry."""

    endpoint: Endpoint
    http: httpx.Client
    registry: Registry
    config: Config
    versions: dict[str, str]


def register_best(
    demo: Demo, results: Path, *, reason: str, model: str | None = None, config: Config | None = None
) -> ModelVersion:
    """Register the best model (or ``model``) of ``results`` and approve it as the demo actor (as the commands do)."""
    from mlgate.registry import open_registry
    from mlgate.registry.changes import change_status, register_results

    config = config or demo.config()
    store = open_registry(config)
    stored = register_results(
        store, results, config, model=model, best=model is None, by=ACTOR, now=demo.now(), progress=demo.say
    ).version
    demo.say(f"registered version {stored.version} ({stored.model}); approving it as {ACTOR}")
    return change_status(store, stored.version, "approved", by=ACTOR, reason=reason).version


def register_step(demo: Demo) -> Outcome:
    results = Path(demo.locations["main results"])
    version = register_best(demo, results, reason="mlgate demo: main's best model, metrics reviewed")
    config = demo.config()
    if config.registry.backend == "mlflow":
        demo.locations["registry"] = str(demo.folder / "mlflow")  # the MLflow server's store (SQLite, artifacts)
    else:
        demo.locations["registry"] = str(Path(config.registry.path).resolve())
    demo.commits["good"] = version.version
    primary = config.metrics.primary
    score = f", {primary} {version.metrics[primary]:.4f}" if primary in version.metrics else ""
    summary = f"version {version.version}: {version.model} ({version.estimator}{score}), {version.status}"
    facts = {
        "version": version.version,
        "model": version.model,
        "status": version.status,
        "golden": len(version.golden),
    }
    return Outcome(version.status == "approved", summary, facts=facts)


@contextmanager
def endpoint_step(demo: Demo, runner: StepRunner) -> Iterator[Serving | None]:
    """The step that starts the endpoint; it keeps running until the block ends (also on errors and Ctrl-C)."""
    from mlgate.deploy.open import open_http
    from mlgate.registry import open_registry

    with ExitStack() as stack:
        started: list[Serving] = []

        def start() -> Outcome:
            config = demo.config()
            state = Path(config.deploy.state).resolve()
            stack.enter_context(logging_to(demo.folder / "logs" / "endpoint.log"))
            capture = watch.capture_settings(config)  # on for the demo's endpoint only: mlgate.yaml is unchanged
            endpoint = stack.enter_context(running_endpoint(state, capture=capture))
            http = stack.enter_context(open_http(config))
            started.append(Serving(endpoint, http, open_registry(config), config, {}))
            demo.locations["endpoint"] = endpoint.url
            demo.locations["live pointer"] = str(state / "live.json")
            demo.locations["endpoint log"] = str(demo.folder / "logs" / "endpoint.log")
            ping = http.get(endpoint.url + "/ping")
            summary = (
                f"listening on {endpoint.url} (state {state}); /ping answers {ping.status_code}: nothing deployed yet"
            )
            facts = {"url": endpoint.url, "port": endpoint.port, "state": str(state), "ping": ping.status_code}
            return Outcome(is_listening(endpoint.port) and ping.status_code == 503, summary, facts=facts)

        runner.run("endpoint", "Start the local endpoint", start)
        yield started[0] if started and not runner.failed else None


def run_release(demo: Demo, runner: StepRunner, serving: Serving) -> None:
    """Deploy the approved version, call it, deploy a failing one, monitor the traffic, A/B test a retrained model
    and promote it, read the history."""
    good = demo.commits["good"]
    runner.run("deploy", f"Deploy version {good} (smoke-tested live)", lambda: deploy_step(demo, serving, good))
    runner.run(
        "predict", "Call the endpoint with a row of the test data, as the file holds it", lambda: predict_step(serving)
    )
    runner.run(
        "deploy-failing",
        "Deploy a version that fails its live smoke test: automatic rollback",
        lambda: failing_step(demo, serving, good),
    )
    runner.run(
        "monitor",
        "Watch production traffic: a clean stream, then a drifted one",
        lambda: watch.watch_step(demo, serving),
    )
    runner.run(
        "ab-start",
        "The world changes: a retrained model answers half of the clients (A/B test)",
        lambda: abtest.start_step(demo, serving),
    )
    runner.run(
        "ab-decide",
        "Simulated customers and labels; the sequential test decides",
        lambda: abtest.decide_step(demo, serving),
    )
    runner.run("history", "The registry's deploy history", lambda: history_step(serving))


def deployer_for(demo: Demo, serving: Serving) -> Deployer:
    """The deployer ``mlgate deploy`` builds, on the running endpoint's state, client and registry."""
    from mlgate.deploy.open import make_deployer
    from mlgate.deploy.target import TargetOptions

    options = TargetOptions(state=serving.endpoint.state, http=serving.http)
    return make_deployer(serving.config, serving.registry, "local", options, actor=ACTOR, say=demo.say, now=demo.now)


def deploy_step(demo: Demo, serving: Serving, version: str) -> Outcome:
    from mlgate.deploy import flow
    from mlgate.report import deploy as render

    outcome = flow.deploy(deployer_for(demo, serving), version)
    ok = outcome.outcome == "deployed" and outcome.live == version
    summary = f"{outcome.outcome}: {outcome.reason}"
    return Outcome(ok, summary, render.render_text(outcome), _outcome_facts(outcome))


def predict_step(serving: Serving) -> Outcome:
    """POST the first row of the test data exactly as the file holds it, header (and target) included."""
    live = serving.registry.get(live_version(serving))
    config = serving.config
    source = Path(config.data.test or config.data.train or "")
    request = "\n".join(source.read_text(encoding=config.data.csv.encoding or "utf-8").splitlines()[:2]) + "\n"
    response = serving.http.post(
        serving.endpoint.url + "/invocations", content=request.encode("utf-8"), headers={"Content-Type": "text/csv"}
    )
    body = response.json()
    prediction = body.get("predictions", [None])[0] if isinstance(body, dict) else None
    detail = "\n".join(
        [
            f"$ head -2 {source.name} | POST {serving.endpoint.url}/invocations (text/csv)",
            *request.splitlines(),
            f"→ {response.status_code} {json.dumps(body, ensure_ascii=False)}",
        ]
    )
    ok = response.status_code == 200 and isinstance(body, dict) and body.get("version") == live.version
    summary = f"version {body.get('version') if isinstance(body, dict) else '?'} predicts {prediction!r}"
    return Outcome(ok, summary, detail, {"request": request, "status": response.status_code, "response": body})


def failing_step(demo: Demo, serving: Serving, good: str) -> Outcome:
    from mlgate.deploy import flow
    from mlgate.report import deploy as render
    from mlgate.training.run import train_models

    config = dataclasses.replace(serving.config, models={UNREPRODUCIBLE_NAME: UNREPRODUCIBLE})
    demo.say(f"training {UNREPRODUCIBLE_NAME}: {UNREPRODUCIBLE.estimator}({UNREPRODUCIBLE.params}): random answers")
    out = demo.folder / "runs" / UNREPRODUCIBLE_NAME
    train_models(config, out=out, progress=demo.say)
    bad = register_best(demo, out, model=UNREPRODUCIBLE_NAME, config=config, reason="mlgate demo: approved by mistake")
    outcome = flow.deploy(deployer_for(demo, serving), bad.version)
    status = serving.registry.get(bad.version).status
    failed = [c.name for c in (outcome.smoke.failures if outcome.smoke is not None else ())]
    ok = outcome.outcome == "rolled-back" and outcome.live == good and status == "rejected" and bool(failed)
    summary = (
        f"version {bad.version} failed its smoke test ({', '.join(failed) or 'no check failed'}); "
        f"{outcome.outcome}: version {outcome.live} is live again, version {bad.version} is {status}"
    )
    facts = _outcome_facts(outcome) | {"failed_version": bad.version, "failed_checks": failed, "status": status}
    return Outcome(ok, summary, render.render_text(outcome), facts, failed=outcome.outcome != "deployed")


def history_step(serving: Serving) -> Outcome:
    from mlgate.deploy.history import LIVE_EVENTS, live_sequence
    from mlgate.registry.render import render_history

    events = list(serving.registry.history())
    names = [e.event for e in events if e.event in LIVE_EVENTS]
    timeline = live_sequence(events)
    experiments = [e.event for e in events if e.event.startswith("ab-")]
    live = live_version(serving)
    ok = names == ["deployed", "deploy-failed", "deployed"] and live == (timeline[-1] if timeline else None)
    summary = (
        f"{len(events)} events; deploys: {', '.join(names)}; A/B: {', '.join(experiments)}; live now: version {live}"
    )
    facts = {
        "events": [{"at": e.at, "event": e.event, "version": e.version, "by": e.by} for e in events],
        "deploys": names,
        "experiments": experiments,
        "timeline": timeline,
    }
    return Outcome(ok, summary, render_history(events), facts)


def stopped_step(demo: Demo, port: int) -> Outcome:
    """After the endpoint block: the server is gone and every artifact is where the summary says."""
    listening = is_listening(port)
    missing = [label for label, where in demo.locations.items() if "://" not in where and not Path(where).exists()]
    detail = "\n".join(f"{label:<24} {where}" for label, where in demo.locations.items())
    ok = not listening and not missing
    summary = "endpoint stopped; " + (f"missing: {', '.join(missing)}" if missing else "every artifact is in place")
    return Outcome(ok, summary, detail, {"listening": listening, "missing": missing})


def live_version(serving: Serving) -> str:
    from mlgate.serve.state import read_pointer

    pointer = read_pointer(serving.endpoint.state)
    return pointer.version if pointer is not None else ""


def _outcome_facts(outcome: Any) -> dict[str, Any]:
    return {
        "outcome": outcome.outcome,
        "version": outcome.version,
        "previous": outcome.previous,
        "live": outcome.live,
        "reason": outcome.reason,
    }


@contextmanager
def logging_to(path: Path) -> Iterator[None]:
    """Send mlgate's and uvicorn's log records to ``path`` while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()
