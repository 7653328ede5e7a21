"""Layout gate: every ``src/mlgate`` module has its unit test module in the mirrored place, or a reasoned exemption.

``src/mlgate/data/schema.py`` is tested by ``tests/unit/data/test_schema.py`` (or ``test_schema_<more>.py`` when
one module's tests are split, like ``test_artifacts_sklearn.py``). A module tested elsewhere is listed in
``EXEMPT`` with the reason, naming the test file that covers it. An exemption is removed once the mirror test
exists or the module is gone (the test below fails on a stale one), so the list only shrinks.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "mlgate"
UNIT = ROOT / "tests" / "unit"
NOT_MODULES = ("__init__.py", "__main__.py")

COMMAND = "a command: driven end to end through mlgate.cli.main by "
FRONT_DOOR = "the demo, a front door (docs/architecture.md): its steps run a generated project, git and a real endpoint, driven end to end by "

# module path under src/mlgate -> why it has no mirror test, naming the test file that covers it
EXEMPT: dict[str, str] = {
    "ab/model.py": "result dataclasses of the A/B use cases: built by tests/unit/ab/test_flow.py and rendered by tests/unit/report/test_ab.py",
    "cli/ab.py": COMMAND + "tests/integration/test_cli_ab.py",
    "cli/baseline.py": COMMAND + "tests/integration/test_cli_check.py",
    "cli/check.py": COMMAND + "tests/integration/test_cli_check.py",
    "cli/comment.py": COMMAND + "tests/integration/test_cli_comment.py",
    "cli/compare.py": COMMAND + "tests/integration/test_cli_compare.py",
    "cli/demo.py": COMMAND + "tests/integration/test_cli_demo.py",
    "cli/deploy.py": COMMAND + "tests/integration/test_cli_deploy.py",
    "cli/monitor.py": COMMAND + "tests/integration/test_cli_monitor.py",
    "cli/new.py": COMMAND + "tests/integration/test_cli_new.py",
    "cli/registry.py": COMMAND + "tests/integration/test_cli_registry.py",
    "cli/replay.py": COMMAND + "tests/integration/test_cli_replay.py",
    "cli/shadow.py": COMMAND + "tests/integration/test_cli_shadow.py",
    "cli/retrain.py": COMMAND + "tests/integration/test_cli_retrain.py",
    "cli/rollback.py": COMMAND + "tests/integration/test_cli_deploy.py",
    "cli/data.py": COMMAND + "tests/integration/test_cli_data_pull.py",
    "cli/data_pull.py": COMMAND + "tests/integration/test_cli_data_pull.py",
    "cli/schema.py": COMMAND + "tests/integration/test_cli_schema_infer.py",
    "cli/schema_diff.py": COMMAND + "tests/integration/test_cli_schema_diff.py",
    "cli/schema_infer.py": COMMAND + "tests/integration/test_cli_schema_infer.py",
    "cli/schema_stats.py": COMMAND + "tests/integration/test_cli_schema_stats.py",
    "cli/serve.py": COMMAND + "tests/integration/test_serve.py",
    "cli/train.py": COMMAND + "tests/integration/test_cli_train.py",
    "cli/validate.py": COMMAND + "tests/integration/test_cli_core.py",
    "cli/common.py": "options and helpers shared by the commands: exercised through every command, e.g. "
    "tests/integration/test_cli_core.py and tests/integration/test_cli_comment.py (open_github)",
    "data/arrow.py": "a pyarrow process setting for the data commands: driven by tests/integration/test_cli_core.py",
    "data/results.py": "result dataclasses: built and rendered by tests/unit/data/test_validate.py and tests/unit/report/test_validation_render.py",
    "demo/lifecycle.py": FRONT_DOOR + "tests/integration/test_cli_demo.py and tests/unit/demo/test_run.py",
    "demo/release.py": FRONT_DOOR + "tests/integration/test_cli_demo.py and tests/unit/demo/test_watch.py",
    "deploy/target.py": "the Target protocol and its errors: implemented and tested by tests/unit/deploy/test_local.py and tests/unit/deploy/sagemaker/test_target.py",
    "monitor/model.py": "result dataclasses of a monitor run: built by tests/unit/monitor/test_read.py and tests/unit/monitor/test_decide.py",
    "replay/model.py": "result dataclasses of a replay: built by tests/unit/replay/test_gates.py and rendered by tests/unit/report/test_replay.py",
    "progress.py": "type aliases only (Say, Progress): checked by mypy in tests/test_quality.py",
    "serve/run.py": "starts the server process: driven by tests/integration/test_serve.py through tests/fakes/serve.py",
}


def list_modules() -> list[str]:
    """Every module under src/mlgate but package markers, as paths relative to it."""
    return sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if p.name not in NOT_MODULES)


def expected_test(module: str) -> Path:
    """Where ``module``'s unit tests belong: the same folders under tests/unit, the name prefixed ``test_``."""
    path = Path(module)
    return UNIT / path.parent / f"test_{path.name}"


def has_mirror_test(module: str) -> bool:
    """Whether ``module`` has its mirror test module (``test_X.py`` or a split ``test_X_<more>.py``)."""
    expected = expected_test(module)
    return expected.is_file() or any(expected.parent.glob(f"{expected.stem}_*.py"))


def test_every_module_has_its_unit_test_module() -> None:
    missing = [
        f"  src/mlgate/{module}: expected {expected_test(module).relative_to(ROOT)}"
        for module in list_modules()
        if module not in EXEMPT and not has_mirror_test(module)
    ]
    assert not missing, "modules without a unit test module (write one, or exempt it with a reason):\n" + "\n".join(
        missing
    )


def test_exemptions_are_current() -> None:
    modules = set(list_modules())
    gone = [f"  {module}: no such module" for module in EXEMPT if module not in modules]
    mirrored = [
        f"  {module}: {expected_test(module).relative_to(ROOT)} exists"
        for module in EXEMPT
        if module in modules and has_mirror_test(module)
    ]
    assert not gone + mirrored, "stale exemptions (remove them from EXEMPT):\n" + "\n".join(gone + mirrored)


def test_each_exemption_names_an_existing_test_file() -> None:
    wrong = []
    for module, reason in EXEMPT.items():
        named = re.findall(r"tests/[\w/]+\.py", reason)
        if "\n" in reason or not named or not all((ROOT / name).is_file() for name in named):
            wrong.append(f"  {module}: {reason!r}")
    assert not wrong, "each reason is one line naming the existing test file that covers the module:\n" + "\n".join(
        wrong
    )
