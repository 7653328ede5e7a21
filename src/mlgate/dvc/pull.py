"""Materialising the declared datasets' DVC-tracked data: ``dvc pull`` (or ``dvc checkout``) of each one.

``find_targets(config)`` lists the datasets of mlgate.yaml (``data.train``, ``data.test``, ``data.datasets``) that a
``.dvc`` file or a ``dvc.lock`` output tracks; ``pull_targets`` runs one ``dvc pull`` per DVC repository over
their paths, ``checkout_targets`` one ``dvc checkout`` (the local cache only). DVC writes each file to a temporary
name and moves it into place, so a failed pull leaves the workspace as it was. A failure is the error
``failures.explain_failure`` chose (exit 2 or 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlgate.config import Config
from mlgate.dvc.failures import explain_failure
from mlgate.dvc.run import DvcRunner
from mlgate.dvc.settings import find_remote
from mlgate.dvc.tracking import Tracked, find_dvc_root, find_tracking
from mlgate.dvc.versions import dataset_locations, workspace_reader
from mlgate.files import display_path


@dataclass(frozen=True)
class Target:
    """A declared dataset DVC tracks, and the DVC repository it belongs to."""

    dataset: str  # as messages show it
    root: Path  # the DVC root
    tracked: Tracked

    @property
    def source(self) -> str:
        """The tracking file as messages show it."""
        return display_path(str(self.root / self.tracked.source))


@dataclass(frozen=True)
class Materialised:
    """What one DVC command did for the targets of one DVC repository (DVC's own summary line)."""

    targets: tuple[Target, ...]
    summary: str


def find_targets(config: Config) -> tuple[Target, ...]:
    """The declared local datasets a DVC file tracks, each once (present in the workspace or not)."""
    found = []
    for location in dataset_locations(config):
        path = Path(location).absolute()
        root = find_dvc_root(path.parent)
        if root is None:
            continue
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            continue
        tracked = find_tracking(relative, workspace_reader(root))
        if tracked is not None:
            found.append(Target(display_path(location), root, tracked))
    return tuple(found)


def pull_targets(targets: Sequence[Target], runner: DvcRunner, *, remote: str | None = None) -> list[Materialised]:
    """``dvc pull`` the targets (from ``remote``, default: the repository's default remote)."""
    options = ["--remote", remote] if remote else []
    return _run_each("pull", targets, runner, options, remote)


def checkout_targets(targets: Sequence[Target], runner: DvcRunner) -> list[Materialised]:
    """``dvc checkout`` the targets from the local DVC cache (no remote)."""
    return _run_each("checkout", targets, runner, [], None)


def _run_each(
    verb: Literal["pull", "checkout"],
    targets: Sequence[Target],
    runner: DvcRunner,
    options: list[str],
    remote: str | None,
) -> list[Materialised]:
    done = []
    for root in dict.fromkeys(t.root for t in targets):
        group = tuple(t for t in targets if t.root == root)
        run = runner([verb, *options, "--", *(t.tracked.path for t in group)], root)
        if run.returncode != 0:
            raise explain_failure(
                run, datasets=[t.dataset for t in group], remote=find_remote(root, remote), root=root, verb=verb
            )
        lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
        done.append(Materialised(group, lines[-1] if lines else "up to date"))
    return done
