"""Exact-enough uniqueness in bounded memory: 8 or 16 bytes of state per row.

Fixed-width values are their own key (exact). Strings get two independent 64-bit tabulation hashes
(XOR and add over one table lookup per byte); two different values count as equal only if both
collide, about n^2 / 2^129 (below 1e-20 at 10^8 rows). Duplicates are reported on their 2nd and later
occurrences, naming the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mlgate.data import compute as pc

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
_MAX_TABLE_POSITIONS = 4096
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SEED = np.uint64(0x6D6C67617465)
_TABLE: U64 = np.zeros((0, 256), np.uint64)


def _table(positions: int) -> U64:
    """The tabulation table for strings up to ``positions`` bytes, grown on demand.

    Entry (p, b) is splitmix64 of its own index, so the table is deterministic, independent of how
    far it has grown, and needs no random generator (``numpy.random`` costs ~20 ms to import).
    """
    global _TABLE
    if positions > len(_TABLE):
        rows = max(positions, 2 * len(_TABLE), 64)
        counters = np.arange(len(_TABLE) * 256, rows * 256, dtype=np.uint64) * _GOLDEN + _SEED
        _TABLE = np.concatenate([_TABLE, _mix(counters).reshape(-1, 256)])
    return _TABLE


def _mix(h: U64) -> U64:
    """splitmix64 finaliser: spreads bits so combined keys do not cancel."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    mixed: U64 = h ^ (h >> np.uint64(31))
    return mixed


def hash_strings(values: pa.Array) -> tuple[U64, U64]:
    """Two 64-bit words per string of a null-free string array.

    The scheme depends on each string's own length, never on its batch, so equal strings always get
    equal keys: under 16 bytes the bytes themselves (exact), up to 4096 bytes tabulation hashing, longer
    ones BLAKE2b.
    """
    values = pc.cast(values, pa.large_string()) if not pa.types.is_large_string(values.type) else values
    n = len(values)
    if n == 0:
        empty = np.zeros(0, np.uint64)
        return empty, empty
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)[values.offset : values.offset + n + 1]
    lengths = np.diff(offsets)
    classes = np.digitize(lengths, (16, _MAX_TABLE_POSITIONS + 1))  # 0 short, 1 tabulated, 2 long
    if (classes == classes[0]).all():
        return _hash_one_class(values, offsets, lengths, int(classes[0]))
    h1, h2 = np.empty(n, np.uint64), np.empty(n, np.uint64)
    for kind in (k for k in range(3) if (classes == k).any()):  # not np.unique: it imports numpy.ma
        chosen = classes == kind
        subset = pc.filter(values, pc.from_numpy(chosen))
        sub_offsets = np.frombuffer(subset.buffers()[1], dtype=np.int64)[
            subset.offset : subset.offset + len(subset) + 1
        ]
        h1[chosen], h2[chosen] = _hash_one_class(subset, sub_offsets, np.diff(sub_offsets), int(kind))
    return h1, h2


def _hash_one_class(values: pa.Array, offsets: I64, lengths: I64, kind: int) -> tuple[U64, U64]:
    if kind == 2:
        return _hash_python(values)
    data = np.frombuffer(values.buffers()[2] or b"\0", dtype=np.uint8)[offsets[0] : offsets[-1]]
    longest = int(lengths.max())
    if kind == 0:
        return _pack_short(data, offsets, lengths, longest)
    starts = offsets[:-1] - offsets[0]
    positions = np.arange(len(data), dtype=np.int64) - np.repeat(starts, lengths)
    picked = _table(longest)[positions, data]
    xor = np.bitwise_xor.reduceat(picked, starts)
    add = np.add.reduceat(picked, starts)
    length_salt = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return _mix(xor ^ length_salt), _mix(add + length_salt + np.uint64(1))


def _pack_short(data: npt.NDArray[np.uint8], offsets: I64, lengths: I64, longest: int) -> tuple[U64, U64]:
    """Strings under 16 bytes: their bytes and length packed into 128 bits, so keys are exact.

    (w0, w1) -> (mix(mix(w0) ^ w1), w0) is a bijection (mix is invertible), so equal keys mean equal
    strings, while the first word is well spread for sorting.
    """
    n = len(lengths)
    packed = np.zeros((n, 16), np.uint8)
    if n and int(lengths.min()) == longest:  # fixed width (ids, codes): one reshape
        packed[:, :longest] = data.reshape(n, longest)
    elif len(data):
        starts = offsets[:-1] - offsets[0]
        rows = np.repeat(np.arange(n), lengths)
        packed[rows, np.arange(len(data), dtype=np.int64) - np.repeat(starts, lengths)] = data
    packed[:, 15] = lengths
    words = packed.view(np.uint64)
    first, second = words[:, 0].copy(), words[:, 1].copy()
    return _mix(_mix(first) ^ second), first


