"""Per-record data quality: completeness per canonical field and a 0-1 quality score.

Score definition (documented for dashboards; changing it changes RULES_VERSION):

    completeness = sum(weight of each present field) / sum(all weights)
    score        = completeness * 0.9 ** warnings * 0.97 ** fixes      (rounded to 4 places)

Weights favour what makes a contact usable and matchable: name 0.25, email 0.2, phone 0.2,
country 0.1, address (street, city or postcode) 0.1, company 0.05, job title 0.05, birth date
0.05. A complete record with no findings scores 1.0; each warning costs 10 %, each fix 3 % (a
fixed value was still wrong at the source). Pure: no I/O.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from typing import Any

from schemas.records import Fix, Issue, NormalizedContact, QualityReport, validated

COMPLETENESS_FIELDS: tuple[str, ...] = (
    "full_name",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "phone",
    "company",
    "job_title",
    "street",
    "street2",
    "city",
    "postcode",
    "state",
    "country",
    "birth_date",
    "gender",
    "national_id",
    "linkedin_url",
    "industry",
)
"""Canonical (normalized) fields reported in `QualityReport.completeness`."""

SCORE_WEIGHTS: dict[tuple[str, ...], float] = {
    ("full_name",): 0.25,
    ("email",): 0.2,
    ("phone",): 0.2,
    ("country",): 0.1,
    ("street", "city", "postcode"): 0.1,
    ("company",): 0.05,
    ("job_title",): 0.05,
    ("birth_date",): 0.05,
}
"""Field groups and their weight in the completeness part of the score (any field counts)."""

_SCORE_GROUPS = tuple(SCORE_WEIGHTS.items())
_SCORE_FIELDS = tuple(name for fields in SCORE_WEIGHTS for name in fields)
"""Every field of `SCORE_WEIGHTS`, group after group: the key of `_score`."""
_score_flags = itemgetter(*_SCORE_FIELDS)
_TOTAL_WEIGHT = sum(SCORE_WEIGHTS.values())
WARNING_FACTOR = 0.9
FIX_FACTOR = 0.97


def completeness(contact: NormalizedContact) -> dict[str, bool]:
    """Which canonical fields are present after normalization (keys in `COMPLETENESS_FIELDS` order).

    Present means "not None" for the scalar fields and "not empty" for the email and phone
    tuples (the model's types allow nothing else). Spelled out as one dict display: it runs once
    per record, and a comprehension over the field list costs twice as much.
    """
    values = contact.__dict__
    return {
        "full_name": values["full_name"] is not None,
        "given_name": values["given_name"] is not None,
        "middle_name": values["middle_name"] is not None,
        "family_name": values["family_name"] is not None,
        "email": values["emails"] != (),
        "phone": values["phones"] != (),
        "company": values["company"] is not None,
        "job_title": values["job_title"] is not None,
        "street": values["street"] is not None,
        "street2": values["street2"] is not None,
        "city": values["city"] is not None,
        "postcode": values["postcode"] is not None,
        "state": values["state"] is not None,
        "country": values["country"] is not None,
        "birth_date": values["birth_date"] is not None,
        "gender": values["gender"] is not None,
        "national_id": values["national_id"] is not None,
        "linkedin_url": values["linkedin_url"] is not None,
        "industry": values["industry"] is not None,
    }


def quality_score(present: dict[str, bool], warnings: int, fixes: int) -> float:
    """The documented 0-1 quality score (see module docstring).

    Args:
        present: Output of `completeness`.
        warnings: Number of warnings on the record.
        fixes: Number of fixes applied to the record.

    Returns:
        The score in [0, 1].
    """
    return _score(tuple(bool(present.get(name)) for name in _SCORE_FIELDS), warnings, fixes)


@lru_cache(maxsize=4096)
def _score(flags: tuple[bool, ...], warnings: int, fixes: int) -> float:
    """`quality_score` of the presence flags of `_SCORE_FIELDS`.

    Cached: records share few distinct (flags, warnings, fixes), and the loop plus `round` cost
    more than the lookup.
    """
    earned = 0.0
    start = 0
    for fields, weight in _SCORE_GROUPS:
        if any(flags[start : start + len(fields)]):
            earned += weight
        start += len(fields)
    return round(earned / _TOTAL_WEIGHT * WARNING_FACTOR**warnings * FIX_FACTOR**fixes, 4)


def quality_report(contact: NormalizedContact, fixes: tuple[Fix, ...], warnings: tuple[Issue, ...]) -> QualityReport:
    """Build the quality report of one cleaned record.

    Args:
        contact: The normalized contact.
        fixes: Corrections applied.
        warnings: Warnings raised.

    Returns:
        The report with completeness and score.
    """
    present = completeness(contact)
    fields: dict[str, Any] = {
        "completeness": present,
        # `quality_score(present, ...)`; `present` has every key, so its flags are read in C.
        "score": _score(_score_flags(present), len(warnings), len(fixes)),
    }
    # Empty findings (most records) are left to the fields' default, `()`: the same value,
    # without a field lookup and validation each in the model's validator.
    if fixes:
        fields["fixes"] = fixes
    if warnings:
        fields["warnings"] = warnings
    return validated(QualityReport, fields)
