"""The only JSON (de)serialization of models on Kafka topics.

Topics carry raw bytes (Faust has no pydantic integration); these helpers convert with
pydantic's own JSON core. Must not do any I/O.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound=BaseModel)


def to_bytes(model: BaseModel) -> bytes:
    """Serialize a model to compact UTF-8 JSON (the bytes of `model.model_dump_json()`).

    Calls the model's serializer directly: `model_dump_json` builds the same bytes and then
    decodes them to a str, which the producer would only encode again.
    """
    return model.__pydantic_serializer__.to_json(model)


def from_bytes(model_type: type[ModelT], payload: bytes | str) -> ModelT:
    """Parse and validate JSON bytes into `model_type` (raises pydantic.ValidationError)."""
    return model_type.model_validate_json(payload)
