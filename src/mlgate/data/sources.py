"""Open datasets (local paths and ``s3://`` URIs; CSV, ``.csv.gz`` and Parquet) as record-batch streams.

Every read failure becomes a DataError naming the file (and the line where known) and what to do.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from mlgate.config import CsvConfig
from mlgate.errors import DataError, ServiceError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.fs

Format = Literal["csv", "parquet"]
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Location:
    """A dataset location and what it holds."""

    uri: str
    format: Format
    gzip: bool
    size: int

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")

    @property
    def is_local_plain_csv(self) -> bool:
        return self.format == "csv" and not self.gzip and not self.is_s3


@dataclass
class RaggedRow:
    """A CSV record whose cell count differs from the header (pyarrow's record number, header = 1)."""

    number: int
    cells: int
    text: str


@dataclass
class ReadStats:
    """What a streaming read observed, filled in while batches are consumed."""

    bytes_read: int = 0
    newlines: int = 0
    carriage_returns: int = 0
    last_byte: bytes = b""
    ragged: list[RaggedRow] = field(default_factory=list)


FilesystemFactory = Callable[[], "pyarrow.fs.S3FileSystem"]


def detect_format(uri: str) -> tuple[Format, bool]:
    """The format and gzip flag implied by a file name."""
    name = uri.lower()
    gz = name.endswith(".gz")
    stem = name[:-3] if gz else name
    if stem.endswith((".parquet", ".pq", ".parq")):
        return "parquet", gz
    return "csv", gz


def locate(uri: str, *, s3: FilesystemFactory | None = None) -> Location:
    """Check that ``uri`` exists and is a non-empty file; return its Location."""
    fmt, gz = detect_format(uri)
    if uri.startswith("s3://"):
        size = _stat_s3(uri, s3)
    else:
        path = Path(uri)
        if path.is_dir():
            raise DataError(f"{uri} is a directory, not a dataset file", hint="name the CSV or Parquet file")
        try:
            info = path.stat()
        except FileNotFoundError as exc:
            raise DataError(f"dataset not found: {uri}", hint="check the path (relative to mlgate.yaml)") from exc
        except OSError as exc:
            raise DataError(f"cannot read {uri}: {exc.strerror}") from exc
        if not stat.S_ISREG(info.st_mode):  # a device (/dev/zero) or a FIFO would never end, or block
            raise DataError(f"{uri} is {_kind_of(info.st_mode)}, not a regular file", hint="name a CSV or Parquet file")
        size = info.st_size
        if not os.access(path, os.R_OK):
            raise DataError(f"cannot read {uri}: permission denied")
    if size == 0:
        raise DataError(f"{uri} is empty (0 bytes): a CSV needs at least a header row")
    return Location(uri=uri, format=fmt, gzip=gz, size=size)


def _kind_of(mode: int) -> str:
    kinds = (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def _stat_s3(uri: str, s3: FilesystemFactory | None) -> int:
    import pyarrow.fs

    fs = _s3(s3)
    try:
        info = fs.get_file_info(uri[len("s3://") :])
    except OSError as exc:
        raise translate_s3_error(uri, exc) from exc
    if info.type == pyarrow.fs.FileType.NotFound:
        raise DataError(f"dataset not found: {uri}", hint="check the bucket and key")
    if info.type == pyarrow.fs.FileType.Directory:
        raise DataError(f"{uri} is a prefix (folder), not a dataset file")
    return int(info.size or 0)


def _s3(factory: FilesystemFactory | None) -> pyarrow.fs.S3FileSystem:
    if factory is not None:
        return factory()
    from mlgate.aws import make_s3_filesystem

    return make_s3_filesystem()


def translate_s3_error(uri: str, exc: OSError) -> DataError | ServiceError:
    text = str(exc)
    if "ACCESS_DENIED" in text or "AccessDenied" in text or "403" in text:
        return DataError(f"access denied reading {uri}", hint="check the AWS credentials and bucket policy")
    if "NoSuchBucket" in text or "NoSuchKey" in text or "404" in text:
        return DataError(f"dataset not found: {uri}", hint="check the bucket and key")
    return ServiceError(f"S3 failed reading {uri}: {text.splitlines()[0]}", hint="retry; check AWS_ENDPOINT_URL")


def open_binary(location: Location, *, s3: FilesystemFactory | None = None) -> BinaryIO:
    """Open the raw bytes of a location (decompressing gzip)."""
    import pyarrow as pa

    if location.is_s3:
        try:
            # compression=None: pyarrow would otherwise gunzip .gz itself, and it is done below
            stream: Any = _s3(s3).open_input_stream(location.uri[len("s3://") :], compression=None)
        except OSError as exc:
            raise translate_s3_error(location.uri, exc) from exc
    else:
        stream = pa.OSFile(location.uri, "rb")
    if location.gzip:
        stream = pa.CompressedInputStream(stream, "gzip")
    return stream  # type: ignore[no-any-return]


class CountingReader:
    """A file-like wrapper that counts bytes and line breaks as pyarrow pulls blocks through it.

    With ``utf8``, every block is also decoded (incrementally, so a character split between blocks is fine)
    before pyarrow sees it: bytes that are not UTF-8 are a DataError naming the line, raised before pyarrow's
    parser meets them (its invalid-row handler cannot decode such a row and would print an ignored exception).
    """

    def __init__(self, raw: Any, stats: ReadStats | None, *, utf8: str | None = None) -> None:
        import codecs

        self._raw = raw
        self._stats = stats
        self._uri = utf8
        self._decoder = codecs.getincrementaldecoder("utf-8")() if utf8 is not None else None
        self._lines = 0
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        chunk = bytes(self._raw.read(size if size >= 0 else None))
        if self._decoder is not None:
            self._check_utf8(chunk)
        if chunk and self._stats is not None:
            self._stats.bytes_read += len(chunk)
            self._stats.newlines += chunk.count(b"\n")
            self._stats.carriage_returns += chunk.count(b"\r")
            self._stats.last_byte = chunk[-1:]
        return chunk

    def _check_utf8(self, chunk: bytes) -> None:
        assert self._decoder is not None
        try:
            self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            line = self._lines + chunk[: max(exc.start, 0)].count(b"\n") + 1
            raise not_utf8(f"{self._uri}:{line}") from exc
        self._lines += chunk.count(b"\n")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True
        self._raw.close()


def not_utf8(where: str) -> DataError:
    """The error for bytes that are not UTF-8 at ``where`` (``file:line`` or a file)."""
    return DataError(
        f"{where}: bytes that are not valid UTF-8",
        hint="declare data.csv.encoding in mlgate.yaml (e.g. latin-1) or save the file as UTF-8",
    )


def sniff_csv(location: Location, head: bytes) -> None:
    """Refuse files that are clearly not CSV before pyarrow gives a vaguer message."""
    if head.startswith(_PARQUET_MAGIC):
        raise DataError(f"{location.uri} is a Parquet file, not CSV", hint="rename it to .parquet")
    if head.startswith(_GZIP_MAGIC) and not location.gzip:
        raise DataError(f"{location.uri} is gzip-compressed", hint="rename it to end in .csv.gz")
    wide = detect_wide_encoding(head)
    if wide is not None:
        name, how = wide
        raise DataError(
            f"{location.uri} is {name} text ({how}), not UTF-8",
            hint='save it as "CSV UTF-8" (Excel: File > Save As; "Unicode Text" is UTF-16), '
            f"or convert it: iconv -f {name} -t UTF-8 OLD > NEW.csv",
        )
    if b"\x00" in head:
        raise DataError(f"{location.uri} holds binary data (NUL bytes), not CSV text")


_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "UTF-32LE"),
    (b"\x00\x00\xfe\xff", "UTF-32BE"),
    (b"\xff\xfe", "UTF-16LE"),
    (b"\xfe\xff", "UTF-16BE"),
)