_MASK = (1 << 64) - 1


def _unxorshift(x: int, shift: int) -> int:
    result = x
    for k in range(shift, 64, shift):
        result ^= x >> k
    return result


def _unmix(h: int) -> int:
    """The inverse of ``_mix`` (each step of splitmix64's finaliser is a bijection)."""
    h = _unxorshift(h, 31)
    h = (h * pow(0x94D049BB133111EB, -1, 1 << 64)) & _MASK
    h = _unxorshift(h, 27)
    h = (h * pow(0xBF58476D1CE4E5B9, -1, 1 << 64)) & _MASK
    return _unxorshift(h, 30)


def _mix_one(value: int) -> int:
    mixed: int = _mix(np.array([value], np.uint64))[0].item()
    return mixed


def unpack_short(h1: int, h2: int) -> str:
    """The string whose ``_pack_short`` key is (h1, h2)."""
    first = h2
    second = _unmix(h1) ^ _mix_one(first)
    raw = np.array([first, second], np.uint64).view(np.uint8).tobytes()
    return raw[: raw[15]].decode("utf-8", errors="replace")


def is_short_strings(values: pa.Array) -> bool:
    """Whether every string of a null-free string array is under 16 bytes (its key is exact and reversible)."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)) or len(values) == 0:
        return False
    longest = pc.max(pc.binary_length(values)).as_py()
    return longest is not None and int(longest) < 16


def _hash_python(values: pa.Array) -> tuple[U64, U64]:
    import hashlib

    pairs = [hashlib.blake2b(v.encode("utf-8"), digest_size=16).digest() for v in values.to_pylist()]
    raw = np.frombuffer(b"".join(pairs), dtype=np.uint64).reshape(-1, 2)
    return raw[:, 0].copy(), raw[:, 1].copy()


def key_of(values: pa.Array) -> tuple[U64, U64 | None]:
    """The uniqueness key of a typed, null-free array: exact for fixed width, hashed for strings."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return hash_strings(values)
    if pa.types.is_floating(kind):
        floats = pc.add(values, 0.0).to_numpy(zero_copy_only=False).astype(np.float64)  # -0.0 -> 0.0
        return floats.view(np.uint64).copy(), None
    if pa.types.is_boolean(kind):
        return pc.cast(values, pa.uint8()).to_numpy(zero_copy_only=False).astype(np.uint64), None
    if pa.types.is_date(kind) or pa.types.is_time(kind) or pa.types.is_timestamp(kind):
        values = pc.cast(values, pa.int32() if kind.bit_width == 32 else pa.int64())
    return pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False).view(np.uint64).copy(), None


def combine_keys(parts: list[tuple[U64, U64 | None]]) -> tuple[U64, U64 | None]:
    """One key for a composite (primaryKey / uniqueKeys) from the keys of its fields."""
    if len(parts) == 1:
        return parts[0]
    h1 = np.zeros(len(parts[0][0]), np.uint64)
    h2 = np.zeros(len(parts[0][0]), np.uint64)
    for i, (a, b) in enumerate(parts):
        salt = np.uint64((0x9E3779B97F4A7C15 * (i + 1)) & 0xFFFFFFFFFFFFFFFF)
        h1 = _mix(h1 ^ _mix(a + salt))
        h2 = _mix(h2 + _mix((b if b is not None else a) ^ salt) + np.uint64(i))
    return h1, h2


