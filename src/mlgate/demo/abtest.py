"""The demo's A/B chapter: a model retrained after the world changed challenges the live one on half of the clients.

The story is synthetic, and the narration says so. After a price rise, customers who pay more leave (``PRICE_RISE``:
the churn probability of a row grows with its ``monthly_charges``); the live version learnt the old behaviour. The
live version's model (same estimator, same settings) is retrained on the project's rows relabelled by that rule (the
fresh labels a team would collect), registered, approved and put on ``--ab 50`` (``mlgate.ab.flow.start_ab``). Then
simulated customers send the test rows (each its own sticky client), the labels of their requests are drawn from the
same rule (they stand for the delayed ground truth), and ``mlgate ab decide``'s code judges them with the sequential
test and promotes the challenger through a deploy. Labels are drawn with a fixed seed, so every run tells the same
story.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.demo.steps import Outcome
from mlgate.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    import numpy as np

    from mlgate.config import Config
    from mlgate.demo.lifecycle import Demo
    from mlgate.demo.release import Serving

PERCENT = 50.0
SEED = 20261207
PASSES = 1  # each test row is sent by this many customers (each with its own label)
CHARGES = "monthly_charges"


@dataclass(frozen=True)
class ChurnRule:
    """The synthetic world after the change: P(churn) = 1 / (1 + exp(−slope × (monthly_charges − pivot)))."""

    pivot: float
    slope: float

    def probability(self, charges: float) -> float:
        z = self.slope * (charges - self.pivot)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        return math.exp(z) / (1.0 + math.exp(z))  # the same, without overflow far below the pivot

    def draw(self, charges: Sequence[float], rng: np.random.Generator) -> list[bool]:
        """One outcome per value of ``charges``, drawn with ``rng``."""
        return [bool(rng.random() < self.probability(c)) for c in charges]

    def describe(self) -> str:
        return f"P(churn) = 1 / (1 + exp(−{self.slope:g} × ({CHARGES} − {self.pivot:g})))"


PRICE_RISE = ChurnRule(pivot=70.0, slope=0.15)


def relabel_file(source: Path, destination: Path, *, target: str, rule: ChurnRule, seed: int) -> int:
    """Copy the CSV ``source`` with its ``target`` column drawn from ``rule``; the number of rows that churn."""
    import numpy as np

    with source.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    if target not in fields or CHARGES not in fields:
        raise ConfigError(f"{source} has no {target!r} or {CHARGES!r} column: the demo's A/B chapter needs both")
    outcomes = rule.draw([float(row[CHARGES]) for row in rows], np.random.default_rng(seed))
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {**row, target: "true" if churned else "false"} for row, churned in zip(rows, outcomes, strict=True)
        )
    return sum(outcomes)


def retrained_config(config: Config, model: str, folder: Path) -> Config:
    """``config`` training only ``model`` on its train and test files relabelled by the new rule (in ``folder``)."""
    assert config.data.train is not None
    assert config.data.test is not None
    assert config.target is not None
    files = {}
    for offset, (name, path) in enumerate((("train", config.data.train), ("test", config.data.test))):
        copy = folder / Path(path).name
        relabel_file(Path(path), copy, target=config.target, rule=PRICE_RISE, seed=SEED + 1 + offset)
        files[name] = str(copy)
    data = dataclasses.replace(
        config.data, train=files["train"], test=files["test"], datasets=tuple(files.values()), allow_outside=True
    )
    return dataclasses.replace(config, data=data, models={model: config.models[model]})


def start_step(demo: Demo, serving: Serving) -> Outcome:
    """Retrain the live model on fresh labels, register and approve it, and start the A/B test."""
    from mlgate.ab.flow import start_ab
    from mlgate.demo.release import deployer_for, live_version, register_best
    from mlgate.report import ab as render
    from mlgate.training.run import train_models

    champion = serving.registry.get(live_version(serving))
    demo.say(
        f"the world changes (a synthetic rule): after a price rise, customers who pay more leave; {PRICE_RISE.describe()}"
    )
    out = demo.folder / "runs" / "retrained"
    fresh = demo.folder / "fresh-data"
    config = retrained_config(serving.config, champion.model, fresh)
    demo.locations["fresh labels"] = str(fresh)
    demo.say(f"retraining {champion.model} (version {champion.version}'s model) on the project's rows relabelled by it")
    train_models(config, out=out, progress=demo.say)
    reason = "mlgate demo: retrained on fresh labels after the price rise, metrics reviewed"
    challenger = register_best(demo, out, model=champion.model, config=config, reason=reason)
    demo.locations["retrained results"] = str(out)
    change = start_ab(deployer_for(demo, serving), challenger.version, PERCENT, serving.config.ab.key)
    demo.commits["challenger"] = challenger.version
    accuracy = challenger.metrics.get("accuracy")
    score = f", accuracy {accuracy:.3f} on the relabelled test rows" if accuracy is not None else ""
    summary = (
        f"version {challenger.version} ({challenger.model} retrained{score}) answers {PERCENT:g}% of the clients, "
        f"version {champion.version} the rest"
    )
    facts = {
        "action": change.action,
        "champion": champion.version,
        "challenger": challenger.version,
        "percent": PERCENT,
        "key": serving.config.ab.key,
        "rule": PRICE_RISE.describe(),
    }
    return Outcome(change.action == "started", summary, render.render_text(change), facts)


def decide_step(demo: Demo, serving: Serving) -> Outcome:
    """Simulated customers and their labels; ``mlgate ab decide`` judges and acts."""
    from mlgate.ab.flow import decide_ab_test
    from mlgate.demo.release import deployer_for, live_version
    from mlgate.demo.watch import poll, read_test_rows
    from mlgate.report import ab as render

    config = serving.config
    rows = read_test_rows(config)
    answered = send_customers(serving, rows)
    labels = write_labels(demo.folder / "runs" / "ab-labels.csv", answered, rows, target=config.target or "label")
    demo.locations["A/B labels"] = str(labels)
    demo.say(
        f"{len(answered)} requests from {len(answered)} simulated customers; their labels are drawn from the same "
        "rule: they stand for the ground truth that arrives days later"
    )
    demo.say(
        f"ab.min_labels is {config.ab.min_labels} in the demo's settings (200 by default): the change is large, "
        "and the sequential test stays valid however early it looks"
    )
    poll(
        lambda: int((serving.http.get(serving.endpoint.url + "/status").json().get("ab") or {}).get("logged", 0)),
        lambda logged: logged >= len(answered),
        what=f"the A/B log of {len(answered)} requests",
        failure="the endpoint's A/B log did not record them",
    )
    result = decide_ab_test(deployer_for(demo, serving), config, labels=labels, act=True, regression=False)
    decision, live = result.decision, live_version(serving)
    test = decision.primary if decision is not None else None
    shown = (
        f"{result.evidence.metric if result.evidence else 'accuracy'} challenger − champion {test.estimate:+.3f} "
        f"[{test.lower:+.3f}, {test.upper:+.3f}] ({1 - test.alpha:.0%} always-valid)"
        if test is not None
        else "no interval"
    )
    counts = {v: sum(a["version"] == v for a in answered) for v in (result.split.champion, result.split.challenger)}
    summary = f"{len(answered)} labels ({', '.join(f'{n} for version {v}' for v, n in counts.items())}): {shown}; {result.acted}: version {live} is live"
    facts: dict[str, Any] = {
        "outcome": decision.outcome if decision is not None else None,
        "acted": result.acted,
        "champion": result.split.champion,
        "challenger": result.split.challenger,
        "labels": len(answered),
        "requests": counts,
        "interval": None if test is None else {"estimate": test.estimate, "lower": test.lower, "upper": test.upper},
        "live": live,
    }
    ok = result.acted == "promoted" and live == result.split.challenger
    return Outcome(ok, summary, render.render_text(result), facts)


def send_customers(serving: Serving, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One single-row request per customer (``PASSES`` customers per test row); what each was answered."""
    from mlgate.serve.ab_state import split_key

    kind, header = split_key(serving.config.ab.key)
    if kind != "header":
        raise ConfigError(f"the demo routes its customers by a header; ab.key is {serving.config.ab.key!r}")
    answered = []
    for number in range(PASSES * len(rows)):
        index = number % len(rows)
        request_id = f"ab-customer-{number}"
        headers = {header: f"customer-{number}", "X-Request-Id": request_id}
        reply = serving.http.post(
            serving.endpoint.url + "/invocations", json={"instances": [rows[index]]}, headers=headers
        )
        if reply.status_code != 200:
            raise ServiceError(f"the endpoint answered {reply.status_code} to a customer of the A/B test: {reply.text}")
        version = reply.headers.get("x-mlgate-version", "")
        answered.append({"request_id": request_id, "row": index, "version": version})
    return answered


def write_labels(
    path: Path, answered: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]], *, target: str
) -> Path:
    """The label of every request, drawn from the new rule for its row (request_id, target)."""
    import numpy as np

    outcomes = PRICE_RISE.draw([float(rows[a["row"]][CHARGES]) for a in answered], np.random.default_rng(SEED))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["request_id", target])
        writer.writerows(
            [a["request_id"], "true" if churned else "false"] for a, churned in zip(answered, outcomes, strict=True)
        )
    return path
