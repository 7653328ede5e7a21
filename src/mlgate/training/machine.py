"""What machine a run was timed on, so fit times can be re-used only where they are comparable.

A fit time measured on one machine says little on another: ``mlgate check`` refits a baseline model on
this machine just to time it, unless the cached run's manifest names the very same machine type, with
the same thread settings and the same numerical libraries. ``describe_machine`` collects those facts;
their SHA-256 is the fingerprint stored in ``manifest.json`` and compared with ``same_machine``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
SPEED_LIBRARIES = ("python", "scikit-learn", "numpy", "scipy", "pandas")  # keys of manifest "versions"
_CPUINFO = Path("/proc/cpuinfo")


def describe_machine(
    versions: Mapping[str, str | None], *, environ: Mapping[str, str] | None = None, cpuinfo: Path = _CPUINFO
) -> dict[str, Any]:
    """CPU model, usable cores, OS, architecture, thread settings and library versions, with their fingerprint."""
    env = os.environ if environ is None else environ
    facts: dict[str, Any] = {
        "cpu": read_cpu_model(cpuinfo),
        "cores": usable_cores(),
        "system": platform.system(),
        "arch": platform.machine(),
        "threads": {name: env[name] for name in THREAD_SETTINGS if env.get(name)},
        "libraries": {name: versions.get(name) for name in SPEED_LIBRARIES},
    }
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return {**facts, "fingerprint": "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()}


def read_cpu_model(cpuinfo: Path = _CPUINFO) -> str:
    """The CPU's model (Linux: /proc/cpuinfo's model name, or an Arm core's implementer, part and variant),
    else what ``platform`` reports, else "unknown"."""
    fields: dict[str, str] = {}
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    for key in ("model name", "Model", "cpu model"):
        if fields.get(key):
            return fields[key]
    arm = [fields.get(f"CPU {part}", "") for part in ("implementer", "part", "variant")]
    if all(arm):  # Arm cores name no model: e.g. implementer 0x41, part 0xd0c (Neoverse N1)
        return "arm implementer {} part {} variant {}".format(*arm)
    return platform.processor() or "unknown"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def same_machine(manifest: Mapping[str, Any], machine: Mapping[str, Any]) -> bool:
    """Whether a stored manifest was made on a machine with this fingerprint (False when it has none)."""
    stored = manifest.get("machine")
    if not isinstance(stored, Mapping) or machine.get("cpu") in (None, "", "unknown", "arm", "i386"):
        return False  # a CPU that cannot be told apart from others of its kind is never "the same"
    fingerprint = stored.get("fingerprint")
    return isinstance(fingerprint, str) and fingerprint == machine.get("fingerprint")
