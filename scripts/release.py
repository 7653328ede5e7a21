"""Cut mlgate releases: keep the version, the changelog, the template's pin and the documented refs in step.

    python scripts/release.py check [--pre-release]   # one line per problem, exit 1 if any
    python scripts/release.py bump X.Y.Z [--date D]   # version, template mlgate_ref, doc refs, changelog section
    python scripts/release.py tag                     # annotated vX.Y.Z at HEAD, moves vN; prints the pushes

Never pushes: the printed ``git push`` commands are for a person. See docs/releasing.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION_FILE = Path("src/mlgate/__init__.py")
CHANGELOG = Path("CHANGELOG.md")
TEMPLATE_CONFIG = Path("templates/ml-project/cookiecutter.json")
SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
VERSION_LINE = re.compile(r'^__version__ = "(?P<version>[^"]*)"$', re.MULTILINE)
SECTION = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\S+))?[ \t]*$", re.MULTILINE)
MLGATE_REF = re.compile(r'("mlgate_ref"\s*:\s*")(?P<ref>[^"]*)(")')
# A reference to mlgate at some ref: `mlgate/mlgate[/path]@REF` (uses: lines, pip URLs) or `mlgate-ref: REF`.
DOC_REF = re.compile(
    r"(?P<lead>\bmlgate/mlgate(?:/[\w./-]*)?@|\bmlgate-ref:[ \t]*[\"']?)"
    r"(?P<ref>\$?\{\{.*?\}\}|[^\s`\"'()\[\]|,;]+)",
)
# Placeholders a reader fills in: <sha>, REF, a template variable {{ cookiecutter.mlgate_ref }}, ${{ inputs.x }}.
PLACEHOLDER = re.compile(r"^(<[\w .-]+>|REF|\$?\{\{.*\}\})$")
TAG_LIKE = re.compile(r"^v\d+(\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)?$")
Runner = Callable[[Sequence[str], Path], str]


class ReleaseError(Exception):
    """A release step cannot go on; the message says what is wrong and what to do."""


def run_git(argv: Sequence[str], cwd: Path) -> str:
    """Run one git command in ``cwd`` and return its stdout; a failure becomes a ReleaseError."""
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReleaseError(f"git {' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def read_version(root: Path) -> str:
    """The version string in src/mlgate/__init__.py."""
    match = VERSION_LINE.search((root / VERSION_FILE).read_text(encoding="utf-8"))
    if match is None:
        raise ReleaseError(f'{VERSION_FILE}: no `__version__ = "X.Y.Z"` line')
    return match["version"]


def major_tag(version: str) -> str:
    """The moving major tag for a version: v0 while 0.x, v1 from 1.0.0, and so on."""
    match = SEMVER.match(version)
    if match is None:
        raise ReleaseError(f"{version!r} is not a semantic version (X.Y.Z)")
    return f"v{match['major']}"


def is_prerelease(version: str) -> bool:
    """Whether a semantic version has a pre-release part (1.0.0-rc.1): those never move the major tag."""
    match = SEMVER.match(version)
    return match is None or match["pre"] is not None


def list_sections(changelog: str) -> dict[str, str | None]:
    """Changelog section name -> its date (None when undated), in file order."""
    return {m["name"]: m["date"] for m in SECTION.finditer(changelog)}


def iter_doc_refs(root: Path) -> Iterator[tuple[Path, int, str]]:
    """Every mlgate reference in README.md and docs/**/*.md: (file, line number, ref)."""
    files = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    for path in files:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in DOC_REF.finditer(line):
                yield path.relative_to(root), number, match["ref"]


def find_stale_refs(root: Path, version: str) -> list[str]:
    """Doc references that pin anything but v<version>, the moving major tag or a placeholder like <sha>."""
    allowed = {f"v{version}", major_tag(version)}
    return [
        f"{path}:{number}: mlgate reference @{ref} is not v{version} (use the current tag or a <sha> placeholder)"
        for path, number, ref in iter_doc_refs(root)
        if ref not in allowed and not PLACEHOLDER.match(ref)
    ]


def check_release(root: Path, pre_release: bool = False) -> list[str]:
    """Every inconsistency between version, changelog, template pin and docs; empty when releasable."""
    try:
        version = read_version(root)
    except ReleaseError as exc:
        return [str(exc)]
    if not SEMVER.match(version):
        return [f"{VERSION_FILE}: version {version!r} is not a semantic version (X.Y.Z[-pre])"]
    problems = []
    sections = list_sections((root / CHANGELOG).read_text(encoding="utf-8"))
    date = sections.get(version)
    if date is None and not (pre_release and "Unreleased" in sections):
        wanted = "## [Unreleased] or " if pre_release else ""
        problems.append(f"{CHANGELOG}: no {wanted}dated `## [{version}] - YYYY-MM-DD` section for {version}")
    elif date is not None and not is_iso_date(date):
        problems.append(f"{CHANGELOG}: section [{version}] has date {date!r}; write YYYY-MM-DD")
    ref = json.loads((root / TEMPLATE_CONFIG).read_text(encoding="utf-8")).get("mlgate_ref")
    if ref != f"v{version}":
        problems.append(f"{TEMPLATE_CONFIG}: mlgate_ref is {ref!r}, expected 'v{version}'")
    return problems + find_stale_refs(root, version)


def is_iso_date(text: str) -> bool:
    """Whether ``text`` is a calendar date written YYYY-MM-DD."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None