def detect_wide_encoding(head: bytes) -> tuple[str, str] | None:
    """``("UTF-16LE", "byte order mark")`` and the like for UTF-16/32 text, by its mark or its NUL pattern."""
    for mark, name in _BOMS:
        if head.startswith(mark):
            return name, "byte order mark"
    sample = head[: len(head) - len(head) % 4]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    for name, width, slot in (("UTF-32LE", 4, 0), ("UTF-32BE", 4, 3), ("UTF-16LE", 2, 0), ("UTF-16BE", 2, 1)):
        text = sample[slot::width]
        others = bytes(b for i, b in enumerate(sample) if i % width != slot)
        # mostly ASCII: the other bytes of each character are NUL, the low byte is not
        if others.count(0) >= 0.9 * len(others) and text.count(0) <= 0.1 * len(text):
            return name, "no byte order mark, NUL bytes between the characters"
    return None


def stream_csv(
    location: Location,
    csv: CsvConfig,
    stats: ReadStats | None,
    *,
    s3: FilesystemFactory | None = None,
    columns: list[int] | None = None,
) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """Stream a CSV as record batches of strings; closing the iterator closes the file.

    With ``stats``, bytes and line breaks are counted and ragged rows collected there (the main pass);
    without, pyarrow reads its own native stream (a re-read for examples).
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    raw = open_binary(location, s3=s3)
    try:
        head = bytes(raw.read(4096))
    except OSError as exc:
        raise DataError(f"{location.uri}: cannot decompress: {exc}", hint="is the file truncated?") from exc
    finally:
        raw.close()
    sniff_csv(location, head)
    header = _read_header(location, csv, head)
    if header and len(head) < 4096 and b"\n" not in head and b"\r" not in head:
        return header, iter(())  # the whole file is one header line without a line break

    def on_invalid(row: Any) -> str:
        if stats is not None:
            stats.ragged.append(RaggedRow(number=int(row.number), cells=int(row.actual_columns), text=row.text))
        return "skip"

    parse = pcsv.ParseOptions(
        delimiter=csv.delimiter,
        quote_char=csv.quote_char or False,
        double_quote=csv.double_quote,
        escape_char=csv.escape_char or False,
        newlines_in_values=True,
        invalid_row_handler=on_invalid,
    )
    read = pcsv.ReadOptions(
        use_threads=False,  # ragged-row numbers are only known to the serial parser
        block_size=int(csv.block_size_mb * (1 << 20)),
        encoding=csv.encoding or "utf8",
    )
    native = open_binary(location, s3=s3)
    utf8 = location.uri if (csv.encoding or "utf8").lower().replace("-", "").replace("_", "") == "utf8" else None
    reader: Any = CountingReader(native, stats, utf8=utf8) if stats is not None or utf8 is not None else native
    try:
        if header:  # our own names: duplicates and blanks survive, columns are addressed by position
            read.skip_rows = 1
            read.column_names = [f"c{i}" for i in range(len(header))]
        else:  # a quoted header cell spans lines: let pyarrow parse the header
            header = _header_by_pyarrow(location, read, parse, s3)
        names = read.column_names or header
        convert = pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=[names[i] for i in columns] if columns is not None else None,
        )
        streaming = pcsv.open_csv(reader, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _csv_error(location, exc) from exc
    return header, _guarded(streaming, reader, location)


def _header_by_pyarrow(location: Location, read: Any, parse: Any, s3: FilesystemFactory | None) -> list[str]:
    import pyarrow.csv as pcsv

    raw: Any = open_binary(location, s3=s3)
    if read.encoding == "utf8":
        raw = CountingReader(raw, None, utf8=location.uri)
    try:
        return list(pcsv.open_csv(raw, read_options=read, parse_options=parse).schema.names)
    finally:
        raw.close()


def _read_header(location: Location, csv: CsvConfig, head: bytes) -> list[str]:
    import csv as pycsv
    import io

    encoding = csv.encoding or "utf-8-sig"
    first = head.split(b"\n", 1)[0] if b"\n" in head else head
    try:
        text = first.decode(encoding)
    except UnicodeDecodeError as exc:
        if b"\n" not in head and len(head) == 4096:
            text = first[: exc.start].decode(encoding)
        else:
            raise DataError(
                f"{location.uri}:1: the header is not valid {encoding}",
                hint="declare data.csv.encoding in mlgate.yaml (e.g. latin-1)",
            ) from exc
    text = text.lstrip("\ufeff")
    if '"' in text and text.count(csv.quote_char or '"') % 2:
        # A quoted header cell spans lines: let pyarrow read it whole.
        return []
    rows = list(pycsv.reader(io.StringIO(text.rstrip("\r\n")), delimiter=csv.delimiter))
    if not rows or not any(rows[0]):
        raise DataError(f"{location.uri}:1: the first line is empty; a CSV needs a header row")
    return rows[0]


def _guarded(streaming: Any, source: Any, location: Location) -> Iterator[pa.RecordBatch]:
    """Translate read errors; close the reader and its input however the iteration ends.

    Closing matters: an abandoned reader keeps I/O threads that may free Python objects while the
    interpreter shuts down, which aborts the process.
    """
    import pyarrow as pa

    try:
        yield from streaming
    except (pa.ArrowInvalid, OSError) as exc:
        raise _csv_error(location, exc) from exc
    finally:
        streaming.close()
        source.close()


def _csv_error(location: Location, exc: Exception) -> DataError:
    text = str(exc)
    if "UTF8" in text or "UTF-8" in text or "decode" in text.lower():
        line = find_undecodable_line(location) if not location.is_s3 else None
        return not_utf8(f"{location.uri}:{line}" if line else location.uri)
    if "gzip" in text.lower() or "compress" in text.lower():
        return DataError(f"{location.uri}: cannot decompress ({text.splitlines()[0]})", hint="is it truncated?")
    return DataError(f"{location.uri}: not a readable CSV file: {text.splitlines()[0]}")


def find_undecodable_line(location: Location) -> int | None:
    """The 1-based line of the first byte that is not valid UTF-8 in a local file."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(location.uri, "rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk[: exc.start].count(b"\n")
            line += chunk.count(b"\n")
    return None


