"""Where capture files live: a local folder or an ``s3://`` prefix, behind one small Protocol."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mlgate.data.sources import FilesystemFactory, translate_s3_error
from mlgate.errors import DataError, InputError
from mlgate.monitor.window import folder_end


class Store(Protocol):
    """Where capture files live: list them (path relative parts included) and read their bytes."""

    def list_files(self) -> list[str]: ...

    def read_bytes(self, path: str) -> bytes: ...

    def parts(self, path: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class LocalStore:
    root: Path

    def list_files(self) -> list[str]:
        if self.root.is_file():
            raise InputError(
                f"capture location {self.root} is a file, not a folder",
                hint=f"pass the folder that holds the capture files (their YYYY-MM-DD/ folders), e.g. "
                f"--capture {_folder_of(self.root)}",
            )
        if not self.root.is_dir():
            raise InputError(
                f"capture folder not found: {self.root}",
                hint="set monitor.capture (or capture.path), or pass --capture PATH|s3://...",
            )
        return sorted(str(p) for p in self.root.rglob("*") if p.is_file())

    def read_bytes(self, path: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read {path}: {exc.strerror}") from exc

    def parts(self, path: str) -> tuple[str, ...]:
        return Path(path).relative_to(self.root).parts[:-1]


def _folder_of(path: Path) -> Path:
    """The capture folder a capture file is in: above its day folder when it has one."""
    parent = path.parent
    return parent.parent if folder_end((parent.name,)) is not None else parent


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
        fs = self._fs()
        try:
            infos = fs.get_file_info(pyarrow.fs.FileSelector(base, recursive=True, allow_not_found=True))
        except OSError as exc:
            self._refuse_an_object(fs, base)
            raise translate_s3_error(self.uri, exc) from exc
        if not infos:
            self._refuse_an_object(fs, base)
        return sorted(f"s3://{i.path}" for i in infos if i.type == pyarrow.fs.FileType.File)

    def _refuse_an_object(self, fs: Any, base: str) -> None:
        """An InputError when the location is one object (a capture file), not a prefix."""
        import pyarrow.fs

        try:
            kind = fs.get_file_info(base).type
        except OSError:
            return
        if kind == pyarrow.fs.FileType.File:
            folder = self.uri.rstrip("/").rsplit("/", 1)[0]
            raise InputError(
                f"capture location {self.uri} is a file, not a folder",
                hint=f"pass the prefix that holds the capture files, e.g. --capture {folder}/",
            )

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
