"""The only module that saves and loads models: skops, an explicit trusted-type list, SHA-256.

Models are never pickled. ``save_model`` writes a skops file atomically and returns its digest;
``load_model`` checks the digest BEFORE reading anything else from the file, then refuses every type
that neither skops nor mlgate trusts by default unless the config lists it under ``artifacts.trusted_types``.

Beyond skops' defaults mlgate trusts ``numpy.dtype`` (every ``SimpleImputer`` stores the dtype it was
fitted on; skops rebuilds it from an empty array, never calling user code) and ``SKLEARN_TRUSTED``:
scikit-learn's own classes that hold a fitted model's data (Cython tree structures, neighbour trees and
their distance metrics, loss objects, kernels, optimiser state, calibrators, scorers, bunches). The list
comes from evidence: tests/unit/test_artifacts_sklearn.py fits and saves every estimator scikit-learn
ships and requires each type skops reports to be listed here or excluded there with a reason. Function
references (``SelectKBest``'s ``f_classif``, …), scipy's classes, XGBoost and a project's own transformers
stay opt-in. skops leaves the tree structures out because their node indices are not bounds-checked (a
crafted file could crash the process); mlgate loads only files whose SHA-256 its own results or registry
recorded, which is the check that keeps crafted files out.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.errors import InputError
from mlgate.files import write_atomic
from mlgate.imports import refusing

SKLEARN_TRUSTED: tuple[str, ...] = (
    # decision trees, forests, extra trees, AdaBoost, bagging, GradientBoosting*, IsolationForest
    "sklearn.tree._tree.Tree",
    # HistGradientBoosting*
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    # TweedieRegressor (the other losses and links are on skops' own list)
    "sklearn._loss.loss.HalfTweedieLoss",
    "sklearn._loss.loss.HalfTweedieLossIdentity",
    # nearest neighbours (KNeighbors*, RadiusNeighbors*, Isomap, KernelDensity, ...): the trees and their metrics
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.metrics._dist_metrics.BrayCurtisDistance64",
    "sklearn.metrics._dist_metrics.CanberraDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.metrics._dist_metrics.DiceDistance64",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.HammingDistance64",
    "sklearn.metrics._dist_metrics.HaversineDistance64",
    "sklearn.metrics._dist_metrics.JaccardDistance64",
    "sklearn.metrics._dist_metrics.MahalanobisDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.metrics._dist_metrics.RogersTanimotoDistance64",
    "sklearn.metrics._dist_metrics.RussellRaoDistance64",
    "sklearn.metrics._dist_metrics.SEuclideanDistance64",
    "sklearn.metrics._dist_metrics.SokalMichenerDistance64",
    "sklearn.metrics._dist_metrics.SokalSneathDistance64",
    # Gaussian processes
    "sklearn.gaussian_process._gpc._BinaryGaussianProcessClassifierLaplace",
    "sklearn.gaussian_process.kernels.ConstantKernel",
    "sklearn.gaussian_process.kernels.DotProduct",
    "sklearn.gaussian_process.kernels.Exponentiation",
    "sklearn.gaussian_process.kernels.Matern",
    "sklearn.gaussian_process.kernels.PairwiseKernel",
    "sklearn.gaussian_process.kernels.Product",
    "sklearn.gaussian_process.kernels.RBF",
    "sklearn.gaussian_process.kernels.RationalQuadratic",
    "sklearn.gaussian_process.kernels.Sum",
    "sklearn.gaussian_process.kernels.WhiteKernel",
    # MLP* optimiser state
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    # CalibratedClassifierCV, BisectingKMeans, OneVsRest/OutputCode classifiers (a label that is constant)
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.cluster._bisect_k_means._BisectingTree",
    "sklearn.multiclass._ConstantPredictor",
    # Stacking*/Voting* (named_estimators_), TunedThresholdClassifierCV (its scorer and metadata routing)
    "sklearn.utils._bunch.Bunch",
    "sklearn.metrics._scorer._CurveScorer",
    "sklearn.metrics._scorer._Scorer",
    "sklearn.utils._metadata_requests.MetadataRequest",
    "sklearn.utils._metadata_requests.MethodMetadataRequest",
)
BUILTIN_TRUSTED: tuple[str, ...] = ("numpy.dtype", *SKLEARN_TRUSTED)
TRUSTED_KEY = "artifacts.trusted_types"
# What a skops file's members may inflate to, checked from the zip directory before any member is read (zipfile
# never inflates a member beyond the size the directory declares). mlgate stores members uncompressed.
MAX_SCHEMA_BYTES = 64 << 20  # schema.json: the object graph; a 2,000-tree forest needs about 1 MB
MAX_MEMBER_BYTES = 8 << 30  # one array
MAX_RATIO = 200  # inflated / stored bytes of a member above 1 MiB (deflate reaches about 1,000 on zeros)


@dataclass(frozen=True)
class SavedModel:
    """A model file just written: where, its SHA-256, its size and the types it needs trusted."""

    path: Path
    sha256: str
    bytes: int
    untrusted: tuple[str, ...]


def import_skops() -> Any:
    """``skops.io``, imported without pytest (about 0.1 s) where nothing needs it.

    Importing skops.io lists scikit-learn's estimators, which imports every scikit-learn module, among them
    its test utilities; those use pytest only when it is installed. Should a module need it after all, the
    import is simply done again without the refusal.
    """
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    try:
        with refusing("pytest", "_pytest"):
            import skops.io as sio
    except ImportError:
        import skops.io as sio
    return sio


def save_model(estimator: Any, path: Path, *, trusted: Sequence[str] | None = None, what: str = "model") -> SavedModel:
    """Serialise ``estimator`` with skops to ``path`` (atomic write); return its digest and size.

    With ``trusted``, a model that would need other types to load is refused before anything is written.
    """
    sio = import_skops()

    try:
        data = sio.dumps(estimator)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{what}: cannot save it with skops: {str(exc).splitlines()[0]}",
            hint="skops stores plain objects: avoid lambdas and local functions in the pipeline",
        ) from exc
    untrusted = untrusted_types(data)
    local = [name for name in untrusted if "<lambda>" in name or "<locals>" in name]
    if local:
        raise InputError(
            f"{what}: cannot save it with skops: {', '.join(local)} cannot be imported when loading",
            hint="use functions defined at module level of an importable package instead of lambdas or local functions",
        )
    if trusted is not None:
        refuse_untrusted(untrusted, trusted, what=what)
    write_atomic(path, data)
    return SavedModel(path=path, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), untrusted=untrusted)


def untrusted_types(data: bytes) -> tuple[str, ...]:
    """The types in a skops file that neither skops nor mlgate trusts by default."""
    sio = import_skops()

    return tuple(sorted(t for t in sio.get_untrusted_types(data=data) if t not in BUILTIN_TRUSTED))


def refuse_untrusted(untrusted: Sequence[str], trusted: Sequence[str], *, what: str) -> None:
    """Raise an InputError naming the types of ``untrusted`` that are not in ``trusted``."""
    refused = [name for name in untrusted if name not in trusted]
    if refused:
        listed = ", ".join(refused)
        raise InputError(
            f"{what} holds types skops does not trust by default: {listed}",
            hint=f"if you trust them, list them under {TRUSTED_KEY} in mlgate.yaml: [{listed}]",
        )


def check_archive(data: bytes, *, where: str) -> None:
    """Refuse a skops file that is not a zip, or whose members would inflate beyond the caps, before reading any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError(
            f"{where} is not a skops model file (not a readable zip archive: {exc})",
            hint="do not use this file; re-create it with `mlgate train`",
        ) from exc
    for member in members:
        cap = MAX_SCHEMA_BYTES if member.filename == "schema.json" else MAX_MEMBER_BYTES
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > cap or (member.file_size > 1 << 20 and ratio > MAX_RATIO):
            raise InputError(
                f"{where}: member {member.filename[:80]!r} would inflate to {member.file_size:,} bytes from "
                f"{member.compress_size:,} (limit {cap:,} bytes, {MAX_RATIO}× compression); refused unread",
                hint="do not use this file (a zip bomb or a damaged file); re-create it with `mlgate train`",
            )


