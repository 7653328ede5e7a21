"""scripts/release.py on the real checkout and on temporary copies (files mutated, real git repositories)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gitrepo import Repo
from release_script import load_release

ROOT = Path(__file__).resolve().parents[3]


release = load_release()
VERSION = release.read_version(ROOT)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The files the release script reads, copied out of the checkout."""
    target = tmp_path / "mlgate"
    for name in ("src/mlgate/__init__.py", "CHANGELOG.md", "README.md", "templates/ml-project/cookiecutter.json"):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target / name)
    for doc in (ROOT / "docs").rglob("*.md"):
        (target / doc.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(doc, target / doc.relative_to(ROOT))
    empty_unreleased(target / "CHANGELOG.md")  # as right after a release, whatever main has queued since
    return target


def empty_unreleased(changelog: Path) -> None:
    text = changelog.read_text(encoding="utf-8")
    emptied = re.sub(r"^## \[Unreleased\]\n.*?(?=^## \[)", "## [Unreleased]\n\n", text, count=1, flags=re.M | re.S)
    changelog.write_text(emptied, encoding="utf-8")


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Release Test")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "release@example.com")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def redate(changelog: Path, date: str) -> None:
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(re.sub(rf"^## \[{re.escape(VERSION)}\] - .*$", f"## [{VERSION}] - {date}", text, flags=re.M))


def commit_all(root: Path, message: str) -> Repo:
    repo = Repo(root)
    if not (root / ".git").exists():
        repo.git("init", "-q", "-b", "main")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message)
    return repo


def test_the_real_checkout_is_consistent() -> None:
    assert release.check_release(ROOT) == []
    assert release.SEMVER.match(VERSION)


