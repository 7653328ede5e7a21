from __future__ import annotations

import pytest

from mlgate.data.schema import FIELD_TYPES
from mlgate.data.schema_rules import BOUNDS, MEMBERS, ORDINALS, TOGGLES, TYPE_VERBS, WHY, WIDER, explain


@pytest.mark.parametrize(
    ("contract", "model", "reason"),
    [
        ("breaking", "none", "data valid under the old schema can fail the new one"),
        (
            "breaking",
            "retrain",
            "data valid under the old schema can fail the new one; the fitted model has not seen this: retrain",
        ),
        (
            "breaking",
            "risk",
            "data valid under the old schema can fail the new one; admits values outside the training data",
        ),
        ("compatible", "risk", "admits values outside the training data"),
        ("compatible", "retrain", "the fitted model has not seen this: retrain"),
        ("compatible", "none", ""),
        ("none", "none", ""),
    ],
)
def test_explain_states_the_contract_then_the_model_effect(contract: str, model: str, reason: str) -> None:
    assert explain(contract, model) == reason  # type: ignore[arg-type]


def test_every_type_widens_to_string_and_any_but_numbers_do_not_narrow() -> None:
    assert ("integer", "number") in WIDER
    assert ("year", "integer") in WIDER
    assert ("number", "integer") not in WIDER
    assert ("string", "integer") not in WIDER
    assert ("any", "string") not in WIDER  # "any" is the one type excluded from widening to string
    assert all((kind, "any") in WIDER for kind in FIELD_TYPES if kind != "any")
    assert all((kind, "string") in WIDER for kind in FIELD_TYPES if kind != "any")
    assert TYPE_VERBS == {(True, False): "widened", (False, True): "narrowed"}


def test_loosening_a_value_bound_risks_the_model_but_a_row_count_bound_does_not() -> None:
    assert BOUNDS["minimum"] == ("minimum", True, "risk")
    assert BOUNDS["exclusiveMaximum"] == ("exclusive-maximum", False, "risk")
    assert BOUNDS["rowCount.min"][2] == BOUNDS["rowCount.max"][2] == "none"
    lower = {key for key, (_, is_lower, _) in BOUNDS.items() if is_lower}
    assert lower == {"minimum", "exclusiveMinimum", "minLength", "rowCount.min"}


def test_members_added_loosen_but_unique_keys_added_tighten() -> None:
    assert MEMBERS["enum"][1] == ("compatible", "retrain")  # a new category the encoder never saw
    assert MEMBERS["enum"][2] == ("breaking", "none")
    assert MEMBERS["uniqueKeys"][1:] == (("breaking", "none"), ("compatible", "none"))


def test_toggles_break_the_contract_when_added_and_a_primary_key_always_does() -> None:
    assert all(added == ("breaking", "none") for _, added, _, _ in TOGGLES.values())
    assert TOGGLES["primaryKey"][1:] == (("breaking", "none"),) * 3
    assert TOGGLES["required"][2] == ("compatible", "risk")


def test_ordinals_rank_stricter_values_higher() -> None:
    _, severity, verbs = ORDINALS["severity"]
    assert severity["error"] > severity["warning"]
    assert verbs == ("raised", "lowered")
    _, match, _ = ORDINALS["fieldsMatch"]
    assert match["partial"] < match["subset"] == match["superset"] < match["equal"] < match["exact"]


def test_each_reason_is_one_line_and_kinds_use_the_table_stems() -> None:
    assert all(reason and "\n" not in reason for reason in WHY.values())
    stems = {stem for stem, *_ in MEMBERS.values()} | {"field", "fields", "type", "severity", "title", "description"}
    assert all(kind.rsplit("-", 1)[0] in stems for kind in WHY)
