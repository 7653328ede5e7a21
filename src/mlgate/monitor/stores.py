"""Where capture files live: a local folder or an ``s3://`` prefix, behind one small Protocol."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mlgate.data.sources import FilesystemFactory, translate_s3_error
from mlgate.errors import DataError, InputError


class Store(Protocol):
    """Where capture files live: list them (path relative parts included) and read their bytes."""

    def list_files(self) -> list[str]: ...

    def read_bytes(self, path: str) -> bytes: ...

    def parts(self, path: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class LocalStore:
    root: Path

    def list_files(self) -> list[str]:
        if not self.root.is_dir():
            raise InputError(f"capture folder not found: {self.root}",
                             hint="set monitor.capture (or capture.path), or pass --capture PATH|s3://...")  # fmt: skip
        return sorted(str(p) for p in self.root.rglob("*") if p.is_file())

    def read_bytes(self, path: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read {path}: {exc.strerror}") from exc

    def parts(self, path: str) -> tuple[str, ...]:
        return Path(path).relative_to(self.root).parts[:-1]


@dataclass(frozen=True)
class S3Store:
    uri: str  # s3://bucket/prefix
    factory: FilesystemFactory | None = None

    def _fs(self) -> Any:
        if self.factory is not None:
            return self.factory()
        from mlgate.aws import make_s3_filesystem

        return make_s3_filesystem()

    def list_files(self) -> list[str]:
        import pyarrow.fs

        base = self.uri[len("s3://") :].rstrip("/")
        try:
            infos = self._fs().get_file_info(pyarrow.fs.FileSelector(base, recursive=True, allow_not_found=True))
        except OSError as exc:
            raise translate_s3_error(self.uri, exc) from exc
        return sorted(f"s3://{i.path}" for i in infos if i.type == pyarrow.fs.FileType.File)

    def read_bytes(self, path: str) -> bytes:
        try:
            with self._fs().open_input_stream(path[len("s3://") :], compression=None) as stream:
                return bytes(stream.read())
        except OSError as exc:
            raise translate_s3_error(path, exc) from exc

    def parts(self, path: str) -> tuple[str, ...]:
        relative = path[len(self.uri.rstrip("/")) + 1 :]
        return tuple(relative.split("/")[:-1])


def open_store(location: str, *, s3: FilesystemFactory | None = None) -> Store:
    """The store of a capture location: ``s3://bucket/prefix`` or a local folder."""
    if location.startswith("s3://"):
        return S3Store(location, s3)
    if "://" in location:
        raise InputError(f"capture location {location!r}: only local folders and s3:// prefixes are supported")
    return LocalStore(Path(location))
