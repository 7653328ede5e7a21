"""Which targets run experiments: the protocol check that names the target otherwise."""

from __future__ import annotations

import httpx
import pytest

from mlgate.deploy.experiment import Experiments, find_experiments
from mlgate.deploy.local import LocalTarget
from mlgate.errors import InputError
from unit.deploy.fakes import FakeClock, FakeSplitTarget, FakeTarget


def test_targets_with_experiments_are_returned_as_they_are(tmp_path: object) -> None:
    local = LocalTarget(tmp_path, http=httpx.Client())  # type: ignore[arg-type]
    assert find_experiments(local) is local
    fake = FakeSplitTarget(clock=FakeClock())
    assert isinstance(find_experiments(fake), Experiments)


def test_a_target_without_them_is_named_with_the_ones_that_have_them() -> None:
    with pytest.raises(InputError, match="the fake target runs no shadow or A/B test") as caught:
        find_experiments(FakeTarget(clock=FakeClock()))
    assert "use the local or the sagemaker target" in (caught.value.hint or "")
