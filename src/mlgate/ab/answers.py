"""What each variant of a split answered since it started, one entry per row: the A/B log on the local target
(written by the server for every invocation of the split), else the endpoint's capture (SageMaker's data capture:
each answer names its version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlgate.config import Config
from mlgate.deploy.experiment import Split
from mlgate.deploy.local import LocalTarget
from mlgate.deploy.target import Target
from mlgate.serve.ab_records import read_ab_log
from mlgate.serve.ab_state import AB_DIR


@dataclass
class Answers:
    """Rows answered during the split, column by column, and where they were read."""

    source: str
    request_id: list[str] = field(default_factory=list)
    row: list[int] = field(default_factory=list)
    version: list[str] = field(default_factory=list)
    prediction: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of(self, version: str) -> tuple[list[str], list[int], list[Any]]:
        """The request ids, rows and predictions ``version`` answered."""
        picked = [i for i, v in enumerate(self.version) if v == version]
        return (
            [self.request_id[i] for i in picked],
            [self.row[i] for i in picked],
            [self.prediction[i] for i in picked],
        )


class AnswersReader(Protocol):
    def __call__(
        self,
        config: Config,
        target: Target,
        split: Split,
        *,
        since: dt.datetime,
        until: dt.datetime,
        features: Sequence[str],
    ) -> Answers: ...


def read_answers(
    config: Config, target: Target, split: Split, *, since: dt.datetime, until: dt.datetime, features: Sequence[str]
) -> Answers:
    """The rows the two versions of ``split`` answered in [since, until]."""
    if isinstance(target, LocalTarget):
        return _from_log(target, since)
    return _from_capture(config, split, since=since, until=until, features=features)


def _from_log(target: LocalTarget, since: dt.datetime) -> Answers:
    folder = target.state / AB_DIR
    read = read_ab_log(folder, since)
    answers = Answers(source=f"the server's A/B log {folder}")
    for record in read.records:
        if record.predictions is None:
            continue
        for index, prediction in enumerate(record.predictions):
            answers.request_id.append(record.request_id)
            answers.row.append(index)
            answers.version.append(record.version)
            answers.prediction.append(prediction)
    if read.malformed:
        answers.notes.append(f"{read.malformed:,} line(s) of the A/B log could not be read (a torn write): left out")
    return answers


def _from_capture(
    config: Config, split: Split, *, since: dt.datetime, until: dt.datetime, features: Sequence[str]
) -> Answers:
    from mlgate.monitor.run import capture_location, read_window

    location = capture_location(config, None)
    columns, _summary = read_window(config, location, start=since, end=until, features=features)
    answers = Answers(source=f"the endpoint's capture {location}")
    ours = {split.champion, split.challenger}
    others = 0
    for rid, row, version, prediction in zip(
        columns.request_id, columns.row, columns.version, columns.prediction, strict=True
    ):
        if version not in ours:
            others += 1
            continue
        answers.request_id.append(rid)
        answers.row.append(row)
        answers.version.append(version)
        answers.prediction.append(prediction)
    if others:
        answers.notes.append(f"{others:,} captured row(s) answered by other versions: left out")
    return answers
