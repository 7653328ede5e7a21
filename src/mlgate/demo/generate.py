"""The project template bundled with mlgate, and generating a project from it with cookiecutter.

In a wheel the template is ``mlgate/_template/ml-project`` (pyproject's hatch ``force-include`` copies
``templates/ml-project`` there); in a source checkout (an editable install) it is the repository's own
``templates/ml-project``. Cookiecutter's replay and clone folders go to a temporary folder, never to
``~/.cookiecutters``; its errors (a hook rejecting an answer, an existing folder) become InputErrors.
Cookiecutter copies every file of a template, so it runs on a copy without bytecode and tool caches
(``JUNK``): pip compiles the installed template's ``.py`` files into ``__pycache__`` folders.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import mlgate
from mlgate.errors import InputError, InternalError

TEMPLATE_NAME = "ml-project"
BUNDLED = Path("_template") / TEMPLATE_NAME  # inside the installed package (see pyproject.toml)
CHECKOUT = Path("templates") / TEMPLATE_NAME  # inside the repository, two levels above src/mlgate
# Never copied into a project: bytecode (pip compiles an installed template) and caches of tools run on it.
JUNK = ("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".DS_Store")


def find_template(package_dir: Path | None = None) -> Path:
    """The template folder: bundled in the package (a wheel), else the source checkout's ``templates/``."""
    package = package_dir or Path(mlgate.__file__).resolve().parent
    candidates = (package / BUNDLED, package.parent.parent / CHECKOUT)
    for folder in candidates:
        if (folder / "cookiecutter.json").is_file():
            return folder
    raise InternalError(
        f"the project template is missing: looked in {candidates[0]} and {candidates[1]}",
        hint="reinstall mlgate (the wheel ships the template in mlgate/_template)",
    )


@dataclass(frozen=True)
class GenerateOptions:
    """How to run the template: answers given up front, a replay file, prompts or not."""

    output_dir: Path = Path(".")
    no_input: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    replay_file: Path | None = None
    overwrite: bool = False


def parse_extra(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs (``-x/--extra``) as a mapping; anything else is an InputError."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--extra {item!r} is not KEY=VALUE", hint="e.g. -x task=regression")
        pairs[key.strip()] = value
    return pairs


def generate_project(options: GenerateOptions, *, template: Path | None = None, workdir: Path | None = None) -> Path:
    """Run the template and return the generated project's folder.

    ``workdir`` receives cookiecutter's config, replay and clone folders (default: a temporary folder
    removed afterwards). The user's cookiecutter settings other than those folders (e.g. ``default_context``)
    still apply.
    """
    from cookiecutter.exceptions import (
        CookiecutterException,
        FailedHookException,
        OutputDirExistsException,
    )
    from cookiecutter.main import cookiecutter

    source = template or find_template()
    if options.replay_file is not None and (options.no_input or options.extra):
        raise InputError(
            "--replay-file cannot be combined with --no-input or --extra", hint="the replay has the answers"
        )
    with tempfile.TemporaryDirectory(prefix="mlgate-new-", dir=workdir) as scratch:
        config_file = write_cookiecutter_config(Path(scratch))
        replay = read_replay(options.replay_file, Path(scratch)) if options.replay_file is not None else None
        clean = copy_template(source, Path(scratch) / "template" / source.name)
        try:
            created = cookiecutter(
                str(clean),
                no_input=options.no_input,
                extra_context=dict(options.extra) or None,
                replay=str(replay) if replay is not None else None,
                overwrite_if_exists=options.overwrite,
                output_dir=str(options.output_dir),
                config_file=str(config_file),
            )
        except OutputDirExistsException as exc:
            raise InputError(
                f"cannot generate the project: {_first_line(exc)}",
                hint="choose another project slug or output folder, or pass --overwrite-if-exists",
            ) from exc
        except FailedHookException as exc:
            raise InputError(
                f"the template rejected an answer: {_first_line(exc)}",
                hint="see the message above; nothing was generated",
            ) from exc
        except CookiecutterException as exc:
            raise InputError(f"cannot generate the project: {_first_line(exc)}") from exc
        except OSError as exc:
            raise InputError(f"cannot write the project into {options.output_dir}: {exc.strerror or exc}") from exc
    return Path(created)


def copy_template(source: Path, target: Path) -> Path:
    """Copy the template to ``target`` without ``JUNK`` (bytecode, tool caches), for cookiecutter to render."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*JUNK))
    return target


def read_replay(path: Path, folder: Path) -> Path:
    """A replay file for cookiecutter in ``folder``, from its own format or a project's ``.cookiecutter.json``.

    Cookiecutter's replay files hold ``{"cookiecutter": {answers}}``; a generated project keeps the bare
    answers, so an upgrade can pass that file as it is.
    """
    from mlgate.files import read_text

    try:
        document = json.loads(read_text(path, what="replay file"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: the replay file is not valid JSON: {exc.msg}") from exc
    answers = document.get("cookiecutter", document) if isinstance(document, dict) else None
    if not isinstance(answers, dict):
        raise InputError(f"{path}: the replay file must hold a JSON object of answers")
    target = folder / "replay.json"
    target.write_text(json.dumps({"cookiecutter": answers}, indent=2), encoding="utf-8")
    return target


def write_cookiecutter_config(folder: Path) -> Path:
    """A cookiecutter config in ``folder``: the user's settings, with replay and clone folders inside ``folder``."""
    from cookiecutter.config import get_user_config
    from cookiecutter.exceptions import CookiecutterException

    try:
        settings: dict[str, Any] = json.loads(json.dumps(get_user_config()))  # plain dicts for YAML
    except CookiecutterException as exc:
        raise InputError(
            f"cannot read your cookiecutter settings: {_first_line(exc)}",
            hint="fix or unset COOKIECUTTER_CONFIG / ~/.cookiecutterrc",
        ) from exc
    settings["cookiecutters_dir"] = str(folder / "cookiecutters")
    settings["replay_dir"] = str(folder / "replay")
    path = folder / "cookiecutter.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=True), encoding="utf-8")
    return path


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