def open_parquet(location: Location, *, s3: FilesystemFactory | None = None) -> Any:
    """Open a Parquet file for batch iteration; a file that is not Parquet is a DataError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source: Any = _s3(s3).open_input_file(location.uri[len("s3://") :]) if location.is_s3 else location.uri
        if location.is_s3:  # pre-buffering coalesces the column-chunk requests
            return pq.ParquetFile(source)
        # locally, stream column chunks through a small buffer: a whole row group need not be in memory
        return pq.ParquetFile(source, pre_buffer=False, buffer_size=1 << 20)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise DataError(
            f"{location.uri} is not a readable Parquet file: {str(exc).splitlines()[0]}",
            hint="is it truncated, or a CSV with a .parquet name?",
        ) from exc
    except OSError as exc:
        if location.is_s3:
            raise translate_s3_error(location.uri, exc) from exc
        if exc.errno is not None:  # a real OS error (permissions, I/O)
            raise DataError(f"cannot read {location.uri}: {exc.strerror or exc}") from exc
        raise DataError(
            f"{location.uri} is not a readable Parquet file: {str(exc).splitlines()[0]}",
            hint="is it truncated, or a CSV with a .parquet name?",
        ) from exc


def iter_parquet(
    parquet: Any, location: Location, batch_rows: int = 65536, columns: list[str] | None = None
) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    try:
        yield from parquet.iter_batches(batch_size=batch_rows, columns=columns)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise DataError(
            f"{location.uri}: Parquet data is corrupt: {str(exc).splitlines()[0]}", hint="is the file truncated?"
        ) from exc
