"""``mlgate demo``'s use case: the folder it runs in, the run itself, and the clean-up afterwards.

``prepare_folder`` takes the ``--dir`` folder (it must be new or empty: the demo writes a whole project
into it) or makes a temporary one; ``run_demo`` runs every step there (``mlgate.demo.lifecycle``) and removes
the folder afterwards unless it is kept, also when a step raised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mlgate.demo.lifecycle import Demo
from mlgate.demo.steps import Clock, DemoResult, StepRunner
from mlgate.errors import InputError
from mlgate.progress import Say


def prepare_folder(folder: Path | None) -> Path:
    """``folder`` (created when absent; refused when it holds anything), else a new temporary folder."""
    if folder is None:
        return Path(tempfile.mkdtemp(prefix="mlgate-demo-"))
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"--dir {folder} is not empty", hint="pass a new or empty folder, or leave --dir out")
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def run_demo(
    root: Path,
    runner: StepRunner,
    *,
    kept: bool,
    say: Say,
    registry: str = "local",
    clock: Clock = time.perf_counter,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
) -> DemoResult:
    """Every step of the demo in ``root``, narrated through ``runner`` and ``say``; ``root`` is removed afterwards
    unless ``kept``. With ``registry="mlflow"`` the registry is a local MLflow server started for the run."""
    try:
        demo = Demo(folder=root, clock=clock, now=now, say=say)
        if registry == "mlflow":
            from mlgate.demo.mlflow_server import registry_settings, serving_mlflow

            with serving_mlflow(root, say) as url:
                demo.settings = registry_settings(url)
                result = demo.run(runner)
        else:
            result = demo.run(runner)
    finally:
        if not kept:
            shutil.rmtree(root, ignore_errors=True)
    return dataclasses.replace(result, kept=kept)
