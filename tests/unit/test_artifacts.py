"""mlgate.artifacts: skops files with SHA-256 checked before loading and an explicit trusted-type list."""

from __future__ import annotations

import hashlib
import json
import struct
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.artifacts import BUILTIN_TRUSTED, TRUSTED_KEY, load_model, refuse_untrusted, save_model
from mlgate.errors import ExitCode, InputError, exit_code_for


def _frame() -> tuple[pd.DataFrame, Any]:
    X = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 8.0], "b": [0.5, 0.1, 0.3, 0.9, 0.2, 0.8, 0.4, 0.7]})
    return X, np.array([0, 0, 0, 1, 0, 1, 1, 1])


def _imputed_logistic() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X, y = _frame()
    return Pipeline([("impute", SimpleImputer(strategy="median")), ("model", LogisticRegression())]).fit(X, y)


def test_round_trip_keeps_predictions_and_records_digest(tmp_path: Path) -> None:
    model = _imputed_logistic()
    saved = save_model(model, tmp_path / "m" / "model.skops")
    data = saved.path.read_bytes()
    assert saved.sha256 == hashlib.sha256(data).hexdigest()
    assert saved.bytes == len(data)
    assert saved.untrusted == ()  # numpy.dtype (SimpleImputer) is trusted by mlgate itself
    assert "numpy.dtype" in BUILTIN_TRUSTED
    assert zipfile.is_zipfile(saved.path)  # a skops archive, not a pickle
    loaded = load_model(saved.path, sha256=saved.sha256, trusted=())
    X, _ = _frame()
    assert loaded.predict(X).tolist() == model.predict(X).tolist()


def test_tampered_file_is_refused_before_loading(tmp_path: Path) -> None:
    saved = save_model(_imputed_logistic(), tmp_path / "model.skops")
    data = bytearray(saved.path.read_bytes())
    data[-10] ^= 0xFF
    saved.path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="tampered artifact") as caught:
        load_model(saved.path, sha256=saved.sha256, trusted=())
    assert exit_code_for(caught.value) == ExitCode.BAD_INPUT


def test_wrong_digest_is_refused(tmp_path: Path) -> None:
    saved = save_model(_imputed_logistic(), tmp_path / "model.skops")
    with pytest.raises(InputError, match="tampered artifact"):
        load_model(saved.path, sha256="0" * 64, trusted=())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="model file not found"):
        load_model(tmp_path / "nope.skops", sha256="0" * 64, trusted=())


