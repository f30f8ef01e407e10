from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from agents.core.quality import COMPLETENESS_FIELDS, SCORE_WEIGHTS, completeness, quality_report, quality_score
from schemas.records import Fix, Issue, NormalizedContact, Phone, QualityReport, Severity

_VALUES = {
    "full_name": "Jan van der Berg",
    "given_name": "Jan",
    "middle_name": "Pieter",
    "family_name": "van der Berg",
    "emails": ("jan@example.nl",),
    "phones": (Phone(e164="+31201234567", region="NL", kind="fixed_line", valid=True),),
    "company": "Acme B.V.",
    "job_title": "cto",
    "street": "Damrak 1",
    "street2": "2e etage",
    "city": "Amsterdam",
    "postcode": "1012 LG",
    "state": "NL-NH",
    "country": "NL",
    "birth_date": date(1980, 5, 17),
    "gender": "male",
    "national_id": "123",
    "linkedin_url": "linkedin.com/in/jan",
    "industry": "technology",
}


@given(st.sets(st.sampled_from(sorted(_VALUES))))
def test_completeness_is_the_presence_of_each_canonical_field_in_order(fields):
    contact = NormalizedContact(**{name: _VALUES[name] for name in fields})
    attribute = {"email": "emails", "phone": "phones"}
    expected = {field: getattr(contact, attribute.get(field, field)) not in (None, ()) for field in COMPLETENESS_FIELDS}
    present = completeness(contact)
    assert present == expected
    assert list(present) == list(COMPLETENESS_FIELDS)
    assert quality_report(contact, (), ()).completeness == expected


def test_equal_findings_give_equal_reports_and_unhashable_findings_still_report():
    contact = NormalizedContact(**_VALUES)
    fix = Fix(code="name_characters_removed", field="full_name", before="Jan!", after="Jan")
    assert quality_report(contact, (fix,), ()) == quality_report(contact, (fix,), ())
    assert quality_report(contact, (), ()).score == 1.0
    odd = Fix(code="field_type", field="tags", before=["a", "b"], after=None)  # a list is unhashable
    report = quality_report(contact, (odd,), ())
    assert report.fixes == (odd,) and report.score == 0.97


@given(st.sets(st.sampled_from(COMPLETENESS_FIELDS)), st.integers(0, 5), st.integers(0, 5))
def test_quality_score_is_the_documented_formula(fields, warnings, fixes):
    present = {field: field in fields for field in COMPLETENESS_FIELDS}
    earned = sum(weight for group, weight in SCORE_WEIGHTS.items() if any(present[field] for field in group))
    expected = round(earned / sum(SCORE_WEIGHTS.values()) * 0.9**warnings * 0.97**fixes, 4)
    assert quality_score(present, warnings, fixes) == expected


@given(st.integers(0, 2), st.integers(0, 2))
def test_quality_report_equals_the_model_built_with_every_field(fix_count, warning_count):
    # `quality_report` leaves empty findings to the model's default: the report must be the one
    # the model builds from all of its fields.
    contact = NormalizedContact(**_VALUES)
    fixes = tuple(
        Fix(code="name_characters_removed", field="full_name", before=i, after="Jan") for i in range(fix_count)
    )
    warnings = tuple(
        Issue(code="picklist_unknown", field="industry", severity=Severity.WARN, message=str(i))
        for i in range(warning_count)
    )
    report = quality_report(contact, fixes, warnings)
    present = completeness(contact)
    reference = QualityReport(
        fixes=fixes,
        warnings=warnings,
        completeness=present,
        score=quality_score(present, warning_count, fix_count),
    )
    assert report == reference
    assert report.model_dump_json() == reference.model_dump_json()
