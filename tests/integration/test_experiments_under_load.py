"""Zero failed requests while a shadow and two A/B tests start, run, promote and stop under concurrent clients.

A real ``mlgate serve`` serves version 1 (logistic); three client threads send single-row requests back to back for
the whole test, each request filed under the phase in force when it was sent. The test moves through the phases
only on what the server reports (``/status``) and on what the clients have seen, never on time: shadow of version 2
→ shadow stopped → A/B of version 2 on half of the clients → ``ab decide`` promotes it (labels simulated from the
answers, as in ``test_cli_ab.py``: the challenger right on every row) → a second A/B (version 1 challenging version
2) → ``ab stop``. Every request must get a 200 from a version that could legitimately answer at that moment, and
every phase must have seen traffic. Nothing is timed: latency under load is ``scripts/bench_experiments.py``'s.
"""

from __future__ import annotations

import itertools
import json
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.serve import ServerHandle, running_server
from integration.test_cli_ab import write_labels
from integration.test_cli_deploy import MODELS, approve, build_project, mlgate, registry_of
from integration.test_cli_shadow import read_test_rows

# The p99 guardrail is a point comparison of two latency samples taken under this test's own load: relaxed here,
# where what is judged is availability (the decision itself is tested in test_cli_ab.py).
AB_CONFIG = "ab: {key: 'header:X-Client', min_labels: 30, min_requests: 20, max_p99_ratio: 1000}\n"
CLIENTS = 3
PER_PHASE = 15  # requests each steady phase must see before the test moves on
LABELLED = 120  # answers of each variant the first A/B test needs before it is decided (as in test_cli_ab.py)
WAIT_S = 120.0


@dataclass
class Answer:
    phase: str
    request_id: str
    version: str
    variant: str | None
    answer: Any


@dataclass
class Clients:
    """Client threads sending one row at a time, back to back; each answer is judged against the phase it was sent
    in (the versions allowed to answer then)."""

    url: str
    rows: list[dict[str, Any]]
    phase: str = "live"
    allowed: frozenset[str] = frozenset({"1"})
    answers: list[Answer] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    condition: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, count: int) -> None:
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(count)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
        assert not any(t.is_alive() for t in self.threads), "a client thread did not finish"

    def enter(self, phase: str, allowed: set[str]) -> None:
        with self.condition:
            self.phase, self.allowed = phase, frozenset(allowed)

    def wait_until(self, what: str, done: Callable[[list[Answer]], bool]) -> None:
        with self.condition:
            reached = self.condition.wait_for(lambda: done(self.answers) or bool(self.failures), timeout=WAIT_S)
        assert self.failures == [], self.failures[:5]
        assert reached, f"the clients never saw {what}: {Counter(a.phase for a in self.answers)}"

    def wait_for_requests(self, phase: str, count: int = PER_PHASE) -> None:
        self.wait_until(f"{count} answers in phase {phase}", lambda got: sum(a.phase == phase for a in got) >= count)

    def run(self, index: int) -> None:
        with httpx.Client(timeout=30) as http:
            for number in itertools.count():
                if self.stopping.is_set():
                    return
                with self.condition:
                    phase, allowed = self.phase, self.allowed
                request_id = f"t{index}-{number}"
                headers = {"X-Client": f"client-{index}-{number % 40}", "X-Request-Id": request_id}
                body = {"instances": [self.rows[number % len(self.rows)]]}
                try:
                    reply = http.post(f"{self.url}/invocations", json=body, headers=headers)
                except httpx.HTTPError as exc:
                    self.fail(f"{phase} {request_id}: {exc!r}")
                    continue
                version = reply.headers.get("x-mlgate-version", "")
                if reply.status_code != 200 or version not in allowed:
                    self.fail(f"{phase} {request_id}: {reply.status_code} from version {version!r}: {reply.text[:200]}")
                    continue
                variant, prediction = reply.headers.get("x-mlgate-variant"), reply.json()["predictions"][0]
                answer = Answer(phase, request_id, version, variant, prediction)
                with self.condition:
                    self.answers.append(answer)
                    self.condition.notify_all()

    def fail(self, message: str) -> None:
        with self.condition:
            self.failures.append(message)
            self.condition.notify_all()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build_project(tmp_path_factory.mktemp("load-project"), MODELS, ["logistic", "tree"])
    with (folder / "mlgate.yaml").open("a", encoding="utf-8") as config:
        config.write(AB_CONFIG)
    return folder