def test_scikit_learns_own_tree_structures_are_trusted_by_default(tmp_path: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

    X, y = _frame()
    for model in (RandomForestClassifier(n_estimators=3, random_state=0), HistGradientBoostingClassifier(max_iter=3)):
        model.fit(X.fillna(0), y)
        saved = save_model(model, tmp_path / "model.skops", trusted=())
        assert saved.untrusted == ()  # sklearn.tree._tree.Tree, ...predictor.TreePredictor: in SKLEARN_TRUSTED
        loaded = load_model(saved.path, sha256=saved.sha256, trusted=())
        assert loaded.predict(X.fillna(0)).tolist() == model.predict(X.fillna(0)).tolist()
    assert "sklearn.tree._tree.Tree" in BUILTIN_TRUSTED


def test_function_references_still_need_listing(tmp_path: Path) -> None:
    from sklearn.feature_selection import SelectKBest
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X, y = _frame()
    model = Pipeline([("pick", SelectKBest(k=1)), ("model", LogisticRegression())]).fit(X.fillna(0), y)
    name = "sklearn.feature_selection._univariate_selection.f_classif"
    saved = save_model(model, tmp_path / "model.skops")
    assert saved.untrusted == (name,)
    with pytest.raises(InputError, match=r"f_classif") as caught:
        load_model(saved.path, sha256=saved.sha256, trusted=())
    assert TRUSTED_KEY in str(caught.value.hint)
    loaded = load_model(saved.path, sha256=saved.sha256, trusted=[name])
    assert loaded.predict(X.fillna(0)).tolist() == model.predict(X.fillna(0)).tolist()


def test_save_with_trusted_list_refuses_before_writing(tmp_path: Path) -> None:
    from sklearn.feature_selection import SelectKBest

    X, y = _frame()
    path = tmp_path / "model.skops"
    with pytest.raises(InputError, match=r"model 'pick' holds types .*: sklearn\.feature_selection\..*\.f_classif"):
        save_model(SelectKBest(k=1).fit(X.fillna(0), y), path, trusted=(), what="model 'pick'")
    assert not path.exists()


def test_refuse_untrusted_lists_only_the_missing_types() -> None:
    refuse_untrusted(["a.B"], ["a.B"], what="x")
    with pytest.raises(InputError, match=r"(?m)^x holds types .*: c\.D$") as caught:
        refuse_untrusted(["a.B", "c.D"], ["a.B"], what="x")
    assert caught.value.hint is not None
    assert "artifacts.trusted_types" in caught.value.hint


def test_custom_transformer_round_trips_only_when_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "h1_artifacts_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "steps.py").write_text(
        textwrap.dedent(
            """
            from sklearn.base import BaseEstimator, TransformerMixin


            class Doubler(TransformerMixin, BaseEstimator):
                def fit(self, X, y=None):
                    return self

                def transform(self, X):
                    return X * 2.0
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from h1_artifacts_pkg.steps import Doubler  # type: ignore[import-not-found]
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X, y = _frame()
    X = X.fillna(0)
    model = Pipeline([("double", Doubler()), ("model", LogisticRegression())]).fit(X, y)
    saved = save_model(model, tmp_path / "model.skops")
    assert saved.untrusted == ("h1_artifacts_pkg.steps.Doubler",)
    with pytest.raises(InputError, match=r"h1_artifacts_pkg\.steps\.Doubler"):
        load_model(saved.path, sha256=saved.sha256, trusted=())
    loaded = load_model(saved.path, sha256=saved.sha256, trusted=["h1_artifacts_pkg.steps.Doubler"])
    assert loaded.predict(X).tolist() == model.predict(X).tolist()


def test_unsavable_objects_are_input_errors(tmp_path: Path) -> None:
    from sklearn.preprocessing import FunctionTransformer

    X, y = _frame()
    step = FunctionTransformer(lambda values: values).fit(X, y)
    with pytest.raises(InputError, match="cannot save it with skops"):
        save_model(step, tmp_path / "model.skops", what="model 'f'")


def test_content_digest_is_equal_for_equal_models_saved_apart(tmp_path: Path) -> None:
    from mlgate.artifacts import content_digest

    first = save_model(_imputed_logistic(), tmp_path / "a.skops")
    second = save_model(_imputed_logistic(), tmp_path / "b.skops")  # other objects: other member names and ids
    assert first.sha256 != second.sha256
    digest = content_digest(first.path, sha256=first.sha256)
    assert digest is not None
    assert content_digest(second.path, sha256=second.sha256) == digest


def test_content_digest_differs_when_the_fitted_values_differ(tmp_path: Path) -> None:
    from mlgate.artifacts import content_digest

    X, y = _frame()
    model = _imputed_logistic()
    other = _imputed_logistic().set_params(model__C=0.01).fit(X, y)
    a, b = save_model(model, tmp_path / "a.skops"), save_model(other, tmp_path / "b.skops")
    assert content_digest(a.path, sha256=a.sha256) != content_digest(b.path, sha256=b.sha256)


def test_content_digest_is_none_for_a_file_that_fails_its_digest_or_is_no_skops_file(tmp_path: Path) -> None:
    from mlgate.artifacts import content_digest

    saved = save_model(_imputed_logistic(), tmp_path / "a.skops")
    assert content_digest(saved.path, sha256="0" * 64) is None
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"not a zip")
    assert content_digest(junk, sha256=hashlib.sha256(b"not a zip").hexdigest()) is None
    assert content_digest(tmp_path / "missing.skops", sha256="0" * 64) is None


def test_skops_is_imported_without_pytest_and_with_the_same_trusted_types(tmp_path: Path) -> None:
    """In a fresh interpreter (pytest is loaded here), as the CLI runs: same defaults, no pytest import."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from mlgate.artifacts import import_skops\n"
        "sio = import_skops()\n"
        "from skops.io import _trusted_types as t\n"
        "print(json.dumps([sorted(t.SKLEARN_ESTIMATOR_TYPE_NAMES), 'pytest' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    names, pytest_loaded = json.loads(done.stdout)
    from skops.io import _trusted_types

    assert names == sorted(_trusted_types.SKLEARN_ESTIMATOR_TYPE_NAMES)
    assert "sklearn.linear_model._logistic.LogisticRegression" in names
    assert pytest_loaded is False


def _skops_like(tmp_path: Path, name: str, schema: Any, members: dict[str, bytes]) -> tuple[Path, str]:
    """A zip shaped like a skops file (schema.json + members): what content_digest reads."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", schema if isinstance(schema, str) else json.dumps(schema))
        for member, data in members.items():
            archive.writestr(member, data)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_content_digest_cannot_be_fooled_by_a_literal_that_spells_a_member(tmp_path: Path) -> None:
    from mlgate.artifacts import content_digest

    data = b"same array"
    digest = hashlib.sha256(data).hexdigest()
    a = _skops_like(tmp_path, "a.skops", {"param": "1.npy", "arr": {"file": "1.npy"}}, {"1.npy": data})
    b = _skops_like(tmp_path, "b.skops", {"param": f"m:{digest}", "arr": {"file": "2.npy"}}, {"2.npy": data})
    assert content_digest(a[0], sha256=a[1]) != content_digest(b[0], sha256=b[1])


def test_content_digest_keeps_skops_aliasing_apart_from_id_zero(tmp_path: Path) -> None:
    from mlgate.artifacts import content_digest

    apart = _skops_like(tmp_path, "a.skops", [{"__id__": 0}, {"__id__": 0}], {})  # 0: never an alias
    alias = _skops_like(tmp_path, "b.skops", [{"__id__": 5}, {"__id__": 5}], {})  # one object, twice
    renamed = _skops_like(tmp_path, "c.skops", [{"__id__": 9}, {"__id__": 9}], {})
    digests = [content_digest(p, sha256=s) for p, s in (apart, alias, renamed)]
    assert digests[0] != digests[1]
    assert digests[1] == digests[2]


def test_content_digest_is_none_for_ids_that_are_not_integers_or_too_deep(tmp_path: Path) -> None:
    from mlgate.artifacts import content_digest

    odd = _skops_like(tmp_path, "a.skops", {"content": {"__id__": {"nested": 1}}}, {})
    nested = _skops_like(tmp_path, "b.skops", "[" * 100_000 + '"leaf"' + "]" * 100_000, {})
    assert content_digest(odd[0], sha256=odd[1]) is None
    assert content_digest(nested[0], sha256=nested[1]) is None


def _bomb(tmp_path: Path, *, schema_bytes: int) -> tuple[Path, str]:
    """A zip whose deflated schema.json declares ``schema_bytes`` inflated (and its digest).

    zipfile inflates a member only up to the size its directory declares, so the declared size is what a bomb
    shows; the sizes are patched into a small archive instead of deflating hundreds of MB in the test.
    """
    path = tmp_path / "bomb.skops"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", b" " * 1000)
    raw = bytearray(path.read_bytes())
    local, central = raw.index(b"PK\x03\x04"), raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, local + 22, schema_bytes)  # local header: uncompressed size
    struct.pack_into("<I", raw, central + 24, schema_bytes)  # central directory: uncompressed size
    path.write_bytes(bytes(raw))
    return path, hashlib.sha256(raw).hexdigest()


def test_a_schema_that_inflates_hugely_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, digest = _bomb(tmp_path, schema_bytes=300 << 20)
    assert path.stat().st_size < 1000
    read: list[str] = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, pwd=None: read.append(name))  # would inflate
    with pytest.raises(
        InputError, match=r"bomb\.skops: member 'schema\.json' would inflate to 314,572,800 bytes"
    ) as info:
        load_model(path, sha256=digest, trusted=())
    assert exit_code_for(info.value) == ExitCode.BAD_INPUT
    assert "refused unread" in info.value.message
    assert read == []


def test_a_member_compressed_beyond_the_ratio_is_refused(tmp_path: Path) -> None:
    path, digest = _bomb(tmp_path, schema_bytes=8 << 20)  # under the schema cap, but thousands to 1
    with pytest.raises(InputError, match=r"would inflate to 8,388,608 bytes from [\d,]+ \(limit .* 200× compression\)"):
        load_model(path, sha256=digest, trusted=())


def test_a_file_that_is_no_zip_is_refused_with_a_message_even_with_its_digest(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    path.write_bytes(b"not a zip archive at all")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(InputError, match=r"model\.skops is not a skops model file \(not a readable zip archive"):
        load_model(path, sha256=digest, trusted=())
