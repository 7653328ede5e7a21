"""The container's inference.py against a folder laid out like /opt/ml/model (unpacked from the registry's tarball)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from mlgate.artifacts import save_model
from mlgate.errors import InputError
from mlgate.registry.sagemaker_package import pack_model
from mlgate.serve.container.inference import input_fn, model_fn, output_fn, predict_fn
from mlgate.serve.request_error import RequestError
from unit.registry.helpers import version

FEATURES = ("x1", "x2")
F_CLASSIF = (
    "sklearn.feature_selection._univariate_selection.f_classif"  # a function reference: never trusted by default
)


def model_dir(
    tmp_path: Path, estimator: object, *, trusted: tuple[str, ...] = (), schema: dict[str, Any] | None = None
) -> Path:
    """Save ``estimator``, pack it as the registry does, and unpack it like SageMaker into ``tmp_path/model``."""
    saved = save_model(estimator, tmp_path / "results" / "model.skops")
    record = version(saved.sha256).__class__(
        **{**version(saved.sha256).__dict__, "features": FEATURES, "trusted_types": trusted, "feature_schema": schema}
    )
    packed = pack_model(record, saved.path.read_bytes())
    target = tmp_path / "model"
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as archive:
        archive.extractall(target, filter="data")
    return target


def fitted(estimator: Any) -> Any:
    X = pd.DataFrame({"x1": [0.0, 1.0, 2.0, 3.0], "x2": [1.0, 0.0, 1.0, 0.0]})
    return estimator.fit(X, np.array([0, 0, 1, 1]))


def test_json_and_csv_requests_follow_the_serve_contract(tmp_path: Path) -> None:
    folder = model_dir(tmp_path, fitted(LogisticRegression()))
    assert (folder / "code" / "inference.py").is_file()
    model = model_fn(str(folder), environ={"MLGATE_VERSION": "7"})
    body = json.dumps({"instances": [{"x1": 0.0, "x2": 1.0}, [3.0, 0.0]]})
    answer, media = output_fn(predict_fn(input_fn(body, "application/json"), model), "application/json")
    assert media == "application/json"
    assert json.loads(answer) == {"predictions": [0, 1], "version": "7"}
    csv_answer, csv_media = output_fn(predict_fn(input_fn(b"0,1\n3,0\n", "text/csv"), model), "text/csv")
    assert (csv_answer, csv_media) == (b"0\n1\n", "text/csv")


def test_version_defaults_to_the_digest(tmp_path: Path) -> None:
    folder = model_dir(tmp_path, fitted(LogisticRegression()))
    sha = json.loads((folder / "mlgate.json").read_text(encoding="utf-8"))["sha256"]
    assert model_fn(str(folder), environ={}).version == f"sha256:{sha[:12]}"


def test_bad_requests_are_request_errors(tmp_path: Path) -> None:
    model = model_fn(str(model_dir(tmp_path, fitted(LogisticRegression()))), environ={})
    with pytest.raises(RequestError, match="missing x2") as caught:
        predict_fn(input_fn(b'{"instances": [{"x1": 1}]}', "application/json"), model)
    assert caught.value.status == 400
    with pytest.raises(RequestError, match="unsupported media type"):
        predict_fn(input_fn(b"x", "application/xml"), model)


def test_a_tampered_model_is_refused(tmp_path: Path) -> None:
    folder = model_dir(tmp_path, fitted(LogisticRegression()))
    (folder / "model.skops").write_bytes((folder / "model.skops").read_bytes() + b"\0")
    with pytest.raises(InputError, match="tampered artifact"):
        model_fn(str(folder), environ={})


def test_only_the_packed_trusted_types_are_trusted(tmp_path: Path) -> None:
    assert model_fn(str(model_dir(tmp_path / "t", fitted(DecisionTreeClassifier()))), environ={}).features == FEATURES
    picky = make_pipeline(SelectKBest(k=1), LogisticRegression())  # keeps a reference to f_classif
    with pytest.raises(InputError, match=r"_univariate_selection\.f_classif"):
        model_fn(str(model_dir(tmp_path / "a", fitted(picky))), environ={})
    trusted = model_dir(tmp_path / "b", fitted(picky), trusted=(F_CLASSIF,))
    assert model_fn(str(trusted), environ={}).features == FEATURES


def test_with_the_packed_feature_schema_text_values_are_read_as_in_training(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "x1", "type": "number", "decimalChar": ","}, {"name": "x2", "type": "boolean"}]}
    model = model_fn(str(model_dir(tmp_path, fitted(LogisticRegression()), schema=schema)), environ={})
    typed = predict_fn(input_fn('{"instances": [{"x1": "2,5", "x2": "true"}]}', "application/json"), model)
    plain = predict_fn(input_fn('{"instances": [{"x1": 2.5, "x2": 1}]}', "application/json"), model)
    assert typed.values == plain.values
    with pytest.raises(RequestError, match=r"instances\[0\], feature 'x1': 'two' is not a number") as caught:
        predict_fn(input_fn('{"instances": [{"x1": "two", "x2": "true"}]}', "application/json"), model)
    assert caught.value.status == 422


def test_missing_metadata_is_an_input_error(tmp_path: Path) -> None:
    folder = model_dir(tmp_path, fitted(LogisticRegression()))
    (folder / "mlgate.json").unlink()
    with pytest.raises(InputError, match=r"mlgate\.json is missing"):
        model_fn(str(folder), environ={})
