"""The input event contract (`crm.contacts.changes`), as agreed in shared/event-contract.md.

Lenient on input: unknown contact keys are kept and passed through as attributes. The envelope
is strict about the fields the contract marks required. Must not normalize or validate contact
values: that is the job of `agents.core`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]

CONTACT_FIELDS: tuple[str, ...] = (
    "first_name",
    "middle_name",
    "last_name",
    "full_name",
    "email",
    "emails",
    "phone",
    "phones",
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
"""Canonical contact field names (event-contract.md), in documentation order."""


class EventType(StrEnum):
    """What happened to the source record."""

    UPSERTED = "contact.upserted"
    DELETED = "contact.deleted"


class RecordType(StrEnum):
    """Selects the required-field rules."""

    CONTACT = "contact"
    LEAD = "lead"


class ContactChangeEvent(BaseModel):
    """One contact change published by an upstream system."""

    model_config = ConfigDict(frozen=True, extra="allow", str_strip_whitespace=True)

    event_id: NonEmptyStr = Field(description="Unique per event; redelivery must not change outcomes.")
    event_type: EventType = Field(EventType.UPSERTED, description="`contact.deleted` is an erasure request.")
    source: NonEmptyStr = Field(description="System the record comes from; selects the field mapping.")
    external_id: NonEmptyStr | None = Field(None, description="Record id in its source system; defaults to `event_id`.")
    occurred_at: AwareDatetime = Field(description="RFC 3339 time of the change at the source.")
    record_type: RecordType = Field(RecordType.CONTACT, description="Selects required-field rules.")
    owner: NonEmptyStr | None = Field(None, description="CRM user who owns the record.")
    department: NonEmptyStr | None = Field(None, description="The owner's department.")
    schema_version: int = Field(1, ge=1, description="Contract version.")
    contact: dict[str, Any] = Field(description="The record's fields (canonical names after mapping).")

    @model_validator(mode="after")
    def _default_external_id(self) -> ContactChangeEvent:
        if self.external_id is None:
            object.__setattr__(self, "external_id", self.event_id)
        return self

    @property
    def record_id(self) -> str:
        """Stable id of the source record: `source:external_id`."""
        return f"{self.source}:{self.external_id}"


def event_key(source: str, external_id: str) -> bytes:
    """Kafka message key of the input topic: keeps changes to one source record ordered."""
    return f"{source}:{external_id}".encode()
