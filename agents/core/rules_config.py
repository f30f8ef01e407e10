"""The configuration model of config/rules.yaml (pydantic), apart from the rules that use it.

Kept out of `agents.core.rules` because pydantic models cannot be compiled by mypyc, and that
module is (scripts/build_native.py). It must hold nothing but the models.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.records import Severity


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequiredGroup(_Frozen):
    """A required-field group: met when any of `any_of` (normalized fields) has a value."""

    name: str
    any_of: tuple[str, ...]
    message: str = "required field is missing"


class MobileLengthRule(_Frozen):
    """National mobile numbers starting with `prefix` (regex) must have exactly `digits` digits."""

    prefix: str
    digits: int = Field(ge=1, le=17)


class PhoneRules(_Frozen):
    """Country-conditional phone rules."""

    require_country_match: bool = True
    mobile_length: dict[str, MobileLengthRule] = Field(default_factory=dict)


class EmailRules(_Frozen):
    """Typo-domain tables."""

    typo_domains: dict[str, str] = Field(default_factory=dict)
    tld_typos: dict[str, str] = Field(default_factory=dict)
    providers: tuple[str, ...] = ()
    min_fuzzy_length: int = 8


class CountryRules(_Frozen):
    """Country aliases (any language -> alpha-2) and the fuzzy threshold."""

    aliases: dict[str, str] = Field(default_factory=dict)
    fuzzy_min_score: float = Field(default=88.0, ge=0, le=100)


class DateRules(_Frozen):
    """Date-reading conventions."""

    month_first_countries: frozenset[str] = frozenset({"US"})


class Picklist(_Frozen):
    """Canonical terms with synonyms; near-misses at or above `fuzzy_min_score` are corrected.

    `fuzzy_min_score: null` turns fuzzy correction off (short values such as gender codes collide).
    """

    terms: dict[str, tuple[str, ...]]
    fuzzy_min_score: float | None = Field(default=88.0, ge=0, le=100)


class SeniorityRules(_Frozen):
    """Job-title keyword lists per seniority level, in priority order."""

    levels: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class StateRules(_Frozen):
    """State/province aliases per country (values are ISO 3166-2 codes)."""

    aliases: dict[str, dict[str, str]] = Field(default_factory=dict)
    fuzzy_min_score: float = Field(default=90.0, ge=0, le=100)


class RulesConfig(_Frozen):
    """The validated content of config/rules.yaml."""

    max_payload_bytes: int = Field(65536, ge=64)
    severities: dict[str, Severity]
    required: dict[str, tuple[RequiredGroup, ...]]
    phones: PhoneRules = Field(default_factory=PhoneRules)
    email: EmailRules = Field(default_factory=EmailRules)
    countries: CountryRules = Field(default_factory=CountryRules)
    dates: DateRules = Field(default_factory=DateRules)
    picklists: dict[str, Picklist] = Field(default_factory=dict)
    seniority: SeniorityRules = Field(default_factory=SeniorityRules)
    states: StateRules = Field(default_factory=StateRules)
