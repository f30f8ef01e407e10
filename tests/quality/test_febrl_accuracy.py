"""Streaming accuracy floors of the matching core on FEBRL and the synthetic CRM sample.

Floors sit just under the measured numbers (`python -m bench.accuracy_core`), so a change that
loses accuracy fails here. Precision must stay perfect: a wrong merge is the costly error.
"""

from __future__ import annotations

import pytest

from agents.core.scoring import MatchThresholds, load_match_model
from bench.accuracy_core import bcubed_scores, load_stream, pairwise_scores, replay

pytestmark = pytest.mark.quality

# set -> (pairwise precision, pairwise F1, B-cubed F1) floors
FLOORS = {
    "febrl1": (0.999, 0.985, 0.99),
    "febrl3": (0.999, 0.98, 0.985),
    "synthetic": (0.99, 0.88, 0.95),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_streaming_accuracy_floor(name: str) -> None:
    result = replay(load_stream(name), load_match_model(), MatchThresholds())
    precision, _, f1 = pairwise_scores(result.predicted, result.truth)
    _, _, b3_f1 = bcubed_scores(result.predicted, result.truth)
    min_precision, min_f1, min_b3 = FLOORS[name]
    assert precision >= min_precision
    assert f1 >= min_f1
    assert b3_f1 >= min_b3
