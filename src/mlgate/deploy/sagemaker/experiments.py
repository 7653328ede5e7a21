"""Shadow and A/B split on a SageMaker endpoint: ``SagemakerExperiments``, which ``SagemakerTarget`` inherits.

Each experiment is an endpoint config of its own (``names.build_experiment_name``), tagged with what it runs and
the live version's own config it was built from (``mlgate:base-config``); its ``mlgate:version`` tag stays the
live version, so ``current()``, ``ping()`` and the registry keep naming the champion while it runs.

- Shadow: the live model as the one production variant plus a shadow variant (SageMaker copies the share of the
  requests given by the shadow's weight relative to the production variant's; its answers reach no client).
  Stopping moves the endpoint back to the base config.
- Split: the champion (under the usual variant name, so the guard alarms keep watching it) and the challenger as
  two production variants weighted ``100 - percent`` and ``percent``; SageMaker picks a variant per request by
  weight, so ``ab.key`` has no effect here (a client is pinned only by ``TargetVariant`` on its request).
  Ending it first moves all weight to the winner (``UpdateEndpointWeightsAndCapacities``, weight and instance
  count for both variants), then the endpoint to the winner's own single-variant config, the one a deploy
  makes, so rollback and retention work as after a deploy.

Every move is an ``UpdateEndpoint`` all at once, watched until ``InService``; the experiment config is deleted
once the endpoint has left it. A deploy while a split runs is refused (``check_no_split``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.deploy.experiment import RunningShadow, Split, VariantHealth
from mlgate.deploy.sagemaker import names
from mlgate.deploy.sagemaker.health import read_variant_health
from mlgate.deploy.sagemaker.requests import (
    build_config_request,
    build_final_weights,
    build_model_request,
    build_shadow_config_request,
    build_split_config_request,
)
from mlgate.deploy.sagemaker.watch import watch_endpoint
from mlgate.deploy.target import LoadFailed, TargetTimeout
from mlgate.errors import InputError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import DescribeEndpointOutputTypeDef

    from mlgate.config import SagemakerConfig
    from mlgate.deploy.sagemaker.api import SagemakerApi
    from mlgate.deploy.watch import Watch
    from mlgate.registry.model import ModelVersion


def read_running_shadow(tags: Mapping[str, str]) -> RunningShadow | None:
    """The shadow an endpoint config's ``tags`` describe, or None for a config that runs none."""
    if names.TAG_SHADOW not in tags:
        return None
    return RunningShadow(tags[names.TAG_SHADOW], float(tags[names.TAG_FRACTION]), tags[names.TAG_STARTED])


def read_running_split(tags: Mapping[str, str]) -> Split | None:
    """The A/B split an endpoint config's ``tags`` describe, or None for a config that runs none."""
    if names.TAG_CHALLENGER not in tags:
        return None
    return Split(
        champion=tags[names.TAG_VERSION],
        challenger=tags[names.TAG_CHALLENGER],
        percent=float(tags[names.TAG_PERCENT]),
        key=tags.get(names.TAG_KEY, ""),
        started_at=tags[names.TAG_STARTED],
    )


