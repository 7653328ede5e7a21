"""A ``Connect`` to the GitHub fake, for the flows that open their own client (imported as ``unit.github.helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from fakes.github_api import FakeGitHub
from mlgate.github.client import GitHubClient
from mlgate.github.publish import Connect


def connector(fake: FakeGitHub, session: httpx.Client) -> Connect:
    """What ``mlgate.cli.common.open_github`` gives the flows: a client on ``fake`` and its repository."""
    client = GitHubClient(session, base_url=fake.url, token=fake.token, sleep=lambda _: None)

    @contextmanager
    def opened() -> Iterator[tuple[GitHubClient, str]]:
        yield client, fake.repository

    return opened


@contextmanager
def connected(fake: FakeGitHub) -> Iterator[Connect]:
    """A ``Connect`` to ``fake`` over one HTTP session, closed when the block ends."""
    with httpx.Client(timeout=10) as session:
        yield connector(fake, session)
