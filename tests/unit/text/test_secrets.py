"""mlgate.text.secrets: a credential echoed by a server or a proxy is never printed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inert import hostile_text
from mlgate.text.secrets import redact

TOKEN = "ghs_" + "A1b2C3d4E5" * 4


@pytest.mark.parametrize(
    "echo",
    [
        f"Authorization: Bearer {TOKEN}",
        f'{{"headers": {{"authorization": "token {TOKEN}"}}}}',
        f"bad credentials for {TOKEN}",
        f"proxy-authorization=Basic {TOKEN};",
        f"token {TOKEN} rejected",
    ],
)
def test_the_token_is_redacted_wherever_it_is_echoed(echo: str) -> None:
    shown = redact(echo, [TOKEN])
    assert TOKEN not in shown
    assert "***" in shown


def test_any_bearer_or_github_shaped_token_is_redacted_without_knowing_it() -> None:
    assert redact("Authorization: Bearer abc.def-123") == "Authorization: Bearer ***"
    assert redact("see ghp_" + "x" * 36 + " here") == "see *** here"
    assert redact("github_pat_11AB_" + "y" * 30) == "***"


def test_ordinary_words_about_tokens_stay() -> None:
    assert redact("token is invalid or expired; Bearer") == "token is invalid or expired; Bearer"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(hostile_text(), st.text(alphabet="abcdefXYZ0123456789_-", min_size=8, max_size=40))
def test_a_known_secret_never_survives(around: str, secret: str) -> None:
    assert secret not in redact(around + secret + around, [secret])