@pytest.fixture
def project(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # the promotion's smoke test runs under the clients' load: its latency limit is not what this test judges
    monkeypatch.setenv("MLGATE_DEPLOY__SMOKE__LATENCY_P95_MS", "60000")
    shutil.copytree(built, tmp_path / "p")
    return tmp_path / "p"


@pytest.fixture
def server(project: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[ServerHandle]:
    with running_server(project / "state" / "serve") as handle:
        approve(project, capsys, "1", "2")
        code, _, err = mlgate(project, capsys, "deploy", "1", "--by", "carol")
        assert code == 0, err
        yield handle


def run_json(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = mlgate(project, capsys, *args, "--by", "carol", "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def both_variants(phase: str, count: int) -> Callable[[list[Answer]], bool]:
    def done(got: list[Answer]) -> bool:
        seen = Counter(a.variant for a in got if a.phase == phase and a.variant is not None)
        return seen["champion"] >= count and seen["challenger"] >= count

    return done


def check_variants(answers: list[Answer], phase: str, challenger: str) -> None:
    """While a split runs steadily, the variant header names the version that answered."""
    routed = [a for a in answers if a.phase == phase and a.variant is not None]
    wrong = [a for a in routed if (a.variant == "challenger") != (a.version == challenger)]
    assert wrong == [], wrong[:5]


@pytest.mark.slow
def test_no_request_fails_while_shadow_and_ab_tests_start_promote_and_stop(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clients = Clients(server.url, read_test_rows(project, 40))
    clients.start(CLIENTS)
    try:
        clients.wait_for_requests("live")

        clients.enter("shadow", {"1"})
        started = run_json(project, capsys, "deploy", "2", "--shadow", "--fraction", "1")
        assert started["action"] == "started"
        server.wait_for_status(lambda s: s["shadow"]["version"] == "2" and s["shadow"]["rows"] > 0)
        clients.wait_for_requests("shadow")

        clients.enter("shadow-stopping", {"1"})
        assert run_json(project, capsys, "shadow", "stop")["action"] == "stopped"
        server.wait_for_status(lambda s: s["shadow"]["version"] is None)
        clients.enter("shadow-stopped", {"1"})
        clients.wait_for_requests("shadow-stopped")

        clients.enter("ab", {"1", "2"})
        assert run_json(project, capsys, "deploy", "2", "--ab", "50")["action"] == "started"
        clients.wait_until("both variants of the first A/B test", both_variants("ab", LABELLED))
        answered = [
            {"request_id": a.request_id, "version": a.version, "answer": a.answer}
            for a in list(clients.answers)
            if a.phase == "ab" and a.variant is not None
        ]
        labels = write_labels(tmp_path / "labels.csv", answered, better="2")
        server.wait_for_status(lambda s: s["ab"]["logged"] >= len(answered))

        clients.enter("promoting", {"1", "2"})
        decided = run_json(project, capsys, "ab", "decide", "--labels", str(labels))
        assert (decided["decision"]["outcome"], decided["acted"]) == ("promote", "promoted"), decided["message"]
        server.wait_for_status(lambda s: s["version"] == "2" and s["ab"] is None)
        clients.enter("promoted", {"2"})
        clients.wait_for_requests("promoted")

        clients.enter("ab-again", {"1", "2"})
        second = run_json(project, capsys, "deploy", "1", "--ab", "50")
        assert (second["split"]["champion"], second["split"]["challenger"]) == ("2", "1")
        clients.wait_until("both variants of the second A/B test", both_variants("ab-again", PER_PHASE))

        clients.enter("ab-stopping", {"1", "2"})
        assert run_json(project, capsys, "ab", "stop")["action"] == "stopped"
        server.wait_for_status(lambda s: s["version"] == "2" and s["ab"] is None)
        clients.enter("after", {"2"})
        clients.wait_for_requests("after")
    finally:
        clients.stop()

    assert clients.failures == [], clients.failures[:5]
    counts = Counter(a.phase for a in clients.answers)
    phases = ["live", "shadow", "shadow-stopping", "shadow-stopped", "ab", "promoting", "promoted"]
    phases += ["ab-again", "ab-stopping", "after"]
    steady = {"live", "shadow", "shadow-stopped", "ab", "promoting", "promoted", "ab-again", "after"}
    assert all(counts[p] > 0 for p in steady), counts
    assert set(counts) <= set(phases), counts
    check_variants(clients.answers, "ab", "2")
    check_variants(clients.answers, "ab-again", "1")
    events = [e.event for e in registry_of(project).history()]
    expected = ["shadow-started", "shadow-stopped", "ab-started", "ab-decision", "deployed", "ab-started", "ab-stopped"]
    assert [e for e in events if e in set(expected)][-len(expected) :] == expected
    assert "Traceback" not in server.log()
