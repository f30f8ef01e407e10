"""Pins the one-loop rename of `agents.core.mapping._renamed` to the general mapping path.

The loop takes every renamed value under its target only when no two keys share a target and no
target is also a kept key; any collision goes to the value-dependent path. These tables make
collisions common, so a missed collision check fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.core.mapping import SourceMapping, _renamed, _restructured

_SHARED_TARGETS = {"a": "phone", "b": "phone", "c": "email"}
_TARGET_IS_KEPT = {"a": "full_name", "b": "c"}
_CHAINED = {"a": "b", "b": "c"}
_VALUES = st.one_of(st.none(), st.just(""), st.just("  "), st.text(max_size=2), st.integers(0, 2))


@pytest.mark.parametrize(
    ("contact", "rename", "expected"),
    [
        ({"a": "1", "b": "2"}, _SHARED_TARGETS, {"phone": "1", "b": "2"}),  # the first present value wins
        ({"a": None, "b": "2"}, _SHARED_TARGETS, {"phone": "2"}),
        ({"full_name": "Ann", "a": "Bo"}, _TARGET_IS_KEPT, {"full_name": "Ann", "a": "Bo"}),  # never overwrite
        ({"full_name": " ", "a": "Bo"}, _TARGET_IS_KEPT, {"full_name": "Bo"}),
        ({"a": 1, "b": 2}, _CHAINED, {"b": 1, "c": 2}),
        ({"x": 1, "c": 3, "a": 2}, _SHARED_TARGETS, {"x": 1, "email": 3, "phone": 2}),  # kept keys first
    ],
)
def test_collisions(contact: dict[str, Any], rename: dict[str, str], expected: dict[str, Any]) -> None:
    result = _renamed(contact, rename)
    assert list(result.items()) == list(expected.items())
    assert list(result.items()) == list(_restructured(contact, SourceMapping(rename=rename)).items())


@settings(max_examples=400)
@given(
    st.sampled_from([_SHARED_TARGETS, _TARGET_IS_KEPT, _CHAINED]),
    st.dictionaries(st.sampled_from(["a", "b", "c", "full_name", "phone", "email", "x"]), _VALUES, max_size=7),
)
def test_renamed_equals_the_general_path(rename: dict[str, str], contact: dict[str, Any]) -> None:
    result = _renamed(contact, rename)
    assert list(result.items()) == list(_restructured(contact, SourceMapping(rename=rename)).items())
    assert result is not contact