@dataclass
class UniqueTracker:
    """Collects keys batch by batch; ``duplicates()`` finds 2nd+ occurrences and their first row.

    State is the keys only (8 bytes a row, 16 for strings): a batch whose rows all take part stores
    its first ordinal instead of one per row. Repeats are found partition by partition (by key bits),
    so the sort at the end holds at most ``sort_budget`` bytes of keys at a time (one partition, with
    no selection passes, up to 2M keys).
    """

    h1: list[U64] = field(default_factory=list)
    h2: list[U64] = field(default_factory=list)
    ordinals: list[I64 | int] = field(default_factory=list)
    exact: bool = True
    packed: bool = True  # every key is a packed short string, so values can be read back from keys
    sort_budget: int = 16 << 20

    def add(self, key: tuple[U64, U64 | None], ordinals: I64, *, packed: bool = False) -> None:
        """Record the keys of rows ``ordinals``; ``packed``: the keys are short strings' bytes (see unpack)."""
        self.packed = self.packed and packed and key[1] is not None
        self.h1.append(key[0])
        if key[1] is not None:
            self.exact = False
            self.h2.append(key[1])
        contiguous = len(ordinals) > 0 and int(ordinals[-1]) - int(ordinals[0]) == len(ordinals) - 1
        self.ordinals.append(int(ordinals[0]) if contiguous else ordinals.astype(np.int64, copy=True))

    def ordinals_of(self, index: int) -> I64:
        """The ordinals of the rows whose keys batch ``index`` added."""
        stored = self.ordinals[index]
        if isinstance(stored, int):
            return np.arange(stored, stored + len(self.h1[index]), dtype=np.int64)
        return stored

    def values_of(self, wanted: I64) -> dict[int, str] | None:
        """The strings of rows ``wanted`` read back from their keys, or None when keys are hashes."""
        if not self.packed or not self.h1:
            return None
        found: dict[int, str] = {}
        for i, h1 in enumerate(self.h1):
            stored = self.ordinals[i]
            if isinstance(stored, int):
                position = wanted - stored
                hit = (position >= 0) & (position < len(h1))
            else:
                position = np.minimum(np.searchsorted(stored, wanted), len(stored) - 1)
                hit = stored[position] == wanted
            for at, ordinal in zip(position[hit], wanted[hit], strict=True):
                found[int(ordinal)] = unpack_short(int(h1[at]), int(self.h2[i][at]))
        return found

    def _repeated(self) -> U64:
        """Key values (first word) seen more than once."""
        total = sum(len(h) for h in self.h1)
        bits = max(0, (total * 8 - 1) // self.sort_budget).bit_length()
        shift = np.uint64(64 - bits)
        small = np.uint8 if bits <= 8 else np.uint16  # each key's partition, computed once: 1 byte a key
        parts = [((h * _GOLDEN) >> shift).astype(small) for h in self.h1] if bits else []
        found = []
        for part in range(1 << bits):
            chosen = [h[p == part] for h, p in zip(self.h1, parts, strict=True)] if bits else list(self.h1)
            keys = np.concatenate(chosen) if chosen else np.zeros(0, np.uint64)
            del chosen
            keys.sort()
            repeats = keys[1:][keys[1:] == keys[:-1]]  # sorted; each distinct repeat once:
            found.append(repeats[np.r_[True, repeats[1:] != repeats[:-1]]] if len(repeats) else repeats)
        return np.concatenate(found)

    def duplicates(self) -> tuple[I64, I64]:
        """(ordinals of repeated values, ordinal of the first occurrence of each), in file order."""
        if not self.h1:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        repeated = self._repeated()
        if len(repeated) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        cand_ord, cand_h1, cand_h2 = [], [], []
        repeated.sort()
        last = len(repeated) - 1
        bits = min(24, max(16, (8 * len(repeated)).bit_length()))
        shift = np.uint64(64 - bits)
        maybe_repeated = np.zeros(1 << bits, np.bool_)  # a one-probe filter before the binary search
        maybe_repeated[(repeated * _GOLDEN) >> shift] = True
        for i, h1 in enumerate(self.h1):
            index = np.flatnonzero(maybe_repeated[(h1 * _GOLDEN) >> shift])
            if len(index) == 0:
                continue
            index = index[repeated[np.minimum(np.searchsorted(repeated, h1[index]), last)] == h1[index]]
            if len(index):
                cand_ord.append(self.ordinals_of(i)[index])
                cand_h1.append(h1[index])
                cand_h2.append(self.h2[i][index] if not self.exact else h1[index])
        ords, k1, k2 = np.concatenate(cand_ord), np.concatenate(cand_h1), np.concatenate(cand_h2)
        order = np.lexsort((ords, k2, k1))
        ords, k1, k2 = ords[order], k1[order], k2[order]
        same = np.r_[False, (k1[1:] == k1[:-1]) & (k2[1:] == k2[:-1])]
        group_start = np.maximum.accumulate(np.where(~same, np.arange(len(ords)), 0))
        firsts = ords[group_start]
        dup_ordinals, dup_firsts = ords[same], firsts[same]
        back = np.argsort(dup_ordinals, kind="stable")
        return dup_ordinals[back], dup_firsts[back]