class SagemakerExperiments:
    """``mlgate.deploy.experiment.Experiments`` for one endpoint (see the module docstring)."""

    settings: SagemakerConfig
    endpoint: str
    api: SagemakerApi
    run_id: str | None
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    poll_s: float
    now: Callable[[], dt.datetime]
    watched: list[Watch]

    def read_shadow(self) -> RunningShadow | None:
        return read_running_shadow(self._live_tags(self.api.describe_endpoint()))

    def start_shadow(self, version: ModelVersion, artifact: Path, fraction: float, started_at: str) -> None:
        endpoint = self.api.describe_endpoint()
        base, live = self._find_base(endpoint, "shadow")
        current = str(endpoint["EndpointConfigName"]) if endpoint else base
        if version.version == live:
            raise InputError(
                f"version {live} is the live version of {self.endpoint}: a shadow answers beside another version",
                hint="shadow a candidate, e.g. the newest registered version",
            )
        model = self.ensure_version(version)
        name = names.build_experiment_name(self.endpoint, "shadow", f"{base}|{model}|{fraction}|{started_at}")
        tags = {
            names.TAG_VERSION: live,
            names.TAG_BASE: base,
            names.TAG_SHADOW: version.version,
            names.TAG_FRACTION: str(float(fraction)),
            names.TAG_STARTED: started_at,
        }
        self._create_config(build_shadow_config_request(self.settings, name, base, model, fraction, tags))
        self._move_to(name, live)
        if current not in (base, name):  # it replaced a running shadow, whose config goes
            self._delete_config(current)

    def stop_shadow(self) -> bool:
        endpoint = self.api.describe_endpoint()
        tags = self._live_tags(endpoint)
        if endpoint is None or read_running_shadow(tags) is None:
            return False
        self._move_to(tags[names.TAG_BASE], tags[names.TAG_VERSION])
        self._delete_config(str(endpoint["EndpointConfigName"]))
        return True

    def read_split(self) -> Split | None:
        return read_running_split(self._live_tags(self.api.describe_endpoint()))

    def start_split(self, split: Split, challenger: ModelVersion, artifact: Path) -> None:
        endpoint = self.api.describe_endpoint()
        base, live = self._find_base(endpoint, "A/B test")
        if read_running_shadow(self._live_tags(endpoint)) is not None:
            raise InputError(
                f"a shadow runs on {self.endpoint}: SageMaker runs a shadow beside one production variant only",
                hint="stop it first: mlgate shadow stop",
            )
        if split.champion != live or challenger.version != split.challenger or split.challenger == live:
            raise InputError(
                f"an A/B test on {self.endpoint} pits the live version {live} against another version, "
                f"not {split.champion} against {split.challenger}",
                hint="name a challenger other than the live version",
            )
        model = self.ensure_version(challenger)
        name = names.build_experiment_name(self.endpoint, "ab", f"{base}|{model}|{split.percent}|{split.started_at}")
        tags = {
            names.TAG_VERSION: live,
            names.TAG_BASE: base,
            names.TAG_CHALLENGER: split.challenger,
            names.TAG_PERCENT: str(float(split.percent)),
            names.TAG_KEY: split.key,
            names.TAG_STARTED: split.started_at,
        }
        self._create_config(build_split_config_request(self.settings, name, base, model, split.percent, tags))
        self._move_to(name, live)

    def end_split(self, winner: ModelVersion, artifact: Path) -> None:
        endpoint = self.api.describe_endpoint()
        tags = self._live_tags(endpoint)
        split = read_running_split(tags)
        if endpoint is None or split is None:
            raise InputError(f"no A/B test runs on {self.endpoint}", hint="start one with mlgate deploy VERSION --ab")
        if winner.version not in (split.champion, split.challenger):
            raise InputError(
                f"version {winner.version} is not in the A/B test on {self.endpoint} "
                f"({split.champion} vs {split.challenger})",
                hint=f"end it with {split.champion} or {split.challenger}",
            )
        config = str(endpoint["EndpointConfigName"])
        variant = names.VARIANT if winner.version == split.champion else names.CHALLENGER_VARIANT
        self.api.make_call(
            self.api.sm.update_endpoint_weights_and_capacities,
            EndpointName=self.endpoint,
            DesiredWeightsAndCapacities=build_final_weights(variant, self.settings),
        )
        self._settle(config, winner.version)
        final = self.ensure_version(winner)
        self._move_to(final, winner.version)
        if final != tags[names.TAG_BASE]:  # the challenger won: it is live as after a deploy, the champion its rollback
            marks = {
                names.TAG_VERSION: winner.version,
                names.TAG_RUN: self.run_id,
                names.TAG_PREVIOUS: tags[names.TAG_BASE],
            }
            self.api.make_call(self.api.sm.add_tags, ResourceArn=endpoint["EndpointArn"], Tags=names.build_tags(marks))
        self._delete_config(config)

    def read_health(self, split: Split, since: dt.datetime) -> Mapping[str, VariantHealth]:
        now = self.now()
        variants = {split.champion: names.VARIANT, split.challenger: names.CHALLENGER_VARIANT}
        return {version: read_variant_health(self.api, v, version, since, now) for version, v in variants.items()}

    def check_no_split(self, endpoint: DescribeEndpointOutputTypeDef | None) -> None:
        """An InputError when the described endpoint runs an A/B split (a deploy would end it blindly)."""
        split = read_running_split(self._live_tags(endpoint))
        if split is not None:
            raise InputError(
                f"an A/B test runs on {self.endpoint} ({split.champion} vs {split.challenger}): not deploying",
                hint="end it first: mlgate ab decide (or mlgate ab stop), then deploy",
            )

    def find_version_config(self, config: str) -> str:
        """The version config behind ``config``: the base of an experiment config, else ``config`` itself."""
        return self.api.read_config_tags(config).get(names.TAG_BASE, config)

    def ensure_version(self, version: ModelVersion) -> str:
        """The name of ``version``'s model and single-variant config, both created unless they exist."""
        name = names.build_resource_name(self.endpoint, version.version, version.sha256)
        self._ensure_model(name, version)
        self._ensure_config(name, version)
        return name

    def _ensure_model(self, name: str, version: ModelVersion) -> None:
        if self.api.try_describe(self.api.sm.describe_model, ModelName=name) is not None:
            return
        self.api.make_call(
            self.api.sm.create_model, **build_model_request(self.settings, name, version, self.api.region)
        )

    def _ensure_config(self, name: str, version: ModelVersion) -> None:
        self._create_config(build_config_request(self.settings, name, version))

    def _create_config(self, request: dict[str, Any]) -> None:
        name = request["EndpointConfigName"]
        if self.api.try_describe(self.api.sm.describe_endpoint_config, EndpointConfigName=name) is None:
            self.api.make_call(self.api.sm.create_endpoint_config, **request)

    def _delete_config(self, config: str) -> None:
        self.api.make_call(self.api.sm.delete_endpoint_config, EndpointConfigName=config)
        self.api.config_tags.pop(config, None)

    def _live_tags(self, endpoint: DescribeEndpointOutputTypeDef | None) -> dict[str, str]:
        if endpoint is None or not endpoint.get("EndpointConfigName"):
            return {}
        return self.api.read_config_tags(str(endpoint["EndpointConfigName"]))

    def _find_base(self, endpoint: DescribeEndpointOutputTypeDef | None, what: str) -> tuple[str, str]:
        """The live version's own config and the live version; an InputError without one or during a split."""
        tags = self._live_tags(endpoint)
        if endpoint is None or names.TAG_VERSION not in tags:
            raise InputError(
                f"no version is live on {self.endpoint}: a {what} runs beside the live version",
                hint="deploy a version first: mlgate deploy VERSION",
            )
        if read_running_split(tags) is not None:
            raise InputError(
                f"an A/B test already runs on {self.endpoint}",
                hint="end it first: mlgate ab decide (or mlgate ab stop)",
            )
        return tags.get(names.TAG_BASE, str(endpoint["EndpointConfigName"])), tags[names.TAG_VERSION]

    def _move_to(self, config: str, version: str) -> None:
        """``UpdateEndpoint`` to ``config`` all at once, the variants as the config says; wait until it serves."""
        self.api.make_call(
            self.api.sm.update_endpoint,
            EndpointName=self.endpoint,
            EndpointConfigName=config,
            RetainAllVariantProperties=False,
        )
        self._settle(config, version)

    def _settle(self, config: str, version: str) -> None:
        result = watch_endpoint(
            lambda: self.api.describe_endpoint() or {"EndpointStatus": "missing"},
            config,
            timeout_s=self.settings.wait_timeout_s,
            clock=self.clock,
            sleep=self.sleep,
            poll_s=self.poll_s,
            version=version,
        )
        self.watched.append(result)
        if result.outcome == "timed-out":
            raise TargetTimeout(
                f"{self.endpoint} did not settle on {config}: {result.describe()}",
                hint="check the endpoint in the SageMaker console; nothing further was changed",
            )
        if result.outcome != "succeeded":
            raise LoadFailed(f"{self.endpoint} did not move to {config}: {result.describe()}")
