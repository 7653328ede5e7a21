"""Where the template comes from does not change the project: a git clone (the stand-in for ``gh:ORG/mlgate``),
through the root selector or ``--directory``, bakes what the local checkout bakes; the chosen repository and ref
reach every pin; the answers in ``.cookiecutter.json`` replay into the same project (docs/releasing.md's upgrade).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import tomllib
from cookiecutter.main import cookiecutter

from e2e.bake import DIRECTORY, ROOT, Combo, Run, list_workflows, load_yaml, read_tree
from gitrepo import Repo
from lint.linters import zizmor

pytestmark = pytest.mark.slow
BASE = Combo("regression", "sagemaker", "3.10", False)
VERSION_TAG = json.loads((ROOT / DIRECTORY / "cookiecutter.json").read_text(encoding="utf-8"))["mlgate_ref"]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path / "run")


def make_remote(folder: Path) -> str:
    """A git repository holding the root selector and the template, tagged like a release; its git+file URL."""
    shutil.copyfile(ROOT / "cookiecutter.json", folder / "cookiecutter.json")
    shutil.copytree(ROOT / "templates", folder / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    repo = Repo(folder)
    repo.git("init", "-q", "-b", "main")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "release")
    repo.git("tag", VERSION_TAG)
    return f"git+file://{folder}"


def test_a_git_clone_bakes_what_the_checkout_bakes(tmp_path: Path, run: Run) -> None:
    remote_folder = tmp_path / "mlgate"
    remote_folder.mkdir()
    remote = make_remote(remote_folder)
    answers = BASE.answers()
    with run.isolated():
        local = run.bake(answers, run.folder / "local")
        via_root = run.bake(answers, run.folder / "root", template=remote, directory=None, checkout=VERSION_TAG)
        via_directory = run.bake(answers, run.folder / "dir", template=remote, checkout=VERSION_TAG)
    assert read_tree(via_root) == read_tree(local)
    assert read_tree(via_directory) == read_tree(local)
    assert (run.folder / "cookiecutters" / "mlgate").is_dir()  # the clone stayed in the run's folder


@pytest.mark.parametrize(
    ("repository", "ref"),
    [("acme/mlgate-fork", "v9.8.7"), ("mlgate/mlgate", "0123456789abcdef0123456789abcdef01234567")],
    ids=["fork-at-tag", "sha"],
)
def test_the_chosen_repository_and_ref_reach_every_pin(tmp_path: Path, run: Run, repository: str, ref: str) -> None:
    with run.isolated():
        project = run.bake({**BASE.answers(), "mlgate_repository": repository, "mlgate_ref": ref}, run.folder / "out")
    calls = []
    for path in list_workflows(project):
        for job in load_yaml(path)["jobs"].values():
            if "uses" in job:
                calls.append((job["uses"].split("/.github/workflows/")[0], job["uses"].rpartition("@")[2]))
                assert (job["with"]["mlgate-repository"], job["with"]["mlgate-ref"]) == (repository, ref)
    assert calls
    assert set(calls) == {(repository, ref)}
    with (project / "pyproject.toml").open("rb") as handle:
        dev = tomllib.load(handle)["project"]["optional-dependencies"]["dev"]
    assert f"mlgate @ git+https://github.com/{repository}@{ref}" in dev
    policy = load_yaml(project / ".github" / "zizmor.yml")
    assert policy["rules"]["unpinned-uses"]["config"]["policies"][f"{repository}/*"] == "ref-pin"
    findings = zizmor([project.relative_to(run.folder)], run.folder, config=project / ".github" / "zizmor.yml")
    assert findings == [], "\n".join(map(str, findings))


def test_the_recorded_answers_replay_into_the_same_project_at_a_new_ref(run: Run) -> None:
    """docs/releasing.md: re-bake from .cookiecutter.json with a new mlgate_ref, with --directory."""
    with run.isolated():
        project = run.bake(BASE.answers(), run.folder / "old")
        recorded = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
        assert recorded["_directory"] == DIRECTORY
        upgraded = {key: value for key, value in recorded.items() if not key.startswith("_")}
        upgraded["mlgate_ref"] = "v0.2.0"
        replay_file = run.folder / "answers.json"
        replay_file.write_text(json.dumps({"cookiecutter": upgraded}), encoding="utf-8")
        replayed = Path(
            cookiecutter(
                str(ROOT),
                directory=DIRECTORY,
                replay=str(replay_file),
                output_dir=str(run.folder / "replayed"),
                config_file=str(run.config),
            )
        )
        fresh = run.bake({**BASE.answers(), "mlgate_ref": "v0.2.0"}, run.folder / "fresh")
    assert read_tree(replayed) == read_tree(fresh)
    assert read_tree(replayed) != read_tree(project)
