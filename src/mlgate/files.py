"""Small file helpers shared by every layer: atomic writes, YAML/JSON reading with positions, and
``display_path`` (the one place a location is made relative to the working folder, for messages).

YAML is only ever constructed by ``SafeLoader`` (``BoundedLoader`` is a SafeLoader that also bounds what a small
file can make: nesting deeper than ``MAX_DEPTH`` levels, aliases that expand the document by more than
``MAX_ALIAS_VALUES`` values ("billion laughs") and recursive aliases are refused while composing, before any
Python object is built). ``yaml.compose`` (which builds nodes, never Python objects) is used on the error path
to find the line of a key. JSON documents get the same depth bound.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from mlgate.errors import InputError

MAX_DEPTH = 100  # nesting levels of a YAML or JSON document; mlgate's own files need fewer than 10
MAX_ALIAS_VALUES = 100_000  # values that aliases may add to a YAML document beyond those written out


_FLATTEN = "flatten it: no config or schema of mlgate's nests this deep"
_WRITE_OUT = "write the values out, or share them with a few small aliases"


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML document that is well formed but beyond what mlgate reads (too deep, aliases too large).

    ``note`` holds the hint.
    """


class BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses deep nesting and alias expansion beyond a budget while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._last_alias: Any = None

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._last_alias = self._mark()
        elif self._depth >= MAX_DEPTH:
            raise YamlLimitError(None, None, f"nested deeper than {MAX_DEPTH} levels", self._mark(), _FLATTEN)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> yaml.Node | None:
        node = super().compose_document()
        if node is not None:
            _check_expansion(node, self._last_alias)
        return node

    def construct_bounded_int(self, node: yaml.ScalarNode) -> int:
        """An integer, or a YamlLimitError for one longer than Python converts (4,300 digits)."""
        try:
            return self.construct_yaml_int(node)
        except ValueError as exc:
            problem = f"an integer of {len(node.value):,} digits is too long"
            raise YamlLimitError(None, None, problem, node.start_mark, "write a number of sensible size") from exc

    def _mark(self) -> Any:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        return event.start_mark


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_bounded_int)


