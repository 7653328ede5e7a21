"""Evaluation data: a holdout test split (``data.test``, else a seeded split of ``data.train``) or k folds.

- ``data.test`` given: fit on ``data.train``, score on ``data.test``.
- ``data.split.folds`` set: k-fold cross-validation over ``data.train`` (``StratifiedKFold`` for
  classification when ``data.split.stratify``, else ``KFold``; shuffled with ``data.split.seed``).
- otherwise: ``train_test_split`` of ``data.train`` with ``data.split.test_size`` and ``data.split.seed``,
  stratified by the target for classification when ``data.split.stratify``.

The same config and files always give the same rows in the same splits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mlgate.config import SplitConfig
from mlgate.errors import ConfigError, DataError
from mlgate.results import Evaluation, EvaluationKind
from mlgate.training.dataset import DataFile, TrainingData

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Fold:
    """Row positions (into ``Plan.X``) of one train/test split."""

    train: Any
    test: Any


@dataclass(frozen=True)
class Plan:
    """How every model is fitted and scored: holdout (one fold) or cross-validation (several)."""

    kind: EvaluationKind
    X: pd.DataFrame  # the rows models are fitted on (all of data.train; under holdout with a test file, only it)
    y: Any
    folds: tuple[Fold, ...]  # under holdout with data.test: empty
    X_test: pd.DataFrame | None = None  # holdout only
    y_test: Any = None
    files: tuple[DataFile, ...] = ()
    data_sha256: str = ""
    keys_test: Any = None  # the test rows' primary keys (holdout, when the schema has a primary key)

    def holdout(self) -> tuple[pd.DataFrame, Any, pd.DataFrame, Any]:
        """Train and test rows of a holdout plan."""
        assert self.X_test is not None
        return self.X, self.y, self.X_test, self.y_test

    def evaluation(self) -> Evaluation:
        """The ``evaluation`` block of metrics.json."""
        if self.kind == "cv":
            return Evaluation(
                kind="cv",
                train_rows=len(self.X),
                test_rows=0,
                folds=len(self.folds),
                data_sha256=self.data_sha256,
                features=tuple(self.X.columns),
            )
        return Evaluation(
            kind="holdout",
            train_rows=len(self.X),
            test_rows=0 if self.X_test is None else len(self.X_test),
            data_sha256=self.data_sha256,
            features=tuple(self.X.columns),
        )


def plan_evaluation(data: TrainingData, split: SplitConfig) -> Plan:
    """Split the data as the config says (see the module docstring)."""
    files = tuple(d.file for d in (data.train, data.test) if d is not None)
    digest = evaluation_digest(files, split, target=data.target, cv=split.folds is not None, test=data.test is not None)
    stratify = data.task == "classification" and split.stratify
    if split.folds is not None:
        if data.test is not None:
            raise ConfigError(
                "data.split.folds and data.test are both set",
                hint="use cross-validation over data.train (folds) or a test file, not both",
            )
        folds = _folds(data.train.X, data.train.y, split, stratify=stratify, where=data.train.file.uri)
        return Plan(kind="cv", X=data.train.X, y=data.train.y, folds=folds, files=files, data_sha256=digest)
    if data.test is not None:
        return Plan(
            kind="holdout",
            X=data.train.X,
            y=data.train.y,
            folds=(),
            X_test=data.test.X,
            y_test=data.test.y,
            files=files,
            data_sha256=digest,
            keys_test=data.test.keys,
        )
    train, test = _holdout(data.train.y, split, stratify=stratify, where=data.train.file.uri)
    X, y = data.train.X, data.train.y
    return Plan(
        kind="holdout",
        X=X.iloc[train].reset_index(drop=True),
        y=y[train],
        folds=(),
        X_test=X.iloc[test].reset_index(drop=True),
        y_test=y[test],
        files=files,
        data_sha256=digest,
        keys_test=None if data.train.keys is None else data.train.keys[test],
    )


def _holdout(y: Any, split: SplitConfig, *, stratify: bool, where: str) -> tuple[Any, Any]:
    from sklearn.model_selection import train_test_split

    if not 0 < split.test_size < 1:
        raise ConfigError(f"data.split.test_size is {split.test_size}; it must be between 0 and 1 (e.g. 0.25)")
    positions = np.arange(len(y))
    try:
        train, test = train_test_split(
            positions,
            test_size=split.test_size,
            random_state=split.seed,
            shuffle=True,
            stratify=y if stratify else None,
        )
    except ValueError as exc:
        raise DataError(
            f"{where}: cannot split for testing: {str(exc).splitlines()[0]}",
            hint="add rows, raise data.split.test_size, or set data.split.stratify: false",
        ) from exc
    return np.sort(train), np.sort(test)


def _folds(X: pd.DataFrame, y: Any, split: SplitConfig, *, stratify: bool, where: str) -> tuple[Fold, ...]:
    import warnings

    from sklearn.model_selection import KFold, StratifiedKFold

    k = split.folds or 0
    if k < 2:
        raise ConfigError(f"data.split.folds is {k}; cross-validation needs at least 2 folds")
    splitter = (StratifiedKFold if stratify else KFold)(n_splits=k, shuffle=True, random_state=split.seed)
    try:
        with warnings.catch_warnings():  # too few members of a class for k folds: an error, not a warning
            warnings.simplefilter("error", UserWarning)
            return tuple(Fold(train=a, test=b) for a, b in splitter.split(X, y))
    except (ValueError, UserWarning) as exc:
        raise DataError(
            f"{where}: cannot make {k} folds: {str(exc).splitlines()[0]}",
            hint="lower data.split.folds or set data.split.stratify: false",
        ) from exc


def evaluation_digest(files: Sequence[DataFile], split: SplitConfig, *, target: str, cv: bool, test: bool) -> str:
    """SHA-256 identifying the evaluation data: file digests, target and split settings."""
    document = {
        "files": [f.sha256 for f in files],
        "target": target,
        "split": "test-file"
        if test and not cv
        else {
            "folds": split.folds,
            "test_size": None if cv else split.test_size,
            "stratify": split.stratify,
            "seed": split.seed,
        },
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode("utf-8")).hexdigest()
