"""Pins the cheap constructions of the cleaning path to their reference forms.

- Result types built with `tuple.__new__` (`agents.core.normalize.text.new_tuple`) must equal
  the same result built field by field with keywords: a swapped or missing field fails here.
- The cached quality score must equal the documented formula for every presence pattern and
  small finding counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path

import pytest

from agents.core import quality
from agents.core.cleaning import Cleaned, clean_event, load_cleaning_config
from agents.core.normalize.addresses import PostcodeResult, normalize_postcode
from agents.core.normalize.companies import CompanyResult, company_key, normalize_company
from agents.core.normalize.countries import CountryResult, build_country_index, normalize_country
from agents.core.normalize.dates import DateResult, parse_date
from agents.core.normalize.emails import EmailResult, normalize_email
from agents.core.normalize.phones import PhoneResult, normalize_phone

ROOT = Path(__file__).resolve().parents[2]


def test_fast_built_results_equal_keyword_built_ones() -> None:
    # Each normalizer's common path builds its result with `new_tuple`; each field is compared
    # by name against the keyword-built result, so a swapped or dropped field fails.
    pairs = [
        (normalize_email("Jan@Example.org"), EmailResult(value="jan@example.org", notes=())),
        (normalize_company("Acme GmbH"), CompanyResult(display="Acme GmbH", key=company_key("Acme GmbH"))),
        (normalize_country("Deutschland", build_country_index({"Deutschland": "DE"})), CountryResult(value="DE")),
        (normalize_postcode("10115", "DE"), PostcodeResult(value="10115")),
        (parse_date("1985-03-12", today=date(2026, 1, 1)), DateResult(value=date(1985, 3, 12))),
    ]
    for built, reference in pairs:
        assert type(built) is type(reference)
        assert built._asdict() == reference._asdict()
    phone = normalize_phone("030 1234567", "DE")
    assert type(phone) is PhoneResult and phone.phone is not None
    assert phone._asdict() == PhoneResult(phone=phone.phone, national_number="301234567", notes=())._asdict()
    assert phone.phone.e164 == "+49301234567"


def test_cleaned_is_built_field_by_field() -> None:
    config = load_cleaning_config(ROOT / "config" / "rules.yaml", ROOT / "config" / "mappings.yaml")
    payload = (
        b'{"event_id": "e1", "source": "webform", "occurred_at": "2026-11-22T09:14:03Z",'
        b' "contact": {"full_name": "Jan Berg", "email": "jan@example.org"}}'
    )
    result = clean_event(payload, config=config, now=datetime(2026, 11, 22, 12, tzinfo=UTC))
    assert type(result) is Cleaned
    assert result.event.event_id == "e1"
    assert result.contact.emails == ("jan@example.org",)
    assert result.quality.completeness["email"] is True
    assert result == Cleaned(event=result.event, contact=result.contact, quality=result.quality)


def _documented_score(flags: tuple[bool, ...], warnings: int, fixes: int) -> float:
    present = dict(zip(quality._SCORE_FIELDS, flags, strict=True))
    earned = sum(weight for group, weight in quality.SCORE_WEIGHTS.items() if any(present[name] for name in group))
    total = sum(quality.SCORE_WEIGHTS.values())
    return round(earned / total * quality.WARNING_FACTOR**warnings * quality.FIX_FACTOR**fixes, 4)


@pytest.mark.parametrize(("warnings", "fixes"), [(0, 0), (1, 0), (0, 1), (2, 3), (5, 5)])
def test_score_equals_the_documented_formula_for_every_pattern(warnings: int, fixes: int) -> None:
    for flags in product((False, True), repeat=len(quality._SCORE_FIELDS)):
        assert quality._score.__wrapped__(flags, warnings, fixes) == _documented_score(flags, warnings, fixes)
