"""Hostile inputs: config, schema files, data files, names, paths and artifacts, each tried through the CLI.

Every case runs ``mlgate.cli.main`` in a fresh copy of the churn example and asserts, per DESIGN.md: the exit code
(2: the input cannot be used; 1: the checks ran and the data failed them; 0: fine), that no traceback is printed,
that stderr names what is wrong and where (file and line, key, or field), and that nothing was written: the
project's files are byte for byte what they were (no half-written results folder, registry version or crash log).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mlgate.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn"
MODEL = "sklearn.linear_model.LogisticRegression"
BASE = (
    "data: {schema: schema.yaml, train: data/train.csv, test: data/test.csv}\ntask: classification\ntarget: churned\n"
)
PLAIN = BASE + f"models:\n  logistic:\n    estimator: {MODEL}\n"
SMALL_SCHEMA = "fields:\n  - {name: id, type: integer}\n  - {name: name, type: string}\n"
CSV = "id,name\n1,alpha\n2,beta\n"

# 9 levels of 9 aliases: a few hundred bytes that stand for 9**9 (387 million) strings.
LAUGHS = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)
]
FLOW_LAUGHS = "[" + ", ".join(line.split(": ", 1)[1] for line in LAUGHS) + "]"
DEEP_LIST = "[" * 20_000 + "]" * 20_000
DEEP_MAP = "{a: " * 20_000 + "1" + "}" * 20_000


@dataclass(frozen=True)
class Case:
    """One hostile input: files written into the project (text or bytes), the command, what must come out."""

    argv: tuple[str, ...]
    code: int
    stderr: str  # a regex that stderr must match: what is wrong and where
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Callable[[Path], object] | None = None  # given the project folder, after the files are written
    env: dict[str, str] = field(default_factory=dict)


def config(body: str) -> dict[str, str | bytes]:
    return {"mlgate.yaml": body}


def model(estimator: str, extra: str = "") -> dict[str, str | bytes]:
    return config(BASE + f"models:\n  m:\n    estimator: '{estimator}'\n{extra}")


def named(name: str) -> dict[str, str | bytes]:
    return config(BASE + f"models:\n  '{name}': {{estimator: {MODEL}}}\n")


def params(text: str) -> dict[str, str | bytes]:
    return config(BASE + f"models:\n  logistic:\n    estimator: {MODEL}\n    params: {text}\n")


TRAIN = ("train", "--out", "out")
VALIDATE_DATA = ("validate", "d.csv", "--schema", "small.yaml")


def data(content: bytes) -> dict[str, str | bytes]:
    return {"d.csv": content, "small.yaml": SMALL_SCHEMA}


def schema(name: str, content: str | bytes) -> dict[str, str | bytes]:
    return {name: content, "d.csv": CSV}


def link(name: str, target: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        (project / name).symlink_to(project.parent / target if not target.startswith("/") else Path(target))

    return make


def outside_file(project: Path) -> None:
    (project.parent / "secret.csv").write_text("token\nhunter2\n", encoding="utf-8")


def both(*steps: Callable[[Path], object]) -> Callable[[Path], None]:
    def run(project: Path) -> None:
        for step in steps:
            step(project)

    return run


def fifo(name: str) -> Callable[[Path], None]:
    return lambda project: os.mkfifo(project / name)


def config_folder(project: Path) -> None:
    (project / "mlgate.yaml").unlink()
    (project / "mlgate.yaml").mkdir()


CONFIG_CASES: dict[str, Case] = {
    "syntax-error": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:\d+:\d+: config file is not valid YAML: expected the node content",
        config(PLAIN + "  bad: [1,\n"),
    ),
    "alias-bomb-in-params": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:\d+:\d+: config file is refused: aliases expand it by more than 100,000",
        config(PLAIN + "    params:\n" + "".join(f"      {line}\n" for line in LAUGHS)),
    ),
    "alias-bomb-flow-in-params": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:7:\d+: config file is refused: aliases expand it",
        params(f"{{C: 1.0, x: {FLOW_LAUGHS}}}"),
    ),
    "alias-bomb-top-level": Case(
        ("validate",),
        2,
        r"mlgate\.yaml:\d+:\d+: config file is refused: aliases expand it",
        config(BASE + "x-anchors:\n" + "".join(f"  {line}\n" for line in LAUGHS)),
    ),
    "recursive-alias": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:7:\d+: config file is refused: an alias refers to a node that contains it",
        params("&p {C: *p}"),
    ),
    "deep-lists-in-params": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:7:\d+: config file is refused: nested deeper than 100 levels",
        params(f"{{C: {DEEP_LIST}}}"),
    ),
    "deep-maps": Case(
        ("validate",),
        2,
        r"mlgate\.yaml:1:\d+: config file is refused: nested deeper than 100 levels",
        config(f"x: {DEEP_MAP}\n"),
    ),
    "inf-param": Case(
        TRAIN, 2, r"mlgate\.yaml:7: models\.logistic\.params\.C is inf; it must be a finite number", params("{C: .inf}")
    ),
    "nan-param-nested": Case(
        TRAIN, 2, r"models\.logistic\.params\.class_weight\.1 is nan", params("{class_weight: {1: .NaN}}")
    ),
    "huge-float-param": Case(TRAIN, 2, r"models\.logistic\.params\.tol is inf", params("{tol: 1.0e+999}")),
    "nan-alpha": Case(TRAIN, 2, r"mlgate\.yaml:7: metrics\.alpha is nan", config(PLAIN + "metrics: {alpha: .nan}\n")),
    "inf-tolerance": Case(
        TRAIN,
        2,
        r"metrics\.gates\.accuracy\.abs_tol is inf",
        config(PLAIN + "metrics: {gates: {accuracy: {abs_tol: .inf}}}\n"),
    ),
    "inf-smoke-latency": Case(
        ("validate",),
        2,
        r"deploy\.smoke\.latency_p95_ms is -inf",
        config(BASE + "deploy: {smoke: {latency_p95_ms: -.inf}}\n"),
    ),
    "huge-train-seed": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:7: train\.seed is an integer of 31 digits; a number here must be below 2\*\*63",
        config(PLAIN + f"train: {{seed: {10**30}}}\n"),
    ),
    "seed-above-numpy": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:7: train\.seed is 4294967296; a seed is a whole number from 0 to 4294967295",
        config(PLAIN + "train: {seed: 4294967296}\n"),
    ),
    "negative-split-seed": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:1: data\.split\.seed is -5; a seed",
        config(
            BASE.replace("test: data/test.csv}", "split: {seed: -5}}")
            + f"models:\n  logistic: {{estimator: {MODEL}}}\n"
        ),
    ),
    "integer-of-5000-digits": Case(
        ("validate",),
        2,
        r"mlgate\.yaml:\d+:\d+: config file is refused: an integer of 5,000 digits is too long",
        config(BASE + "validate: {max_examples: " + "9" * 5000 + "}\n"),
    ),
    "unknown-key": Case(
        ("validate",), 2, r"mlgate\.yaml:4: validte is not a known key", config(BASE + "validte: {}\n")
    ),
    "wrong-type": Case(
        ("validate",),
        2,
        r"mlgate\.yaml:4: validate\.max_examples must be an integer, not a string",
        config(BASE + "validate: {max_examples: many}\n"),
    ),
    "list-not-mapping": Case(
        ("validate",), 2, r"mlgate\.yaml:1: the config must be a mapping of keys, not a list", config("- a\n- b\n")
    ),
    "empty-file": Case(TRAIN, 2, r"mlgate\.yaml declares no models", config("")),
    "utf16-file": Case(
        ("validate",), 2, r"config file is not UTF-8 text: \S*mlgate\.yaml", {"mlgate.yaml": BASE.encode("utf-16")}
    ),
    "latin1-bytes": Case(
        ("validate",),
        2,
        r"config file is not UTF-8 text: \S*mlgate\.yaml \(byte \d+\)",
        {"mlgate.yaml": BASE.encode() + b"# caf\xe9\n"},
    ),
    "nul-byte": Case(
        ("validate",),
        2,
        r"mlgate\.yaml:4: config file is not valid YAML: character U\+0000 is not allowed",
        {"mlgate.yaml": BASE.encode() + b"x: \x00\n"},
    ),
    "utf8-bom-is-fine": Case(("validate",), 0, r"^$", {"mlgate.yaml": b"\xef\xbb\xbf" + BASE.encode()}),
    "folder-named-mlgate-yaml": Case(
        ("validate",), 2, r"mlgate\.yaml is a directory, not a config file", setup=config_folder
    ),
    "python-tag": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:7:\d+: config file is not valid YAML: could not determine a constructor",
        params("!!python/object/apply:os.system ['touch pwned']"),
    ),
    "env-alias-bomb": Case(
        ("validate",),
        2,
        r"environment variable MLGATE_DATA__DATASETS: value is refused: aliases expand it",
        env={"MLGATE_DATA__DATASETS": FLOW_LAUGHS},
    ),
    "env-nan": Case(
        TRAIN,
        2,
        r"metrics\.alpha is nan; it must be a finite number",
        config(PLAIN),
        env={"MLGATE_METRICS__ALPHA": ".nan"},
    ),
}

NAME_CASES: dict[str, Case] = {
    "300-characters": Case(
        TRAIN,
        2,
        r"mlgate\.yaml:5: models\.m{40}… is 300 characters long; a model name has at most 100",
        named("m" * 300),
    ),
    "path-separator": Case(TRAIN, 2, r"models\.a/b \('a/b'\) cannot be used as a folder name", named("a/b")),
    "backslash": Case(TRAIN, 2, r"\('a\\\\b'\) cannot be used as a folder name", named("a\\b")),
    "dot-dot": Case(TRAIN, 2, r"\('\.\.'\) cannot be used as a folder name", named("..")),
    "trailing-dot": Case(TRAIN, 2, r"\('m\.'\) cannot be used as a folder name", named("m.")),
    "leading-dot": Case(TRAIN, 2, r"\('\.hidden'\) cannot be used as a folder name", named(".hidden")),
    "unicode-digit": Case(TRAIN, 2, r"\('²'\) cannot be used as a folder name", named("²")),
    "windows-device": Case(TRAIN, 2, r"\('CON'\) is a reserved device name on Windows", named("CON")),
    "windows-device-with-suffix": Case(TRAIN, 2, r"\('lpt1\.model'\) is a reserved device name", named("lpt1.model")),
    "newline": Case(
        TRAIN, 2, r"cannot be used as a folder name", config(BASE + f'models:\n  "a\\nb": {{estimator: {MODEL}}}\n')
    ),
    "only-path-traversal": Case(
        ("train", "--out", "out", "--only", "../logistic"),
        2,
        r"--only \.\./logistic: no model of that name",
        config(PLAIN),
    ),
    "registry-unicode-digit": Case(("registry", "show", "²"), 2, r"'²' is not a version number"),
    "registry-arabic-digits": Case(("registry", "show", "١٢"), 2, r"'١٢' is not a version number"),
    "registry-fullwidth-digit": Case(
        ("registry", "approve", "３", "--reason", "x"), 2, r"'３' is not a version number"
    ),
    "registry-5000-digits": Case(
        ("registry", "show", "7" * 5000), 2, r"'7{20}…\(5,000 characters\)' is not a version number"
    ),
    "registry-path": Case(("registry", "show", "../1"), 2, r"'\.\./1' is not a version number"),
    "registry-empty": Case(("registry", "history", ""), 2, r"'' is not a version number"),
}

ESTIMATOR_CASES: dict[str, Case] = {
    "sys-exit": Case(
        TRAIN, 2, r"model 'm': estimator 'sys:exit' is a built-in function, not an estimator class", model("sys:exit")
    ),
    "sys-exit-dotted": Case(TRAIN, 2, r"estimator 'sys\.exit' is a built-in function", model("sys.exit")),
    "breakpoint": Case(
        TRAIN, 2, r"estimator 'builtins:breakpoint' is a built-in function", model("builtins:breakpoint")
    ),
    "os-system": Case(TRAIN, 2, r"estimator 'os\.system' is a built-in function", model("os.system")),
    "shutil-rmtree": Case(
        TRAIN,
        2,
        r"estimator 'shutil:rmtree' is a function of \S+shutil\.py, not of the project's own code",
        model("shutil:rmtree"),
    ),
    "popen-class": Case(
        TRAIN,
        2,
        r"estimator 'subprocess\.Popen' is the class subprocess\.Popen, not a scikit-learn estimator",
        model("subprocess.Popen"),
    ),
    "library-factory": Case(
        TRAIN,
        2,
        r"sklearn\.pipeline:make_pipeline' is a function of \S+, not of the project's own code",
        model("sklearn.pipeline:make_pipeline"),
    ),
    "a-value": Case(TRAIN, 2, r"estimator 'math\.pi' is a float, not an estimator class", model("math.pi")),
    "project-factory-exits": Case(
        TRAIN,
        2,
        r"calling evil:make without arguments failed: SystemExit",
        {**model("evil:make"), "evil.py": "import sys\n\ndef make():\n    sys.exit(4)\n"},
    ),
}

SCHEMA_CASES: dict[str, Case] = {
    "alias-bomb": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"s\.yaml:\d+:\d+: schema is refused: aliases expand it",
        schema("s.yaml", SMALL_SCHEMA + "x-mlgate:\n  junk:\n" + "".join(f"    {line}\n" for line in LAUGHS)),
    ),
    "deep-yaml": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"s\.yaml:\d+:\d+: schema is refused: nested deeper than 100 levels",
        schema("s.yaml", f"fields: {DEEP_LIST}\n"),
    ),
    "deep-json": Case(
        ("validate", "d.csv", "--schema", "s.json"),
        2,
        r"s\.json: schema is refused: nested deeper than 100 levels",
        schema("s.json", '{"fields": ' + DEEP_LIST + "}"),
    ),
    "json-5000-digits": Case(
        ("validate", "d.csv", "--schema", "s.json"),
        2,
        r"s\.json: schema is refused: an integer of more than 4,300 digits",
        schema(
            "s.json", '{"fields": [{"name": "id", "type": "integer", "constraints": {"maximum": ' + "9" * 5000 + "}}]}"
        ),
    ),
    "nan-bound": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"s\.yaml:2: field 'id': nan is not a valid integer",
        schema(
            "s.yaml",
            "fields:\n  - {name: id, type: integer, constraints: {minimum: .nan}}\n  - {name: name, type: string}\n",
        ),
    ),
    "folder": Case(
        ("validate", "d.csv", "--schema", "sd"), 2, r"schema is a directory, not a file: \S*sd", schema("sd/keep", "")
    ),
    "empty": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"s\.yaml: a schema must be a mapping with a 'fields' list",
        schema("s.yaml", ""),
    ),
    "utf16": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"schema is not UTF-8 text: \S*s\.yaml",
        schema("s.yaml", SMALL_SCHEMA.encode("utf-16")),
    ),
    "deep-reference-stats": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"st\.json: reference statistics mlgate cannot read \(RecursionError\)",
        {**schema("s.yaml", SMALL_SCHEMA + "x-mlgate:\n  drift: {reference: st.json}\n"), "st.json": DEEP_LIST},
    ),
    "huge-integer-reference-stats": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"st\.json: reference statistics mlgate cannot read \(ValueError\)",
        {
            **schema("s.yaml", SMALL_SCHEMA + "x-mlgate:\n  drift: {reference: st.json}\n"),
            "st.json": '{"rows": ' + "1" * 5000 + "}",
        },
    ),
    "unicode-digit-repeat": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        1,
        r"^$",
        schema(
            "s.yaml",
            "fields:\n  - {name: id, type: integer}\n  - {name: name, type: string, constraints: {pattern: 'a{²}'}}\n",
        ),
    ),
}

DATA_CASES: dict[str, Case] = {
    "utf16-bom": Case(
        VALIDATE_DATA, 2, r"d\.csv is UTF-16LE text \(byte order mark\), not UTF-8", data(CSV.encode("utf-16"))
    ),
    "utf16be-no-bom": Case(
        VALIDATE_DATA, 2, r"d\.csv is UTF-16BE text \(no byte order mark", data(CSV.encode("utf-16-be"))
    ),
    "utf32-bom": Case(VALIDATE_DATA, 2, r"d\.csv is UTF-32LE text \(byte order mark\)", data(CSV.encode("utf-32"))),
    "nul-bytes": Case(
        VALIDATE_DATA,
        2,
        r"d\.csv holds binary data \(NUL bytes\), not CSV text",
        data(b"id,name\n1,\x00\x01\x02\xff\n"),
    ),
    "ragged-and-not-utf8": Case(
        VALIDATE_DATA, 2, r"d\.csv:3: bytes that are not valid UTF-8", data(b"id,name\n1,a\n2,\xff\xfe,x,y\n3,c\n")
    ),
    "not-utf8": Case(VALIDATE_DATA, 2, r"d\.csv:3: bytes that are not valid UTF-8", data(b"id,name\n1,a\n2,caf\xe9\n")),
    "truncated-utf8-at-end": Case(
        VALIDATE_DATA, 2, r"d\.csv(:\d+)?: bytes that are not valid UTF-8", data(b"id,name\n1,a\n2,\xe2\x82")
    ),
    "ragged-rows": Case(VALIDATE_DATA, 1, r"^$", data(b"id,name\n1,a\n2,b,c\n3,d\n")),
    "huge-field": Case(VALIDATE_DATA, 0, r"^$", data(b"id,name\n1," + b"x" * 3_000_000 + b"\n")),
    "empty": Case(VALIDATE_DATA, 2, r"d\.csv is empty \(0 bytes\)", data(b"")),
    "header-only": Case(VALIDATE_DATA, 0, r"^$", data(b"id,name\n")),
    "bom-only": Case(VALIDATE_DATA, 2, r"d\.csv:1: the first line is empty", data(b"\xef\xbb\xbf")),
    "duplicate-headers": Case(VALIDATE_DATA, 1, r"^$", data(b"id,id\n1,2\n")),
    "blank-header": Case(VALIDATE_DATA, 2, r"d\.csv:1: the first line is empty", data(b"\n1,a\n")),
    "parquet-named-csv": Case(VALIDATE_DATA, 2, r"d\.csv is a Parquet file, not CSV", data(b"PAR1\x00\x00")),
    "gzip-named-csv": Case(VALIDATE_DATA, 2, r"d\.csv is gzip-compressed", data(b"\x1f\x8b\x08\x00rest")),
    "dev-zero": Case(
        ("validate", "/dev/zero", "--schema", "small.yaml"),
        2,
        r"/dev/zero is a character device, not a regular file",
        data(b""),
    ),
    "fifo": Case(
        ("validate", "pipe.csv", "--schema", "small.yaml"),
        2,
        r"pipe\.csv is a FIFO \(named pipe\), not a regular file",
        data(b""),
        setup=fifo("pipe.csv"),
    ),
    "folder": Case(
        ("validate", "sub", "--schema", "small.yaml"),
        2,
        r"sub is a directory, not a dataset file",
        {**data(b""), "sub/keep": ""},
    ),
    "missing": Case(("validate", "nope.csv", "--schema", "small.yaml"), 2, r"dataset not found: nope\.csv", data(b"")),
}

PATH_CASES: dict[str, Case] = {
    "symlink-out": Case(
        ("validate",),
        2,
        r"mlgate\.yaml:1: data\.train: data/link\.csv is a symlink to \S+/secret\.csv, outside the project",
        config(BASE.replace("data/train.csv", "data/link.csv")),
        setup=both(outside_file, link("data/link.csv", "secret.csv")),
    ),
    "symlink-to-etc": Case(
        ("validate",),
        2,
        r"data\.schema: s\.yaml is a symlink to /etc/passwd, outside the project",
        config(BASE.replace("schema.yaml", "s.yaml")),
        setup=link("s.yaml", "/etc/passwd"),
    ),
    "symlinked-folder": Case(
        ("validate",),
        2,
        r"data\.datasets\.0: up/secret\.csv is a symlink to \S+secret\.csv",
        config("data: {datasets: [up/secret.csv]}\n"),
        setup=both(outside_file, link("up", ".")),
    ),
    "absolute": Case(
        ("validate",),
        2,
        r"data\.test: /etc/hostname is outside the project",
        config(BASE.replace("data/test.csv", "/etc/hostname")),
    ),
    "dot-dot": Case(
        ("validate",),
        2,
        r"data\.train: \.\./secret\.csv is \S+/secret\.csv, outside the project",
        config(BASE.replace("data/train.csv", "../secret.csv")),
        setup=outside_file,
    ),
    "home": Case(
        ("validate",),
        2,
        r"data\.test: ~/x\.csv is \S+x\.csv, outside the project",
        config(BASE.replace("data/test.csv", "~/x.csv")),
    ),
    "env-absolute": Case(
        ("validate",),
        2,
        r"data\.train: /dev/zero is outside the project",
        config(BASE),
        env={"MLGATE_DATA__TRAIN": "/dev/zero"},
    ),
    "drift-reference-absolute": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"s\.yaml: x-mlgate\.drift\.reference: /etc/passwd is outside the project",
        schema("s.yaml", SMALL_SCHEMA + "x-mlgate:\n  drift: {reference: /etc/passwd}\n"),
    ),
    "drift-reference-symlink": Case(
        ("validate", "d.csv", "--schema", "s.yaml"),
        2,
        r"x-mlgate\.drift\.reference: \S+/ref\.json is a symlink to \S+/secret\.csv, outside the project",
        schema("s.yaml", SMALL_SCHEMA + "x-mlgate:\n  drift: {reference: ref.json}\n"),
        setup=both(outside_file, link("ref.json", "secret.csv")),
    ),
    "allowed-explicitly": Case(
        ("validate",),
        0,
        r"^$",
        config(BASE.replace("data/test.csv", "data/link.csv").replace("}", ", allow_outside: true}", 1)),
        setup=both(lambda p: shutil.copy(p / "data" / "test.csv", p.parent / "t.csv"), link("data/link.csv", "t.csv")),
    ),
    "symlink-inside-is-fine": Case(
        ("validate",),
        0,
        r"^$",
        config(BASE.replace("data/test.csv", "data/alias.csv")),
        setup=lambda p: (p / "data" / "alias.csv").symlink_to(p / "data" / "test.csv"),
    ),
}


def _bomb(project: Path) -> None:
    """Replace the trained model with a zip whose schema.json declares 300 MB (and record its digest)."""
    path = project / "res" / "models" / "logistic" / "model.skops"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", b" " * 1000)
    raw = bytearray(path.read_bytes())
    struct.pack_into("<I", raw, raw.index(b"PK\x03\x04") + 22, 300 << 20)
    struct.pack_into("<I", raw, raw.index(b"PK\x01\x02") + 24, 300 << 20)
    path.write_bytes(bytes(raw))
    _record(project, hashlib.sha256(raw).hexdigest())


def _not_zip(project: Path) -> None:
    path = project / "res" / "models" / "logistic" / "model.skops"
    path.write_bytes(b"#!/bin/sh\necho pwned\n")
    _record(project, hashlib.sha256(path.read_bytes()).hexdigest())


def _tampered(project: Path) -> None:
    path = project / "res" / "models" / "logistic" / "model.skops"
    path.write_bytes(path.read_bytes() + b"\x00")


def _escaping_path(target: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        metrics = project / "res" / "metrics.json"
        document = json.loads(metrics.read_text(encoding="utf-8"))
        document["models"]["logistic"]["artifact"]["path"] = target
        metrics.write_text(json.dumps(document), encoding="utf-8")

    return edit


def _record(project: Path, digest: str) -> None:
    metrics = project / "res" / "metrics.json"
    document = json.loads(metrics.read_text(encoding="utf-8"))
    document["models"]["logistic"]["artifact"]["sha256"] = digest
    metrics.write_text(json.dumps(document), encoding="utf-8")


REGISTER = ("registry", "register", "--best", "res")
ARTIFACT_CASES: dict[str, Case] = {
    "zip-bomb": Case(
        REGISTER, 2, r"model\.skops: member 'schema\.json' would inflate to 314,572,800 bytes", setup=_bomb
    ),
    "not-a-zip": Case(
        REGISTER, 2, r"model\.skops is not a skops model file \(not a readable zip archive", setup=_not_zip
    ),
    "wrong-digest": Case(REGISTER, 2, r"tampered artifact: \S*model\.skops has SHA-256", setup=_tampered),
    "path-escapes-results": Case(
        REGISTER,
        2,
        r"res: malformed metrics file: 'models\.logistic\.artifact\.path' must be a path inside",
        setup=_escaping_path("../../../etc/passwd"),
    ),
    "absolute-artifact-path": Case(
        REGISTER,
        2,
        r"'models\.logistic\.artifact\.path' must be a path inside the results folder, not '/etc/passwd'",
        setup=_escaping_path("/etc/passwd"),
    ),
    "deep-metrics-json": Case(
        REGISTER,
        2,
        r"metrics\.json: not a metrics file mlgate can read \(RecursionError\)",
        setup=lambda p: (p / "res" / "metrics.json").write_text(DEEP_LIST, encoding="utf-8"),
    ),
}

CASES = {
    f"{area}/{name}": case
    for area, cases in (
        ("config", CONFIG_CASES),
        ("names", NAME_CASES),
        ("estimator", ESTIMATOR_CASES),
        ("schema", SCHEMA_CASES),
        ("data", DATA_CASES),
        ("paths", PATH_CASES),
        ("artifacts", ARTIFACT_CASES),
    )
    for name, case in cases.items()
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained results folder of the churn example (logistic only), copied into the artifact cases."""
    folder = tmp_path_factory.mktemp("trained")
    _copy_example(folder)
    (folder / "mlgate.yaml").write_text(
        PLAIN + "train: {latency_rows: 5, batch_rows: 50, seed_fits: 0}\n", encoding="utf-8"
    )
    assert main(["train", "--config", str(folder / "mlgate.yaml"), "--out", str(folder / "res")]) == 0
    return folder / "res"


