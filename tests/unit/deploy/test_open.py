"""``open_deployer`` and ``make_deployer``: the registry, the target with its client, the settings, as configured."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from mlgate.config import ArtifactsConfig, Config, DeployConfig, anchor_paths
from mlgate.deploy.local import LocalTarget
from mlgate.deploy.open import make_deployer, open_deployer, open_http
from mlgate.deploy.target import TargetOptions
from mlgate.errors import InputError
from mlgate.registry.local import LocalRegistry

WHEN = dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.timezone.utc)


def config(root: Path, *, timeout_s: float = 60.0, state: str = ".mlgate/serve") -> Config:
    given = Config(
        deploy=DeployConfig(timeout_s=timeout_s, state=state),
        artifacts=ArtifactsConfig(trusted_types=("sklearn.tree._tree.Tree",)),
    )
    return anchor_paths(given, root)  # as load_config does: locations against the config's folder


def test_the_client_times_out_as_configured_and_ignores_proxy_settings(tmp_path: Path) -> None:
    with open_http(config(tmp_path, timeout_s=12.5)) as http:
        assert http.timeout == httpx.Timeout(12.5, connect=5.0)
        assert not http.trust_env
    with open_http(config(tmp_path, timeout_s=0.01)) as http:
        assert http.timeout.read == 1.0  # at least a second per request


def test_make_deployer_builds_the_named_target_with_the_settings_and_the_callers_clock(tmp_path: Path) -> None:
    said: list[str] = []
    store = LocalRegistry(tmp_path / "reg")
    with open_http(config(tmp_path)) as http:
        options = TargetOptions(state=tmp_path / "state", http=http)
        deployer = make_deployer(
            config(tmp_path, timeout_s=30.0), store, "local", options, actor="ci", say=said.append, now=lambda: WHEN
        )
    assert isinstance(deployer.target, LocalTarget)
    assert (deployer.target.state, deployer.target.http) == (tmp_path / "state", http)
    assert (deployer.registry, deployer.actor, deployer.now()) == (store, "ci", WHEN)
    assert (deployer.settings.timeout_s, deployer.settings.trusted_types) == (30.0, ("sklearn.tree._tree.Tree",))
    deployer.say("switching")
    assert said == ["switching"]
    deployer.note({"switched": "true"})  # no caller asked for the facts: nothing happens


def test_an_unknown_target_is_an_input_error(tmp_path: Path) -> None:
    with open_http(config(tmp_path)) as http, pytest.raises(InputError, match="unknown deploy target 'ftp'"):
        make_deployer(
            config(tmp_path),
            LocalRegistry(tmp_path / "reg"),
            "ftp",
            TargetOptions(http=http),
            actor="ci",
            say=lambda _m: None,
        )


def test_open_deployer_uses_the_configs_registry_and_state_and_closes_its_client(tmp_path: Path) -> None:
    facts: list[dict[str, str]] = []
    with open_deployer(
        config(tmp_path, state="served"), None, None, actor="ci", say=lambda _m: None, note=facts.append
    ) as deployer:
        assert isinstance(deployer.registry, LocalRegistry)
        assert deployer.registry.root == (tmp_path / ".mlgate" / "registry").resolve()
        assert isinstance(deployer.target, LocalTarget)
        assert deployer.target.state == tmp_path / "served"
        assert not deployer.target.http.is_closed
        http = deployer.target.http
        deployer.note({"previous-version": "3"})
    assert http.is_closed
    assert facts == [{"previous-version": "3"}]