def _check_expansion(root: yaml.Node, alias: Any) -> None:
    """Refuse a node graph whose aliases add more than MAX_ALIAS_VALUES values, or that contains itself."""
    if alias is None:
        return  # no alias: the graph is a tree, as large as the text
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise YamlLimitError(None, None, "an alias refers to a node that contains it", alias, _WRITE_OUT)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    unique = len(sizes)
    if sizes[id(root)] - unique > MAX_ALIAS_VALUES:
        raise YamlLimitError(
            None, None, f"aliases expand it by more than {MAX_ALIAS_VALUES:,} values", alias, _WRITE_OUT
        )


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` within the bounds of ``BoundedLoader`` (a YamlLimitError beyond them)."""
    return yaml.load(text, Loader=BoundedLoader)  # BoundedLoader is a SafeLoader


def _check_json_depth(document: Any) -> int | None:
    """The depth at which ``document`` first goes beyond MAX_DEPTH, or None."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return depth
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return None


_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)  # a full disk, a file-size limit, a quota


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    A crash leaves either the old file or the new one, never a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    import tempfile  # ~5 ms to import; most commands never write

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def staged_folder(final: Path, *, replaceable: Collection[str], what: str) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; when the block succeeds it replaces ``final`` (else it is removed).

    A crash leaves the previous ``final`` or none (the previous one is then ``.NAME.old-*`` beside it), never
    a mix. An existing ``final`` may hold only the entries named in ``replaceable``: anything else would be
    deleted with it, so that is an InputError before anything is written.
    """
    _check_replaceable(final, replaceable, what)
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = final.parent / f".{final.name}.staging-{uuid.uuid4().hex[:12]}"
    stage.mkdir()
    try:
        try:
            yield stage
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            raise InputError(
                f"cannot write the {what} {final}: {exc.strerror or exc}; it was left as it was",
                hint="free some disk space (or raise the file-size limit) and run again",
            ) from exc
        _sync_tree(stage)
        old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:12]}"
        had_old = final.exists()
        if had_old:
            os.rename(final, old)
        os.rename(stage, final)
        _sync_path(final.parent)
        if had_old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _check_replaceable(final: Path, replaceable: Collection[str], what: str) -> None:
    if not final.exists() and not final.is_symlink():
        return
    if final.is_symlink() or not final.is_dir():
        raise InputError(f"{what} {final} is not a folder", hint="choose another output folder")
    others = sorted(entry.name for entry in final.iterdir() if entry.name not in replaceable)
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise InputError(
            f"{what} {final} holds files mlgate did not write ({shown}); it is replaced as a whole",
            hint="choose an empty or new output folder",
        )


def _sync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder`` (best effort), so a rename publishes durable content."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            _sync_path(Path(root) / name)
        _sync_path(Path(root))


def _sync_path(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def display_path(location: str) -> str:
    """``location`` as messages and GitHub annotations show it: relative to the working folder when inside it
    (after following symlinks), else as given; URIs unchanged."""
    if "://" in location:
        return location
    try:
        return str(Path(location).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return location


def read_text(path: Path, *, what: str) -> str:
    """Read a UTF-8 text file, translating OS errors into an InputError naming ``what``."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{what} not found: {path}", hint="check the path") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{what} is a directory, not a file: {path}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text: {path} (byte {exc.start})") from exc
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from exc


def parse_document(text: str, path: Path, *, what: str) -> Any:
    """Parse YAML (or JSON, chosen by suffix) safely; syntax errors name the file and line."""
    deep = f"{what} is refused: nested deeper than {MAX_DEPTH} levels"
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: {what} is not valid JSON: {exc.msg}") from exc
        except RecursionError as exc:
            raise InputError(f"{path}: {deep}", hint=_FLATTEN) from exc
        except ValueError as exc:  # an integer beyond Python's 4,300 digits
            raise InputError(
                f"{path}: {what} is refused: an integer of more than 4,300 digits",
                hint="write a number of sensible size",
            ) from exc
        if _check_json_depth(document) is not None:
            raise InputError(f"{path}: {deep}", hint=_FLATTEN)
        return document
    try:
        return load_yaml(text)
    except YamlLimitError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: {what} is refused: {exc.problem}", hint=exc.note) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: {what} is not valid YAML: {exc.problem or exc}") from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        line = text[: max(exc.position, 0)].count("\n") + 1
        raise InputError(
            f"{path}:{line}: {what} is not valid YAML: character {_code_point(exc.character)} is not allowed",
            hint="remove the control character (a NUL byte suggests a binary or UTF-16 file)",
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: {what} is not valid YAML: {exc}") from exc


def _code_point(character: object) -> str:
    """``U+0000`` for a code point (PyYAML's reader reports ints; a byte string when decoding failed)."""
    return f"U+{character:04X}" if isinstance(character, int) else repr(character)


def load_document(path: Path, *, what: str, error: type[InputError] = InputError) -> tuple[str, Any]:
    """Read and parse a YAML/JSON file; problems are raised as ``error`` (an InputError subclass)."""
    try:
        text = read_text(path, what=what)
        return text, parse_document(text, path, what=what)
    except error:
        raise
    except InputError as exc:
        raise error(exc.message, hint=exc.hint) from exc


def find_line(text: str, keys: Sequence[str | int]) -> int | None:
    """Return the 1-based line of the node at ``keys`` (mapping keys / list indexes), if found.

    Works for YAML and JSON text alike. For a mapping key, the line of the key itself.
    """
    try:
        node = yaml.compose(text, Loader=BoundedLoader)
    except yaml.YAMLError:
        return None
    line: int | None = None
    for key in keys:
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            match = next((pair for pair in node.value if _scalar(pair[0]) == key), None)
            if match is None:
                return line
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _scalar(node: yaml.Node) -> object:
    return node.value if isinstance(node, yaml.ScalarNode) else None