def _copy_example(folder: Path) -> None:
    shutil.copytree(EXAMPLE / "data", folder / "data")
    shutil.copy(EXAMPLE / "schema.yaml", folder / "schema.yaml")


def _snapshot(folder: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every entry under ``folder``: kind, size and (for small files) content; symlinks by their target."""
    seen: dict[str, tuple[str, int, bytes]] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            seen[key] = ("link", 0, os.readlink(path).encode())
        elif path.is_fifo():
            seen[key] = ("fifo", 0, b"")
        elif path.is_dir():
            seen[key] = ("dir", 0, b"")
        else:
            size = path.stat().st_size
            seen[key] = (
                "file",
                size,
                path.read_bytes() if size < 1 << 16 else hashlib.sha256(path.read_bytes()).digest(),
            )
    return seen


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_a_hostile_input_is_refused_cleanly_and_nothing_is_written(
    case: Case,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    project = tmp_path / "p"
    project.mkdir()
    _copy_example(project)
    (project / "mlgate.yaml").write_text(PLAIN, encoding="utf-8")
    if case.argv[:2] == ("registry", "register"):
        shutil.copytree(request.getfixturevalue("trained"), project / "res")
    for name, content in case.files.items():
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    if case.setup is not None:
        case.setup(project)
    monkeypatch.chdir(project)
    monkeypatch.setenv("MLGATE_LOG_DIR", str(tmp_path / "crash-logs"))
    monkeypatch.setenv("MLGATE_TRAIN__LATENCY_ROWS", "5")
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    before = _snapshot(tmp_path)
    capsys.readouterr()

    code = main(list(case.argv))

    out, err = capsys.readouterr()
    assert code == case.code, f"exit {code}, expected {case.code}\nstderr: {err[:2000]}"
    assert "Traceback" not in err + out
    assert "Exception ignored" not in err
    assert re.search(case.stderr, err), f"stderr does not match {case.stderr!r}:\n{err[:2000]}"
    if case.code == 2:
        assert 1 <= len(err.strip().splitlines()) <= 3, err  # one or two lines, and perhaps a hint
    assert _snapshot(tmp_path) == before, "a refused input left files behind or changed some"
    assert sys.getrecursionlimit() >= 1000


def test_the_tier_holds_at_least_fifty_cases_in_every_area() -> None:
    assert len(CASES) >= 50
    areas = {name.split("/")[0] for name in CASES}
    assert areas == {"config", "names", "estimator", "schema", "data", "paths", "artifacts"}
