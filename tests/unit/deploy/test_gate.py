from __future__ import annotations

import pytest

from mlgate.deploy.gate import (
    Refusal,
    check_approved,
    choose_for_deploy,
    choose_for_rollback,
    describe_approval,
    describe_change,
    is_approved,
)
from mlgate.errors import InputError
from mlgate.registry.model import HistoryEvent, StatusChange
from unit.deploy.fakes import FakeRegistry, make_version


def deployed(live: str, previous: str | None) -> HistoryEvent:
    return HistoryEvent(
        "2026-11-21T00:00:00+00:00", "deployed", live, "ci", detail={"live": live, "previous": previous}
    )


def test_a_deploy_takes_the_newest_approved_version() -> None:
    registry = FakeRegistry(make_version(1), make_version(2), make_version(3, status="pending"))
    assert choose_for_deploy(registry, None) == make_version(2)


def test_a_deploy_without_any_approved_version_is_refused_with_the_command_to_run() -> None:
    registry = FakeRegistry(make_version(1, status="pending"), make_version(2, status="rejected"))
    assert choose_for_deploy(registry, None) == Refusal(
        "no approved version in the registry", hint="approve one first: mlgate registry approve VERSION --reason WHY"
    )


def test_a_named_version_must_exist_and_be_approved() -> None:
    registry = FakeRegistry(make_version(1), make_version(2, status="pending"))
    assert choose_for_deploy(registry, "1") == make_version(1)
    assert choose_for_deploy(registry, "2") == Refusal(
        'version 2 is pending, not approved (by bob, 2026-11-19: "registered")',
        hint="approve it first: mlgate registry approve 2 --reason WHY",
    )
    with pytest.raises(InputError, match="no version 9 in the registry"):
        choose_for_deploy(registry, "9")


def test_a_rejected_version_says_who_rejected_it_and_why() -> None:
    refusal = check_approved(make_version(4, status="rejected"))
    assert refusal == Refusal(
        'version 4 is rejected, not approved (by alice, 2026-11-20: "rejected for the test")',
        hint="a rejected version is not deployed; register and approve a fixed one",
    )


def test_a_rollback_goes_to_the_latest_other_version_that_is_still_approved() -> None:
    registry = FakeRegistry(make_version(1), make_version(2, status="rejected"), make_version(3))
    registry.events += [deployed("1", None), deployed("2", "1"), deployed("3", "2")]
    assert choose_for_rollback(registry, "3", None) == make_version(1)  # 2 was rejected since
    assert choose_for_rollback(registry, "3", "1") == make_version(1)
    refused = choose_for_rollback(registry, "3", "2")
    assert isinstance(refused, Refusal)
    assert refused.message.startswith("version 2 is rejected, not approved")


def test_a_rollback_with_nothing_before_is_refused() -> None:
    registry = FakeRegistry(make_version(1))
    registry.events.append(deployed("1", None))
    assert choose_for_rollback(registry, "1", None) == Refusal(
        "nothing to roll back to: no approved version other than 1 was live before", hint="name one with --to VERSION"
    )
    assert choose_for_rollback(FakeRegistry(), None, None) == Refusal(
        "nothing to roll back to: no approved version other than none was live before",
        hint="name one with --to VERSION",
    )


def test_is_approved_is_false_for_unknown_versions() -> None:
    registry = FakeRegistry(make_version(1), make_version(2, status="pending"))
    assert (is_approved(registry, "1"), is_approved(registry, "2"), is_approved(registry, "7")) == (True, False, False)


def test_changes_and_approvals_read_as_one_line() -> None:
    assert describe_change(StatusChange("approved", "alice", "beats v6 on recall", "2026-11-20T09:30:00+00:00")) == (
        'by alice, 2026-11-20: "beats v6 on recall"'
    )
    assert describe_change(StatusChange("approved", "alice", "", "2026-11-20T09:30:00+00:00")) == "by alice, 2026-11-20"
    assert describe_approval(make_version(5)) == 'version 5 is approved (by alice, 2026-11-20: "approved for the test")'
