"""Estimation of the Fellegi-Sunter parameters used by `agents.core.scoring` (Splink's recipe).

1. u from random pairs: the level frequencies among pairs drawn at random, which are almost
   all non-matches (`estimate_u`).
2. m by expectation-maximisation on the unlabelled candidate pairs produced by blocking, with
   u held fixed (`estimate_m_em`). Blocking concentrates matches, so the EM also returns the
   match share among those pairs.
3. Weights are made monotonic along each comparison's levels (`monotonic_m`).
4. Where labels exist (FEBRL ids, the synthetic CRM set), m can also be counted directly on the
   true pairs (`estimate_m_labelled`) to check the EM result.

Every count is smoothed (add `alpha` per level) so no level gets m or u of zero, and a level is
counted only when the field is present on both records (missing contributes weight 0).

Pure: takes comparison levels, returns numbers and models; no I/O, no randomness (the caller
draws the random pairs). It must not choose the data (see `bench/estimate_match_model.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from agents.core.scoring import COMPARISON_LEVELS, MISSING, LevelParams, MatchModel

LevelVector = Mapping[str, str]
"""Comparison name -> level for one pair, as returned by `scoring.compare_features`."""

Probabilities = dict[str, dict[str, float]]
"""Comparison name -> level -> probability."""


def _encode(vectors: Iterable[LevelVector]) -> np.ndarray:
    """Return an (n_pairs, n_comparisons) int array of level indexes, -1 for missing."""
    names = list(COMPARISON_LEVELS)
    index = {c: {lv: i for i, lv in enumerate(COMPARISON_LEVELS[c])} for c in names}
    rows = [[-1 if v[c] == MISSING else index[c][v[c]] for c in names] for v in vectors]
    return np.asarray(rows, dtype=np.int64).reshape(-1, len(names))


def _weighted_frequencies(codes: np.ndarray, weights: np.ndarray, alpha: float) -> Probabilities:
    """Return smoothed level frequencies per comparison, each pair counted with its weight."""
    result: Probabilities = {}
    for column, (comparison, levels) in enumerate(COMPARISON_LEVELS.items()):
        present = codes[:, column] >= 0
        counts = np.bincount(codes[present, column], weights=weights[present], minlength=len(levels))
        total = counts.sum() + alpha * len(levels)
        result[comparison] = {lv: float((counts[i] + alpha) / total) for i, lv in enumerate(levels)}
    return result


def estimate_u(random_pairs: Iterable[LevelVector], *, alpha: float = 1.0) -> Probabilities:
    """Estimate u from pairs drawn at random (assumed non-matches).

    Args:
        random_pairs: Level vectors of randomly drawn pairs.
        alpha: Add-alpha smoothing per level.

    Returns:
        comparison -> level -> u.
    """
    codes = _encode(random_pairs)
    return _weighted_frequencies(codes, np.ones(len(codes)), alpha)


def estimate_m_labelled(true_pairs: Iterable[LevelVector], *, alpha: float = 1.0) -> Probabilities:
    """Count m on pairs known to be the same person.

    Args:
        true_pairs: Level vectors of labelled matching pairs.
        alpha: Add-alpha smoothing per level.

    Returns:
        comparison -> level -> m.
    """
    return estimate_u(true_pairs, alpha=alpha)  # the same count, over other pairs


def estimate_m_em(
    blocked_pairs: Sequence[LevelVector],
    u: Probabilities,
    initial_m: Probabilities,
    *,
    initial_match_share: float = 0.3,
    ignore: frozenset[str] = frozenset(),
    iterations: int = 50,
    tolerance: float = 1e-6,
    alpha: float = 1.0,
) -> tuple[Probabilities, float]:
    """Estimate m (and the match share among blocked pairs) by EM with u fixed.

    As in Splink, the comparisons the pairs were blocked on are biased towards agreement, so
    they are left out of the likelihood (`ignore`) and their m is not estimated by this
    session (it is returned unchanged from `initial_m`).

    Args:
        blocked_pairs: Level vectors of the unlabelled candidate pairs found by blocking.
        u: Fixed u (from `estimate_u`).
        initial_m: Starting m.
        initial_match_share: Starting share of matches among the blocked pairs.
        ignore: Comparisons used by the blocking of this session.
        iterations: Maximum EM iterations.
        tolerance: Stop when no m moves more than this.
        alpha: Add-alpha smoothing per level in the M step.

    Returns:
        (m, share of matches among the blocked pairs).
    """
    codes = _encode(blocked_pairs)
    names = [c for c in COMPARISON_LEVELS if c not in ignore]
    columns = [list(COMPARISON_LEVELS).index(c) for c in names]
    log_u = [np.log([u[c][lv] for lv in COMPARISON_LEVELS[c]]) for c in names]
    m = {c: dict(initial_m[c]) for c in COMPARISON_LEVELS}
    share = initial_match_share
    for _ in range(iterations):
        log_ratio = np.full(len(codes), np.log(share / (1 - share)))
        for position, (column, comparison) in enumerate(zip(columns, names, strict=True)):
            log_m = np.log([m[comparison][lv] for lv in COMPARISON_LEVELS[comparison]])
            present = codes[:, column] >= 0
            level = codes[present, column]
            log_ratio[present] += log_m[level] - log_u[position][level]
        responsibility = 1.0 / (1.0 + np.exp(-np.clip(log_ratio, -700, 700)))
        estimated = _weighted_frequencies(codes, responsibility, alpha)
        share = float(np.clip(responsibility.mean(), 1e-9, 1 - 1e-9))
        moved = max(abs(estimated[c][lv] - m[c][lv]) for c in names for lv in m[c])
        m |= {c: estimated[c] for c in names}
        if moved < tolerance:
            break
    return m, share


def monotonic_m(comparison: str, m: Mapping[str, float], u: Mapping[str, float]) -> list[float]:
    """Return m per level (in COMPARISON_LEVELS order), lowered so weights never increase.

    A weaker level must not weigh more than a stronger one (e.g. national_id.edit1 above
    exact because random ids are rarely one edit apart); otherwise identical records would not
    score highest. Where log2(m/u) of a level exceeds the previous level's, its m is lowered to
    tie them.

    Args:
        comparison: Comparison name.
        m: level -> m.
        u: level -> u.

    Returns:
        The adjusted m values, strongest level first.
    """
    adjusted: list[float] = []
    ceiling = float("inf")
    for level in COMPARISON_LEVELS[comparison]:
        m_level = min(m[level], u[level] * 2.0**ceiling)
        ceiling = float(np.log2(m_level / u[level]))
        adjusted.append(m_level)
    return adjusted


def build_model(m: Probabilities, u: Probabilities, prior: float, *, description: str) -> MatchModel:
    """Assemble a MatchModel from m, u and the prior.

    Args:
        m: comparison -> level -> m.
        u: comparison -> level -> u.
        prior: Probability that two random records match.
        description: How the numbers were obtained (stored in the JSON).

    Returns:
        The validated model, with monotonic weights (see `monotonic_m`).
    """
    comparisons = {
        c: tuple(
            LevelParams(level=lv, m=round(m_lv, 8), u=round(u[c][lv], 10))
            for lv, m_lv in zip(COMPARISON_LEVELS[c], monotonic_m(c, m[c], u[c]), strict=True)
        )
        for c in COMPARISON_LEVELS
    }
    return MatchModel(prior=prior, comparisons=comparisons, description=description)
