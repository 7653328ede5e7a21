"""The local target's experiments (``mlgate.deploy.experiment.Experiments``): files in its state folder.

A shadow is ``shadow.json`` (the server runs it off the request path, ``mlgate.serve.shadow``), a split is ``ab.json``
(the server routes a sticky share of clients to the challenger, ``mlgate.serve.ab``); both are written atomically
and followed by the server within a poll. ``start_split`` returns once the server reports the challenger loaded
(a challenger it cannot load removes ``ab.json`` again: LoadFailed, the champion never stopped answering);
``end_split`` to the challenger switches ``live.json`` first and waits for it, then removes the split, so every
client is answered by one of the two throughout. Health comes from the server's A/B log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.deploy.experiment import RunningShadow, Split, VariantHealth
from mlgate.deploy.target import LoadFailed, Reply, TargetTimeout
from mlgate.errors import ServiceError
from mlgate.serve.ab_records import measure_health, read_ab_log
from mlgate.serve.ab_state import AB_DIR, AB_FILE, AbPointer, clear_ab, read_ab, write_ab
from mlgate.serve.shadow_state import ShadowPointer, clear_shadow, read_shadow, write_shadow

if TYPE_CHECKING:
    from mlgate.registry.model import ModelVersion
    from mlgate.serve.state import LivePointer


class LocalExperiments:
    """Shadow and A/B split of ``mlgate serve`` (mixed into ``LocalTarget``, which provides the members below)."""

    state: Path
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    poll_s: float
    split_timeout_s: float = 60.0

    if TYPE_CHECKING:  # provided by LocalTarget

        def build_pointer(self, version: ModelVersion, artifact: Path) -> LivePointer: ...

        def switch(self, version: ModelVersion, artifact: Path) -> None: ...

        def wait_until_serving(self, version: str, timeout: float) -> None: ...

        def _request(self, method: str, path: str, **kwargs: Any) -> Reply: ...

    def read_shadow(self) -> RunningShadow | None:
        found = read_shadow(self.state)
        return None if found is None else RunningShadow(found.pointer.version, found.fraction, found.started_at)

    def start_shadow(self, version: ModelVersion, artifact: Path, fraction: float, started_at: str) -> None:
        write_shadow(self.state, ShadowPointer(self.build_pointer(version, artifact), fraction, started_at))

    def stop_shadow(self) -> bool:
        return clear_shadow(self.state)

    def read_split(self) -> Split | None:
        found = read_ab(self.state)
        if found is None:
            return None
        return Split(found.champion, found.challenger.version, found.percent, found.key, found.started_at)

    def start_split(self, split: Split, challenger: ModelVersion, artifact: Path) -> None:
        pointer = self.build_pointer(challenger, artifact)
        write_ab(self.state, AbPointer(split.champion, pointer, split.percent, split.key, split.started_at))
        try:
            self._wait_for_split(lambda ab: bool(ab and ab.get("ready") and ab.get("challenger") == pointer.version))
        except (LoadFailed, TargetTimeout, ServiceError):
            clear_ab(self.state)
            raise

    def end_split(self, winner: ModelVersion, artifact: Path) -> None:
        split = self.read_split()
        if split is not None and winner.version == split.challenger:
            self.switch(winner, artifact)
            self.wait_until_serving(winner.version, self.split_timeout_s)
        clear_ab(self.state)
        self._wait_for_split(lambda ab: not ab)

    def read_health(self, split: Split, since: dt.datetime) -> Mapping[str, VariantHealth]:
        folder = self.state / AB_DIR
        records = read_ab_log(folder, since).records
        source = f"the server's A/B log {folder}"
        health: dict[str, VariantHealth] = {}
        for variant, version in (("champion", split.champion), ("challenger", split.challenger)):
            found = measure_health(records, variant)
            health[version] = VariantHealth(version, found.requests, found.errors, found.p99_ms, source)
        return health

    def _wait_for_split(self, done: Callable[[Any], bool]) -> None:
        """Poll ``/status`` until its ``ab`` member satisfies ``done``; a challenger load error is LoadFailed."""
        deadline = self.clock() + self.split_timeout_s
        last: Any = None
        while True:
            status = self._request("GET", "/status").body
            last = status.get("ab") if isinstance(status, dict) else None
            if done(last):
                return
            if isinstance(last, dict) and last.get("error"):
                raise LoadFailed(f"the local server could not start the A/B test: {last['error']}")
            if self.clock() >= deadline:
                raise TargetTimeout(
                    f"the local server did not follow {self.state / AB_FILE} within {self.split_timeout_s:g} s "
                    f"(its /status says {last!r})",
                    hint="check the server's log",
                )
            self.sleep(self.poll_s)
