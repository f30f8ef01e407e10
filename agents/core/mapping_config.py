"""The configuration model of config/mappings.yaml (pydantic), apart from the code that applies it.

Kept out of `agents.core.mapping` because pydantic models cannot be compiled by mypyc, and that
module is (scripts/build_native.py). It must hold nothing but the models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SplitRule(_Frozen):
    """Split one source field into several canonical fields at the first `separator`."""

    into: tuple[str, ...] = Field(min_length=2)
    separator: str = ","


class SourceMapping(_Frozen):
    """How one source's contact fields map to canonical fields."""

    rename: dict[str, str] = Field(default_factory=dict)
    split: dict[str, SplitRule] = Field(default_factory=dict)
    join: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    collect: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict)


class MappingConfig(_Frozen):
    """The validated content of config/mappings.yaml."""

    sources: dict[str, SourceMapping] = Field(default_factory=dict)
