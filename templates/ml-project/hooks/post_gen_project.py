"""Keep only the files that apply to the answers (runs in the generated project's root).

The template carries the example data and schemas of both tasks and the AWS policies; this hook moves the chosen
task's files into ``data/`` and removes the rest. The answers are read as JSON data, never as Python source.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

EXAMPLE_FILES = ("train.csv", "test.csv", "reference-stats.json")


def arrange(root: Path, answers: dict[str, Any]) -> None:
    """Move the task's schema (and example data) into data/, drop the other task and the unused files."""
    data = root / "data"
    (data / "_schemas" / f"{answers['task']}.yaml").replace(data / "schema.yaml")
    if answers["example_data"]:
        for name in EXAMPLE_FILES:
            (data / "_examples" / answers["task"] / name).replace(data / name)
        (data / "README.md").unlink()
    shutil.rmtree(data / "_schemas")
    shutil.rmtree(data / "_examples")
    if answers["deploy_target"] != "sagemaker":
        shutil.rmtree(root / "aws")


def load_answers() -> dict[str, Any]:
    answers: dict[str, Any] = json.loads(
        r"""
{{ cookiecutter | jsonify }}
""".strip()
    )
    return answers


if __name__ == "__main__":
    arrange(Path.cwd(), load_answers())
