"""Watch a SageMaker endpoint after a create or update and classify how it ended.

The rule (MLflow's): ``InService`` on the new config → succeeded; ``InService`` on another config →
SageMaker rolled it back (its ``FailureReason`` and the alarms in ``ALARM`` say why); ``Failed`` or
``UpdateRollbackFailed`` → failed and not rolled back; past the deadline → timed out (nothing is done
blindly). The result is a ``mlgate.deploy.watch.Watch``. Once settled, the guard alarms' states are read once, so the report shows every guard alarm
with its state. Clock and sleep are injected so tests never wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mlgate.deploy.watch import AlarmState, Watch, WatchOutcome

BUSY = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})
FAILED = frozenset({"Failed", "UpdateRollbackFailed"})


def classify_endpoint(description: Mapping[str, Any], new_config: str) -> WatchOutcome | None:
    """The class of one ``DescribeEndpoint`` answer, or None while the endpoint is still changing."""
    status = str(description.get("EndpointStatus", ""))
    if status in FAILED:
        return "failed"
    if status == "InService":
        return "succeeded" if description.get("EndpointConfigName") == new_config else "rolled-back"
    return None


def watch_endpoint(
    describe: Callable[[], Mapping[str, Any]],
    new_config: str,
    *,
    timeout_s: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    poll_s: float = 30.0,
    alarm_states: Callable[[], tuple[AlarmState, ...]] = tuple,
    on_status: Callable[[str], None] = lambda _status: None,
    version: str | None = None,
) -> Watch:
    """Poll ``describe`` until the endpoint settles on ``new_config`` or elsewhere, or ``timeout_s`` passes.

    ``alarm_states`` (the guard alarms and their states) is read once, when the watch ends.
    """
    deadline = clock() + timeout_s
    last_status = ""
    while True:
        description = describe()
        status = str(description.get("EndpointStatus", "unknown"))
        if status != last_status:
            on_status(status)
            last_status = status
        outcome = classify_endpoint(description, new_config)
        config = description.get("EndpointConfigName")
        reason = description.get("FailureReason")
        if outcome is None and clock() >= deadline:
            outcome = "timed-out"
        if outcome is not None:
            return Watch(outcome, status, config, reason, alarm_states(), version)
        sleep(poll_s)