def read_verified(path: Path, sha256: str) -> bytes:
    """The bytes of a model file whose SHA-256 is ``sha256``; missing, unreadable or different is an InputError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"model file not found: {path}", hint="re-create the results with `mlgate train`") from exc
    except OSError as exc:
        raise InputError(
            f"cannot read model file {path}: {exc.strerror or exc}", hint="re-create the results with `mlgate train`"
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256.lower():
        raise InputError(
            f"tampered artifact: {path} has SHA-256 {actual[:16]}…, its results record {sha256[:16]}…",
            hint="do not use this file; re-create the results with `mlgate train`",
        )
    return data


def load_model(path: Path, *, sha256: str, trusted: Sequence[str]) -> Any:
    """Load a skops model after verifying its SHA-256 and that every untrusted type is in ``trusted``."""
    sio = import_skops()

    data = read_verified(path, sha256)
    check_archive(data, where=str(path))
    needed = untrusted_types(data)
    refuse_untrusted(needed, trusted, what=str(path))
    try:
        return sio.loads(data, trusted=[*BUILTIN_TRUSTED, *needed])
    except ImportError as exc:
        raise InputError(
            f"cannot load {path}: {exc}", hint="install the package that defines the model's classes"
        ) from exc
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise InputError(f"cannot load {path}: {str(exc).splitlines()[0]}") from exc


def content_digest(path: Path, *, sha256: str) -> str | None:
    """A digest of what a skops file holds, the same for two saves of equal models; None when unsure.

    skops names its array members after object ids and stamps the zip with the time, so two saves of
    the very same fitted model differ byte for byte. Here the verified bytes are read as a zip and JSON
    (nothing is loaded or imported): every non-zero ``__id__`` is renumbered in order of first appearance
    (skops aliases objects by equal non-zero ids; 0 stays 0), every member name is replaced by the
    SHA-256 of the member, and every other string is tagged so that no literal can pass for a member.
    That keeps the object graph and all of its data: equal digests mean equal models.
    """
    try:
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != sha256.lower():
            return None
        check_archive(raw, where=str(path))
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}
            schema = json.loads(archive.read("schema.json"))
        arrays = sorted(digest for name, digest in members.items() if name != "schema.json")
        text = json.dumps([_canonical(schema, members, {}), arrays], separators=(",", ":"))
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        RuntimeError,
        EOFError,
        NotImplementedError,
        zlib.error,
        zipfile.BadZipFile,
        InputError,
    ):
        return None  # unreadable, or deeper than the interpreter's recursion limit: not provably equal
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(node: object, members: dict[str, str], ids: dict[int, int]) -> object:
    if isinstance(node, dict):
        return {
            key: _renumber(value, ids) if key == "__id__" else _canonical(value, members, ids)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_canonical(item, members, ids) for item in node]
    if isinstance(node, str):
        return f"m:{members[node]}" if node in members and node != "schema.json" else f"s:{node}"
    return node


def _renumber(value: object, ids: dict[int, int]) -> object:
    if type(value) is not int:
        raise TypeError("an __id__ that is not an integer")  # not a skops id: not provably equal
    return ids.setdefault(value, len(ids) + 1) if value else 0