def test_check_passes_on_a_copy_and_says_so(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert release.main(["--root", str(copy), "check"]) == 0
    assert capsys.readouterr().out == f"release check: mlgate {VERSION} is consistent\n"


BREAKS: dict[str, tuple[Callable[[Path], object], str]] = {  # a break's return value is ignored
    "version not semver": (
        lambda r: edit(r / "src/mlgate/__init__.py", f'"{VERSION}"', '"1.0"'),
        r"version '1\.0' is not a semantic version",
    ),
    "no changelog section": (
        lambda r: edit(r / "CHANGELOG.md", f"## [{VERSION}]", "## [0.0.1]"),
        rf"no dated `## \[{VERSION}\] - YYYY-MM-DD` section",
    ),
    "undated changelog section": (
        lambda r: edit(r / "CHANGELOG.md", f"## [{VERSION}] - ", f"## [{VERSION}]\n"),
        rf"no dated `## \[{VERSION}\]",
    ),
    "impossible date": (
        lambda r: redate(r / "CHANGELOG.md", "2026-13-40"),
        r"has date '2026-13-40'; write YYYY-MM-DD",
    ),
    "template pin": (
        lambda r: edit(r / "templates/ml-project/cookiecutter.json", f'"v{VERSION}"', '"v9.9.9"'),
        rf"mlgate_ref is 'v9\.9\.9', expected 'v{VERSION}'",
    ),
    "stale uses: ref in docs": (
        lambda r: edit(r / "docs/workflows.md", f"pr-check.yml@v{VERSION}", "pr-check.yml@v0.0.9"),
        r"docs/workflows\.md:\d+: mlgate reference @v0\.0\.9 is not",
    ),
    "stale mlgate-ref in docs": (
        lambda r: edit(r / "docs/workflows.md", f"mlgate-ref: v{VERSION}", "mlgate-ref: main"),
        r"docs/workflows\.md:\d+: mlgate reference @main is not",
    ),
    "branch ref in README": (
        lambda r: (r / "README.md").write_text("pip install git+https://github.com/mlgate/mlgate@main\n"),
        r"README\.md:1: mlgate reference @main is not",
    ),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_check_reports_each_inconsistency(copy: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    breaker, expected = BREAKS[name]
    breaker(copy)
    assert release.main(["--root", str(copy), "check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    assert re.search(expected, lines[0]), lines[0]


def test_placeholders_and_the_major_tag_are_allowed_in_docs(copy: Path) -> None:
    major = release.major_tag(VERSION)
    (copy / "docs" / "extra.md").write_text(
        f"uses: mlgate/mlgate/actions/validate@<sha> # vX.Y.Z\nuses: mlgate/mlgate@REF\n"
        f"uses: mlgate/mlgate/actions/deploy@{major}\nmlgate-ref: '<sha>'\n"
        "mlgate-ref: {{ cookiecutter.mlgate_ref }}\nmlgate-ref: ${{ inputs.mlgate-ref }}\n",
        encoding="utf-8",
    )
    assert release.check_release(copy) == []


def test_pre_release_check_accepts_an_unreleased_section(copy: Path) -> None:
    edit(copy / "src/mlgate/__init__.py", f'"{VERSION}"', '"9.0.0"')
    edit(copy / "templates/ml-project/cookiecutter.json", f'"v{VERSION}"', '"v9.0.0"')
    for doc in [copy / "README.md", *(copy / "docs").rglob("*.md")]:
        doc.write_text(doc.read_text(encoding="utf-8").replace(f"v{VERSION}", "v9.0.0"), encoding="utf-8")
    assert release.check_release(copy, pre_release=True) == []
    assert release.check_release(copy) == [
        "CHANGELOG.md: no dated `## [9.0.0] - YYYY-MM-DD` section for 9.0.0",
        *release.find_stale_refs(copy, "9.0.0"),
    ]


@pytest.mark.parametrize(("version", "major"), [("0.1.0", "v0"), ("0.12.3", "v0"), ("1.0.0", "v1"), ("2.3.4", "v2")])
def test_the_major_tag_follows_semver(version: str, major: str) -> None:
    assert release.major_tag(version) == major


def add_unreleased_entry(root: Path, entry: str) -> None:
    edit(root / "CHANGELOG.md", "## [Unreleased]\n", f"## [Unreleased]\n\n### Fixed\n\n- {entry}\n")


def test_bump_rewrites_every_pin_and_dates_the_section(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_unreleased_entry(copy, "a fix worth releasing")
    (copy / "docs" / "extra.md").write_text(
        f"uses: mlgate/mlgate/actions/deploy@{release.major_tag(VERSION)}\nuses: mlgate/mlgate@<sha>\n",
        encoding="utf-8",
    )
    assert release.main(["--root", str(copy), "bump", "1.2.3", "--date", "2027-01-02"]) == 0
    out = capsys.readouterr().out
    assert "updated CHANGELOG.md" in out
    assert "updated templates/ml-project/cookiecutter.json" in out
    assert release.read_version(copy) == "1.2.3"
    assert json.loads((copy / "templates/ml-project/cookiecutter.json").read_text())["mlgate_ref"] == "v1.2.3"
    assert release.check_release(copy) == []
    assert (copy / "docs" / "extra.md").read_text() == (
        "uses: mlgate/mlgate/actions/deploy@v1\nuses: mlgate/mlgate@<sha>\n"
    )
    workflows = (copy / "docs" / "workflows.md").read_text()
    assert f"v{VERSION}" not in workflows
    assert "pr-check.yml@v1.2.3" in workflows
    assert "mlgate-ref: v1.2.3" in workflows
    changelog = (copy / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [1.2.3] - 2027-01-02\n\n### Fixed\n\n- a fix worth releasing\n\n## [" in changelog
    assert release.list_sections(changelog) == {"Unreleased": None, "1.2.3": "2027-01-02", VERSION: "2026-11-22"}
    assert "[Unreleased]: https://github.com/mlgate/mlgate/compare/v1.2.3...HEAD\n" in changelog
    assert f"[1.2.3]: https://github.com/mlgate/mlgate/compare/v{VERSION}...v1.2.3\n" in changelog


@pytest.mark.parametrize(
    ("version", "date", "expected"),
    [
        ("1.2", "2027-01-02", r"'1\.2' is not a semantic version"),
        ("1.2.3", "02/01/2027", r"--date '02/01/2027' is not a YYYY-MM-DD date"),
        (VERSION, "2027-01-02", rf"the version is already {VERSION}"),
        ("1.2.3", "2027-01-02", r"nothing under ## \[Unreleased\]"),
    ],
)
def test_bump_refuses_bad_requests_and_changes_nothing(copy: Path, version: str, date: str, expected: str) -> None:
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    with pytest.raises(release.ReleaseError, match=expected):
        release.bump_release(copy, version, date)
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def tags(repo: Repo) -> dict[str, str]:
    lines = repo.git("for-each-ref", "--format=%(refname:short)|%(objecttype)|%(*objectname)", "refs/tags")
    return {name: f"{kind} {target}" for name, kind, target in (line.split("|") for line in lines.splitlines())}


@pytest.mark.usefixtures("git_env")
def test_tag_creates_the_release_tag_and_moves_the_major_tag(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = commit_all(copy, "release")
    first = repo.git("rev-parse", "HEAD")
    major = release.major_tag(VERSION)
    assert release.main(["--root", str(copy), "tag"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "tagged; publish with:",
        f"git push origin v{VERSION}",
        f"git push --force origin {major}",
    ]
    assert tags(repo) == {f"v{VERSION}": f"tag {first}", major: f"tag {first}"}

    add_unreleased_entry(copy, "next")
    new = f"{VERSION.split('.')[0]}.{int(VERSION.split('.')[1]) + 1}.0"
    release.bump_release(copy, new, "2027-01-02")
    second = commit_all(copy, "next release").git("rev-parse", "HEAD")
    assert release.tag_release(copy) == [f"git push origin v{new}", f"git push --force origin {major}"]
    assert tags(repo) == {f"v{VERSION}": f"tag {first}", f"v{new}": f"tag {second}", major: f"tag {second}"}


@pytest.mark.usefixtures("git_env")
def test_a_pre_release_tag_leaves_the_major_tag_alone(copy: Path) -> None:
    add_unreleased_entry(copy, "candidate")
    release.bump_release(copy, "1.0.0-rc.1", "2027-01-02")
    repo = commit_all(copy, "rc")
    assert release.tag_release(copy) == ["git push origin v1.0.0-rc.1"]
    assert set(tags(repo)) == {"v1.0.0-rc.1"}


@pytest.mark.usefixtures("git_env")
@pytest.mark.parametrize(
    ("arrange", "expected"),
    [
        (lambda r: (r / "README.md").write_text("changed\n"), r"uncommitted changes"),
        (lambda r: (r / "untracked.txt").write_text("new\n"), r"uncommitted changes"),
        (lambda r: Repo(r).git("tag", f"v{VERSION}"), rf"tag v{VERSION} already exists"),
        (
            lambda r: edit(r / "templates/ml-project/cookiecutter.json", f'"v{VERSION}"', '"v0.0.1"'),
            r"release check failed:\n.*mlgate_ref is 'v0\.0\.1'",
        ),
    ],
    ids=["dirty", "untracked", "existing tag", "inconsistent"],
)
def test_tag_refuses(copy: Path, arrange: Callable[[Path], object], expected: str) -> None:
    repo = commit_all(copy, "release")
    arrange(copy)
    before = tags(repo)
    with pytest.raises(release.ReleaseError, match=expected):
        release.tag_release(copy)
    assert tags(repo) == before
