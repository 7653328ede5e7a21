"""Version numbers: "3", "v3" and " V12 " name a version; anything else is refused with what was given."""

from __future__ import annotations

import pytest

from mlgate.errors import InputError
from mlgate.registry.model import is_version_number, normalize_version


@pytest.mark.parametrize(("text", "expected"), [("3", "3"), ("v3", "3"), (" V12 ", "12"), ("007", "7")])
def test_version_numbers_are_normalised(text: str, expected: str) -> None:
    assert normalize_version(text) == expected


@pytest.mark.parametrize("text", ["", "0", "latest", "1.2", "-1"])
def test_anything_else_is_not_a_version(text: str) -> None:
    with pytest.raises(InputError, match=r"is not a version number"):
        normalize_version(text)


@pytest.mark.parametrize(
    ("text", "shown"), [("²", "'²'"), ("３", "'３'"), ("١٢", "'١٢'"), ("9" * 5000, r"'9{20}…\(5,000 characters\)'")]
)
def test_digits_of_other_scripts_and_thousands_of_digits_are_not_versions(text: str, shown: str) -> None:
    with pytest.raises(InputError, match=rf"^{shown} is not a version number"):
        normalize_version(text)


def test_a_version_number_is_a_few_ascii_digits() -> None:
    assert [is_version_number(t) for t in ("12", "v12", "²", "9" * 18, "9" * 19)] == [True, False, False, True, False]
