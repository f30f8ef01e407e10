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

from schemas.records import Fix, Issue, NormalizedContact, QualityReport

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

_ATTRIBUTES = tuple((field, {"email": "emails", "phone": "phones"}.get(field, field)) for field in COMPLETENESS_FIELDS)
_SCORE_GROUPS = tuple(SCORE_WEIGHTS.items())
_EMPTY = (None, ())
_TOTAL_WEIGHT = sum(SCORE_WEIGHTS.values())
WARNING_FACTOR = 0.9
FIX_FACTOR = 0.97


def completeness(contact: NormalizedContact) -> dict[str, bool]:
    """Which canonical fields are present after normalization."""
    values = contact.__dict__
    return {field: values[attribute] not in _EMPTY for field, attribute in _ATTRIBUTES}


def quality_score(present: dict[str, bool], warnings: int, fixes: int) -> float:
    """The documented 0-1 quality score (see module docstring).

    Args:
        present: Output of `completeness`.
        warnings: Number of warnings on the record.
        fixes: Number of fixes applied to the record.

    Returns:
        The score in [0, 1].
    """
    earned = 0.0
    for fields, weight in _SCORE_GROUPS:
        for name in fields:
            if present.get(name):
                earned += weight
                break
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
    return QualityReport.model_validate(
        {
            "fixes": fixes,
            "warnings": warnings,
            "completeness": present,
            "score": quality_score(present, len(warnings), len(fixes)),
        }
    )
