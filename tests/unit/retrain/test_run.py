"""Registering a winner: the same model trained again is not registered twice."""

from __future__ import annotations

import dataclasses

from mlgate.retrain.run import is_same_training
from unit.registry.helpers import version


def test_the_same_artifact_is_the_same_training() -> None:
    assert is_same_training(version("a" * 64), dataclasses.replace(version("a" * 64), model="other"))


def test_identical_inputs_on_the_same_data_are_the_same_training_even_if_the_bytes_differ() -> None:
    known, new = version("a" * 64), version("b" * 64)
    assert is_same_training(known, new)
    assert not is_same_training(known, dataclasses.replace(new, data_sha256="e" * 64))  # fresh data
    assert not is_same_training(known, dataclasses.replace(new, params={"n_estimators": 20}))
    assert not is_same_training(known, dataclasses.replace(new, schema_sha256="f" * 64))
    assert not is_same_training(
        dataclasses.replace(known, data_sha256=None), dataclasses.replace(new, data_sha256=None)
    )
