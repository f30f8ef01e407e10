"""`schemas.records.validated`: the hot path's way of building models, the same as the constructor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas.outputs import GoldenRecord
from schemas.records import Issue, NormalizedContact, Phone, QualityReport, Severity, validated


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Phone, {"e164": "+8613800138000", "region": "CN", "kind": "mobile", "valid": True}),
        (NormalizedContact, {"full_name": "王小明", "emails": ("a@x.org",), "birth_date": "1990-01-02"}),
        (QualityReport, {"completeness": {"email": True}, "score": 0.5}),
        (GoldenRecord, {"entity_id": "E1", "merged_into": "E2", "updated_at": datetime(2026, 1, 1, tzinfo=UTC)}),
    ],
)
def test_validated_equals_the_constructor(model: type, fields: dict[str, object]) -> None:
    built = validated(model, fields)
    assert type(built) is model
    assert built == model(**fields)
    assert built.model_fields_set == model(**fields).model_fields_set


@pytest.mark.parametrize(
    "fields",
    [
        {"code": "x", "field": "email", "severity": "loud", "message": "m"},  # not a severity
        {"code": "x", "field": "email", "severity": Severity.WARN, "message": "m", "extra": 1},  # unknown field
        {"code": "x", "severity": Severity.WARN, "message": "m"},  # missing field
    ],
)
def test_validated_rejects_what_the_constructor_rejects(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Issue(**fields)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        validated(Issue, fields)
