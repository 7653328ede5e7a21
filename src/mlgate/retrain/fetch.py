"""The fetch hook of ``mlgate retrain`` (``retrain.fetch``): how fresh data replaces ``data.train``/``data.test``.

Three forms (docs/retrain.md):

- a command (shlex-split, no shell) run in the project folder with a timeout (``retrain.timeout_s``), its
  output streamed to the log; it must write the data files. A non-zero exit, a timeout or a missing
  program is an InputError naming the command and its last stderr lines;
- an ``s3://`` prefix: ``<prefix>/<file name>`` of each data file is downloaded next to it and renamed over
  it once every file has arrived (all or nothing);
- nothing (``--no-fetch``, or no ``retrain.fetch``): the data in place is used.

A fetch that rewrites ``data.train`` but leaves ``data.test`` byte for byte as it was gets a warning that names
both files (``FetchResult.warnings``): the models would be judged on the old test rows, which the fresh
training data may well contain.

The command runner and the S3 client are injected (``Runner``, ``S3Factory``) so tests pass fakes.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlgate.config import Config
from mlgate.errors import ConfigError, DataError, InputError
from mlgate.files import display_path
from mlgate.progress import Say
from mlgate.retrain.command import CommandResult, Runner, run_command

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

S3Factory = Callable[[], "S3Client"]
FetchKind = Literal["command", "s3", "none"]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FetchedFile:
    """A data file as it stands after the fetch."""

    path: str
    bytes: int | None  # None for a remote file (read where it lives)
    sha256: str | None


@dataclass(frozen=True)
class FetchResult:
    """What the fetch did: its kind, its source (the command or the prefix), the data files, how long it took."""

    kind: FetchKind
    source: str | None
    files: tuple[FetchedFile, ...]
    seconds: float
    note: str | None = None
    warnings: tuple[str, ...] = ()


def fetch_data(
    config: Config,
    *,
    enabled: bool,
    runner: Runner = run_command,
    s3: S3Factory | None = None,
    say: Say | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> FetchResult:
    """Run the configured fetch (see the module docstring) and describe the data files it left."""
    say = say or (lambda _message: None)
    hook = (config.retrain.fetch or "").strip()
    targets = data_files(config, fetching=enabled and bool(hook))
    started = clock()
    if not enabled or not hook:
        note = "--no-fetch: the data in place is used" if not enabled else "retrain.fetch is not set: data in place"
        say(note)
        return FetchResult("none", None, describe_files(targets), clock() - started, note)
    before = {str(Path(t)): _digest(Path(t)) for t in targets}
    if hook.startswith("s3://"):
        if s3 is None:
            raise InputError(f"retrain.fetch {hook}: no S3 client available")
        copy_from_s3(hook, [Path(t) for t in targets], s3(), say=say)
        files = describe_files(targets)
        return FetchResult("s3", hook, files, clock() - started, warnings=find_stale(config, before, files, say=say))
    argv = split_command(hook)
    say(f"fetching fresh data: {shlex.join(argv)} (in {config.root}, timeout {config.retrain.timeout_s:g} s)")
    done = runner(argv, config.root, config.retrain.timeout_s, lambda line: say(f"fetch | {line}"))
    check_command(argv, done, config.retrain.timeout_s)
    missing = [t for t in targets if not Path(t).is_file()]
    if missing:
        raise InputError(
            f"the fetch command `{shlex.join(argv)}` exited 0 but did not write {', '.join(missing)}",
            hint="it must write data.train (and data.test) of mlgate.yaml",
        )
    files = describe_files(targets)
    return FetchResult(
        "command", shlex.join(argv), files, clock() - started, warnings=find_stale(config, before, files, say=say)
    )


def find_stale(
    config: Config, before: dict[str, str | None], files: Sequence[FetchedFile], *, say: Say
) -> tuple[str, ...]:
    """A warning when the fetch rewrote ``data.train`` but left ``data.test`` exactly as it was."""
    if not config.data.test or len(files) < 2:
        return ()
    train, test = files[0], files[1]
    if train.sha256 is None or test.sha256 is None:
        return ()
    if before.get(train.path) == train.sha256 or before.get(test.path) != test.sha256:
        return ()
    warning = (
        f"the fetch rewrote data.train ({config.as_written('data.train')}) but left data.test "
        f"({config.as_written('data.test')}) as it "
        "was (same SHA-256): the models are judged on the old test rows, which the fresh training data may "
        "contain; make the fetch write both files"
    )
    say(f"warning: {warning}")
    return (warning,)


def data_files(config: Config, *, fetching: bool) -> list[str]:
    """The data files the fetch replaces: ``data.train`` and ``data.test`` (when set), resolved.

    Only local files can be fetched over; remote ones are read where they live when nothing is fetched.
    """
    if not config.data.train:
        raise ConfigError("mlgate retrain needs data.train in mlgate.yaml", hint="set data.train (and data.test)")
    paths = [p for p in (config.data.train, config.data.test) if p]
    remote = [p for p in paths if "://" in p]
    if remote and fetching:
        raise ConfigError(
            f"retrain.fetch replaces local data files, but data.train/data.test is {remote[0]}",
            hint="point data.train/data.test at local files, or drop retrain.fetch",
        )
    return [display_path(p) for p in paths]


def split_command(hook: str) -> list[str]:
    """``retrain.fetch`` as an argument list (no shell)."""
    try:
        argv = shlex.split(hook)
    except ValueError as exc:
        raise ConfigError(
            f"retrain.fetch {hook!r} cannot be split into arguments: {exc}",
            hint="check its quotes; it is run without a shell",
        ) from exc
    return argv


def check_command(argv: Sequence[str], done: CommandResult, timeout_s: float) -> None:
    """A failed or timed-out fetch command is an InputError with its last stderr lines."""
    command = shlex.join(argv)
    tail = "; ".join(done.stderr_tail) or "no output on stderr"
    if done.timed_out:
        raise InputError(
            f"the fetch command `{command}` did not finish within {timeout_s:g} s and was stopped",
            hint="raise retrain.timeout_s, or make the export faster",
        )
    if done.returncode != 0:
        raise InputError(
            f"the fetch command `{command}` failed (exit {done.returncode}): {tail}",
            hint="run it by hand in the project folder to see the whole output",
        )


def copy_from_s3(prefix: str, targets: Sequence[Path], client: S3Client, *, say: Say) -> None:
    """Download ``<prefix>/<name>`` of each target next to it, then rename every one over its target."""
    bucket, _, key_prefix = prefix.removeprefix("s3://").partition("/")
    if not bucket:
        raise ConfigError(f"retrain.fetch {prefix!r} names no bucket", hint="use s3://BUCKET/PREFIX/")
    if len({t.name for t in targets}) < len(targets):
        raise ConfigError(
            f"retrain.fetch {prefix}: data.train and data.test have the same file name",
            hint="give them different names: the prefix holds one object per name",
        )
    staged: list[tuple[Path, Path]] = []
    try:
        for target in targets:
            key = f"{key_prefix.rstrip('/')}/{target.name}" if key_prefix.strip("/") else target.name
            say(f"fetching s3://{bucket}/{key} -> {target}")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.fetch-{os.getpid()}")
            staged.append((partial, target))
            download(client, bucket, key, partial)
        for partial, target in staged:
            os.replace(partial, target)
    finally:
        for partial, _target in staged:
            partial.unlink(missing_ok=True)


def download(client: S3Client, bucket: str, key: str, path: Path) -> None:
    """Stream one object to ``path``; a missing object is an InputError, other failures a ServiceError."""
    from botocore.exceptions import BotoCoreError, ClientError

    from mlgate.aws import translate_error

    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        with path.open("wb") as handle:
            for chunk in iter(lambda: body.read(_CHUNK), b""):
                handle.write(chunk)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404", "NotFound", "NoSuchBucket"):
            raise InputError(
                f"retrain.fetch: s3://{bucket}/{key} does not exist ({code})",
                hint="the prefix must hold a file named like each data file",
            ) from exc
        raise translate_error(f"GetObject s3://{bucket}/{key}", exc) from exc
    except BotoCoreError as exc:
        raise translate_error(f"GetObject s3://{bucket}/{key}", exc) from exc


def _digest(path: Path) -> str | None:
    """The SHA-256 of a local file before the fetch, None when it does not exist (yet) or is remote."""
    if "://" in str(path) or not path.is_file():
        return None
    return describe_files([str(path)])[0].sha256


def describe_files(locations: Sequence[str]) -> tuple[FetchedFile, ...]:
    """Size and SHA-256 of each local data file (a missing one is a DataError naming it)."""
    described = []
    for location in locations:
        if "://" in location:
            described.append(FetchedFile(path=location, bytes=None, sha256=None))
            continue
        path = Path(location)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(_CHUNK), b""):
                    digest.update(chunk)
        except OSError as exc:
            raise DataError(
                f"cannot read data file {path}: {exc.strerror or exc}",
                hint="check data.train/data.test, or configure retrain.fetch",
            ) from exc
        described.append(FetchedFile(path=str(path), bytes=path.stat().st_size, sha256=digest.hexdigest()))
    return tuple(described)
