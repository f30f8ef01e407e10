"""Normalized contact and quality-report models: what a cleaned record looks like.

Strict and frozen: every value here has already been standardized by `agents.core`. Must not
hold normalization logic itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

ModelT = TypeVar("ModelT", bound=BaseModel)


def validated(model_type: type[ModelT], fields: Mapping[str, Any]) -> ModelT:
    """Build a model from its fields: the same as `model_type(**fields)`, a bit cheaper.

    Runs the model's own validator on `fields`, with every check `__init__` runs (types,
    constraints, unknown fields rejected, nested models from dicts validated, model instances
    kept as they are), without `BaseModel.__init__`'s Python-level keyword packing. For models
    without a `model_validator` of their own (the output models), the result is identical. The hot
    path builds several models per event, so it builds them this way.

    Raises:
        pydantic.ValidationError: As `model_type(**fields)` would.
    """
    model: ModelT = model_type.__pydantic_validator__.validate_python(fields)
    return model


RULES_VERSION = "2026.11.2"
"""Version of normalizers + rules; changes whenever their output for some input changes."""


class Strict(BaseModel):
    """Base of every output model: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Phone(Strict):
    """One phone number, standardized with libphonenumber."""

    e164: str = Field(description="E.164 form, e.g. +8613800138000.")
    region: str | None = Field(None, description="ISO 3166-1 alpha-2 region of the number.")
    kind: str = Field("unknown", description="mobile, fixed_line, fixed_line_or_mobile, voip, ...")
    valid: bool = Field(description="True when libphonenumber considers the number valid.")


class NormalizedContact(Strict):
    """A contact after mapping and normalization (the value published on the cleaned topic)."""

    full_name: str | None = Field(None, description="Display name, NFKC, whitespace collapsed.")
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    name_script: str | None = Field(None, description="Dominant script: latin, han, arabic, kana, ...")
    name_key: str | None = Field(None, description="Transliterated lowercase ASCII match key, given name first.")
    emails: tuple[str, ...] = Field((), description="Normalized emails, primary first.")
    phones: tuple[Phone, ...] = Field((), description="Normalized phones, primary first.")
    company: str | None = Field(None, description="Display value, as given (cleaned).")
    company_key: str | None = Field(None, description="Company match key: legal forms removed.")
    job_title: str | None = None
    seniority: str | None = Field(
        None,
        description="Job-title seniority from the configured picklist (c_level, vp, director, ...).",
    )
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    postcode: str | None = None
    state: str | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2.")
    birth_date: date | None = None
    gender: str | None = None
    national_id: str | None = None
    linkedin_url: str | None = None
    industry: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, description="Non-canonical keys passed through unchanged.")

    @property
    def email(self) -> str | None:
        """Primary email."""
        return self.emails[0] if self.emails else None

    @property
    def phone(self) -> str | None:
        """Primary phone in E.164."""
        return self.phones[0].e164 if self.phones else None


class Severity(StrEnum):
    """What a rule does when it fires."""

    REJECT = "reject"
    FIX = "fix"
    WARN = "warn"


class Issue(Strict):
    """One rule finding. `code` is machine-readable and stable; `message` is for people."""

    code: str = Field(description="Stable machine-readable code, e.g. `required_missing`.")
    field: str = Field(description="Canonical field name, or `_envelope` / `_payload`.")
    severity: Severity
    message: str


class Fix(Strict):
    """A value the service changed, with before and after."""

    code: str
    field: str
    before: Any
    after: Any


class QualityReport(Strict):
    """Per-record data-quality report carried on every cleaned record."""

    fixes: tuple[Fix, ...] = ()
    warnings: tuple[Issue, ...] = ()
    completeness: dict[str, bool] = Field(
        default_factory=dict, description="Canonical field -> present after normalization."
    )
    score: float = Field(ge=0, le=1, description="0-1 quality score.")
    rules_version: str = RULES_VERSION
