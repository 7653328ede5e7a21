"""mlgate.files: YAML within bounds (depth, alias expansion, long integers), JSON depth, atomic writes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from mlgate.errors import InputError
from mlgate.files import MAX_DEPTH, display_path, find_line, load_yaml, parse_document, write_atomic

# 9 levels of 9 aliases: about 400 bytes that stand for 9**9 (387 million) strings.
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_safe_yaml_keeps_its_meaning() -> None:
    text = "a: 1\nb: 0x1f\nc: [1.5, .inf, null, yes]\nd: &x {k: v}\ne: *x\nf: {<<: *x, j: 2}\n"
    assert load_yaml(text) == {
        "a": 1,
        "b": 31,
        "c": [1.5, float("inf"), None, True],
        "d": {"k": "v"},
        "e": {"k": "v"},
        "f": {"k": "v", "j": 2},
    }
    with pytest.raises(yaml.constructor.ConstructorError, match="could not determine a constructor"):
        load_yaml("!!python/object/apply:os.system ['true']")


def test_an_alias_bomb_is_refused_before_anything_is_built() -> None:
    assert len(BILLION_LAUGHS) < 700
    started = time.perf_counter()
    with pytest.raises(
        InputError, match=r"^mlgate\.yaml:9:\d+: config file is refused: aliases expand it by more than"
    ):
        parse_document(BILLION_LAUGHS, Path("mlgate.yaml"), what="config file")
    assert time.perf_counter() - started < 5  # a few ms: the graph is measured, never expanded


def test_a_few_shared_values_are_fine() -> None:
    values = "".join(f"k{i}: *shared\n" for i in range(50))
    document = load_yaml(f"base: &shared [{', '.join(['1'] * 100)}]\n{values}")
    assert len(document) == 51
    assert document["k49"] == [1] * 100


def test_an_alias_inside_the_node_it_names_is_refused() -> None:
    with pytest.raises(
        InputError, match=r"s\.yaml:1:\d+: schema is refused: an alias refers to a node that contains it"
    ):
        parse_document("a: &a [1, *a]\n", Path("s.yaml"), what="schema")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000 + "]" * 20_000,
        "{a: " * 20_000 + "1" + "}" * 20_000,
        "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v\n",
    ],
    ids=["flow-lists", "flow-maps", "block-maps"],
)
def test_deep_yaml_is_refused_with_its_line_not_a_recursion_error(text: str) -> None:
    with pytest.raises(InputError, match=rf"config file is refused: nested deeper than {MAX_DEPTH} levels") as info:
        parse_document(text, Path("mlgate.yaml"), what="config file")
    assert "flatten" in (info.value.hint or "")


def test_yaml_at_the_depth_bound_is_read() -> None:
    document = parse_document("[" * MAX_DEPTH + "]" * MAX_DEPTH, Path("x.yaml"), what="x")
    for _ in range(MAX_DEPTH - 1):
        document = document[0]
    assert document == []


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_an_integer_of_thousands_of_digits_is_refused(suffix: str) -> None:
    text = '{"seed": ' + "7" * 5000 + "}"
    with pytest.raises(InputError, match=r"config file is refused: an integer of (5,000|more than 4,300) digits"):
        parse_document(text, Path(f"c{suffix}"), what="config file")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 20_000])
def test_deep_json_is_refused(depth: int) -> None:
    with pytest.raises(InputError, match=rf"^s\.json: schema is refused: nested deeper than {MAX_DEPTH} levels"):
        parse_document("[" * depth + "]" * depth, Path("s.json"), what="schema")


def test_find_line_works_on_bounded_documents() -> None:
    assert find_line("a:\n  b:\n    c: 1\n", ["a", "b", "c"]) == 3
    assert find_line("[" * 20_000, ["a"]) is None


def test_write_atomic_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    assert target.read_text(encoding="utf-8") == "two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_display_path_is_relative_to_the_working_folder_when_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "project" / "data").mkdir(parents=True)
    (tmp_path / "project" / "data" / "real.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "project" / "data" / "link.csv").symlink_to("real.csv")
    monkeypatch.chdir(tmp_path / "project")
    assert display_path(str(tmp_path / "project" / "data" / "x.csv")) == "data/x.csv"
    assert display_path(str(tmp_path / "project" / "data" / "link.csv")) == "data/real.csv"  # the file read
    assert display_path(str(tmp_path / "other.csv")) == str(tmp_path / "other.csv")
    assert display_path("s3://bucket/data/x.csv") == "s3://bucket/data/x.csv"