def rewrite_ref(ref: str, version: str) -> str:
    """A doc ref moved to ``version``: full tags become v<version>, major tags v<major>; others unchanged."""
    if not TAG_LIKE.match(ref):
        return ref
    return f"v{version}" if "." in ref else major_tag(version)


def rewrite_changelog(text: str, old: str, new: str, date: str) -> str:
    """Move the Unreleased entries into a dated ``## [new]`` section and update the compare links."""
    sections = list(SECTION.finditer(text))
    unreleased = next((m for m in sections if m["name"] == "Unreleased"), None)
    if unreleased is None:
        raise ReleaseError(f"{CHANGELOG}: no `## [Unreleased]` section to release")
    if any(m["name"] == new for m in sections):
        raise ReleaseError(f"{CHANGELOG}: a [{new}] section already exists")
    following = next((m.start() for m in sections if m.start() > unreleased.start()), None)
    body_end = following if following is not None else _find_links(text, unreleased.end())
    body = text[unreleased.end() : body_end].strip("\n")
    if not body.strip():
        raise ReleaseError(f"{CHANGELOG}: nothing under ## [Unreleased]; add the changes before bumping")
    head = text[: unreleased.start()]
    rest = text[body_end:]
    released = f"## [Unreleased]\n\n## [{new}] - {date}\n\n{body}\n\n"
    link = re.compile(r"^\[Unreleased\]: (?P<base>\S+)/compare/v\S+\.\.\.HEAD$", re.MULTILINE)
    match = link.search(rest)
    if match is not None:
        base = match["base"]
        replacement = f"[Unreleased]: {base}/compare/v{new}...HEAD\n[{new}]: {base}/compare/v{old}...v{new}"
        rest = rest[: match.start()] + replacement + rest[match.end() :]
    return head + released + rest


def _find_links(text: str, start: int) -> int:
    match = re.compile(r"^\[[^\]]+\]: \S+$", re.MULTILINE).search(text, start)
    return match.start() if match is not None else len(text)


def bump_release(root: Path, new: str, date: str) -> list[Path]:
    """Set the version everywhere it is pinned and date the changelog; returns the files changed."""
    if not SEMVER.match(new):
        raise ReleaseError(f"{new!r} is not a semantic version (X.Y.Z[-pre])")
    if not is_iso_date(date):
        raise ReleaseError(f"--date {date!r} is not a YYYY-MM-DD date")
    old = read_version(root)
    if new == old:
        raise ReleaseError(f"the version is already {new}")
    texts: dict[Path, str] = {}
    version_text = (root / VERSION_FILE).read_text(encoding="utf-8")
    texts[VERSION_FILE] = VERSION_LINE.sub(f'__version__ = "{new}"', version_text, count=1)
    texts[CHANGELOG] = rewrite_changelog((root / CHANGELOG).read_text(encoding="utf-8"), old, new, date)
    config = (root / TEMPLATE_CONFIG).read_text(encoding="utf-8")
    texts[TEMPLATE_CONFIG] = MLGATE_REF.sub(lambda m: f"{m[1]}v{new}{m[3]}", config, count=1)
    for path in {path for path, _, _ in iter_doc_refs(root)}:
        text = (root / path).read_text(encoding="utf-8")
        texts[path] = DOC_REF.sub(lambda m: m["lead"] + rewrite_ref(m["ref"], new), text)
    changed = []
    for path, text in sorted(texts.items()):
        if (root / path).read_text(encoding="utf-8") != text:
            (root / path).write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def tag_release(root: Path, run: Runner = run_git) -> list[str]:
    """Tag HEAD as v<version> (annotated) and move the major tag; returns the push commands to run."""
    problems = check_release(root)
    if problems:
        raise ReleaseError("release check failed:\n" + "\n".join(problems))
    version = read_version(root)
    tag = f"v{version}"
    if run(["status", "--porcelain"], root).strip():
        raise ReleaseError("the work tree has uncommitted changes; commit or remove them, then tag")
    if run(["tag", "--list", tag], root).strip():
        raise ReleaseError(f"tag {tag} already exists; bump the version (scripts/release.py bump X.Y.Z)")
    run(["tag", "--annotate", tag, "--message", f"mlgate {version}"], root)
    pushes = [f"git push origin {tag}"]
    if not is_prerelease(version):
        major = major_tag(version)
        run(["tag", "--force", "--annotate", major, "--message", f"mlgate {major} -> {tag}", f"{tag}^{{}}"], root)
        pushes.append(f"git push --force origin {major}")
    return pushes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line: check, bump or tag."""
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the mlgate checkout (default: this one)")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check that version, changelog, template pin and docs agree")
    check.add_argument("--pre-release", action="store_true", help="accept an [Unreleased] section (CI on main)")
    bump = commands.add_parser("bump", help="set a new version everywhere and date its changelog section")
    bump.add_argument("version")
    bump.add_argument("--date", default=datetime.date.today().isoformat(), help="release date (YYYY-MM-DD)")
    commands.add_parser("tag", help="create the annotated tag and move the major tag (never pushes)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 1 on a problem (printed one per line)."""
    args = parse_args(argv)
    root: Path = args.root
    try:
        if args.command == "check":
            problems = check_release(root, pre_release=args.pre_release)
            print("\n".join(problems) if problems else f"release check: mlgate {read_version(root)} is consistent")
            return 1 if problems else 0
        if args.command == "bump":
            changed = bump_release(root, args.version, args.date)
            print("\n".join(f"updated {path}" for path in changed))
            return 0
        print("\n".join(["tagged; publish with:", *tag_release(root)]))
    except ReleaseError as exc:
        print(f"release.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
