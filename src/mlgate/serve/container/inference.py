"""Entry points for SageMaker's scikit-learn container, packed as ``code/inference.py`` in ``model.tar.gz``.

The container unpacks the tarball into ``/opt/ml/model`` and installs ``code/requirements.txt`` (which pins
this mlgate), so the request/response contract is mlgate's own (``mlgate.serve.parse`` and
``mlgate.serve.invoke``): JSON ``{"instances": [...]}`` or header-less CSV in; ``{"predictions": [...],
"version": V}`` or CSV lines out. The model directory holds::

    model.skops     the model; loaded only after its SHA-256 matches and with the trusted types below
    mlgate.json     {"sha256", "trusted_types", "features", "feature_schema", "model", ...} written by the registry
    code/           this file and requirements.txt

The version reported is ``MLGATE_VERSION`` from the model's environment (set by the deploy), else the
packed metadata's ``version``, else ``sha256:<first 12 hex digits>``. A bad request raises
``mlgate.serve.request_error.RequestError``; the container answers it as an error (the runtime client sees ModelError).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.artifacts import load_model
from mlgate.errors import InputError
from mlgate.serve.convert import read_feature_schema
from mlgate.serve.invoke import cannot_predict, choose_format, dump_json, render_csv, to_json_values
from mlgate.serve.parse import CSV, parse_request

if TYPE_CHECKING:
    from mlgate.data.schema import Schema

MODEL_FILE = "model.skops"
METADATA_FILE = "mlgate.json"
METADATA_KIND = "mlgate-container-model"


@dataclass(frozen=True)
class ContainerModel:
    """The loaded model with its input columns (in order) and the version it answers as."""

    estimator: Any
    features: tuple[str, ...]
    version: str
    schema: Schema | None = None  # the version's feature schema: requests are read as the training data was


@dataclass(frozen=True)
class Request:
    """A raw request body and its Content-Type, parsed once the model's features are known."""

    body: bytes
    content_type: str | None


@dataclass(frozen=True)
class Prediction:
    """Predictions as JSON values and the version that made them."""

    values: list[Any]
    version: str


def read_metadata(model_dir: Path) -> Mapping[str, Any]:
    """``mlgate.json`` of a model directory; a missing or malformed file is an InputError."""
    path = model_dir / METADATA_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path} is missing", hint="pack the model with the mlgate sagemaker registry") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("kind") != METADATA_KIND:
        raise InputError(f"{path} is not mlgate container metadata (kind is not {METADATA_KIND!r})")
    return document


def model_fn(model_dir: str, environ: Mapping[str, str] | None = None) -> ContainerModel:
    """Load ``model.skops`` after checking its digest, trusting only the types the metadata lists."""
    folder = Path(model_dir)
    metadata = read_metadata(folder)
    sha256 = str(metadata["sha256"])
    trusted = [str(name) for name in metadata.get("trusted_types") or ()]
    estimator = load_model(folder / MODEL_FILE, sha256=sha256, trusted=trusted)
    features = tuple(str(name) for name in metadata.get("features") or ())
    if not features:
        features = tuple(str(name) for name in getattr(estimator, "feature_names_in_", ()))
    if not features:
        raise InputError(f"{folder / METADATA_FILE} lists no features and the model records none")
    described = metadata.get("feature_schema")
    if described is not None and not isinstance(described, dict):
        raise InputError(f"{folder / METADATA_FILE}: feature_schema must be an object or null")
    schema = read_feature_schema(described, features, where=str(folder / METADATA_FILE))
    env = os.environ if environ is None else environ
    version = env.get("MLGATE_VERSION") or str(metadata.get("version") or f"sha256:{sha256[:12]}")
    return ContainerModel(estimator=estimator, features=features, version=version, schema=schema)


def input_fn(request_body: bytes | str, request_content_type: str | None) -> Request:
    """Keep the body as bytes: the columns it must provide are the model's, known in ``predict_fn``."""
    body = request_body.encode("utf-8") if isinstance(request_body, str) else bytes(request_body)
    return Request(body=body, content_type=request_content_type)


def predict_fn(input_data: Request, model: ContainerModel) -> Prediction:
    """Parse the request into the model's feature frame and predict, as ``mlgate serve`` does."""
    frame = parse_request(input_data.body, input_data.content_type, model.features, model.schema)
    try:
        predictions = model.estimator.predict(frame)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise cannot_predict(model.version, frame, exc, typed=model.schema is not None) from exc
    return Prediction(values=to_json_values(predictions), version=model.version)


def output_fn(prediction: Prediction, accept: str | None) -> tuple[bytes, str]:
    """The answer body and its media type (JSON by default, CSV when the Accept header prefers it)."""
    answer = choose_format(accept)
    if answer == CSV:
        return render_csv(prediction.values), CSV
    return dump_json({"predictions": prediction.values, "version": prediction.version}), answer
