"""Streaming accuracy of the pure matching core on labelled data (FEBRL 1-4, synthetic CRM).

Replays a labelled stream in order, as the worker would: block each record with
`block_keys`, gather candidates from an in-memory index (capped per key and in total, strong
keys first), score them with `best_candidate`, `decide`, join the candidate's entity on MERGED,
then index the record. Reports pairwise precision / recall / F1 and B-cubed precision / recall /
F1 of the resulting entities against the truth, plus decision counts.

Run: `.venv/bin/python -m bench.accuracy_core [febrl1 febrl2 febrl3 febrl4 synthetic]`

Benchmark code only, in memory, no Redis: it must not be imported by the service.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from agents.core.blocking import block_keys, is_strong_key
from agents.core.scoring import (
    MatchModel,
    MatchThresholds,
    best_candidate,
    decide,
    load_match_model,
    name_frequency_key,
    owners_compatible,
)
from bench.febrl import FEBRL_SETS, LabelledContact, load_febrl_stream
from bench.synthetic_crm import generate_crm_sample
from schemas.outputs import Decision
from schemas.records import NormalizedContact

STRONG_KEY_CAP = 10
WEAK_KEY_CAP = 20
MAX_CANDIDATES = 50
MIN_RECORDS_FOR_FREQUENCIES = 500


class NameShares(Mapping[str, float]):
    """Live view: name frequency key -> share of indexed records (None-like until big enough)."""

    def __init__(self, counts: Counter[str], min_records: int) -> None:
        """Wrap live counts; shares are reported only once `min_records` are indexed."""
        self._counts = counts
        self._min_records = min_records
        self.total = 0

    def __getitem__(self, key: str) -> float:
        """Return the share of indexed records carrying `key`."""
        if self.total < self._min_records or key not in self._counts:
            raise KeyError(key)
        return self._counts[key] / self.total

    def __iter__(self) -> Iterator[str]:
        """Iterate over the counted keys."""
        return iter(self._counts)

    def __len__(self) -> int:
        """Return the number of counted keys."""
        return len(self._counts)


@dataclass
class StreamResult:
    """Predicted entity per record, decision counts and timing of one replay."""

    predicted: dict[str, str]
    predicted_if_reviews_confirmed: dict[str, str]
    truth: dict[str, str]
    decisions: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


class UnionFind:
    """Disjoint sets of ids (entity clustering for the evaluators)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, item: str) -> None:
        """Make `item` a set of its own if it is new."""
        self.parent.setdefault(item, item)

    def find(self, item: str) -> str:
        """The representative of `item`'s set (path compression)."""
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        """Join the sets of `a` and `b`."""
        self.parent[self.find(a)] = self.find(b)


def replay(
    stream: Sequence[LabelledContact],
    model: MatchModel,
    thresholds: MatchThresholds,
    *,
    ignore_owners: bool = False,
) -> StreamResult:
    """Replay a labelled stream through blocking, scoring and decide.

    Args:
        stream: Records in arrival order.
        model: The match model.
        thresholds: Decision thresholds.
        ignore_owners: Treat every pair as same-owner (FEBRL has no owners anyway).

    Returns:
        Predicted entity per record id (as merged, and as it would be if a person confirmed
        every REVIEW item), truth, decision counts and elapsed seconds.
    """
    index: dict[str, list[str]] = defaultdict(list)
    contacts: dict[str, NormalizedContact] = {}
    owners: dict[str, str | None] = {}
    entities = UnionFind()
    reviewed_entities = UnionFind()
    name_counts: Counter[str] = Counter()
    shares = NameShares(name_counts, MIN_RECORDS_FOR_FREQUENCIES)
    decisions: Counter[str] = Counter()
    started = time.perf_counter()
    for item in stream:
        keys = block_keys(item.contact)
        candidate_ids: list[str] = []
        for key in sorted(keys, key=lambda k: not is_strong_key(k)):
            cap = STRONG_KEY_CAP if is_strong_key(key) else WEAK_KEY_CAP
            candidate_ids.extend(index[key][-cap:])
        found = best_candidate(
            item.contact,
            ((cid, contacts[cid]) for cid in candidate_ids),
            model,
            shares,
            max_candidates=MAX_CANDIDATES,
        )
        entities.add(item.record_id)
        reviewed_entities.add(item.record_id)
        if found is None:
            decision, _ = decide(None, same_owner=True, thresholds=thresholds)
        else:
            candidate_id, score = found
            same_owner = ignore_owners or owners_compatible(item.owner, owners[candidate_id])
            decision, _ = decide(score, same_owner=same_owner, thresholds=thresholds)
            if decision is Decision.MERGED:
                entities.union(item.record_id, candidate_id)
            if decision in (Decision.MERGED, Decision.REVIEW):
                reviewed_entities.union(item.record_id, candidate_id)
        decisions[decision.value] += 1
        for key in keys:
            index[key].append(item.record_id)
        contacts[item.record_id] = item.contact
        owners[item.record_id] = item.owner
        frequency_key = name_frequency_key(item.contact)
        if frequency_key:
            name_counts[frequency_key] += 1
        shares.total += 1
    elapsed = time.perf_counter() - started
    predicted = {item.record_id: entities.find(item.record_id) for item in stream}
    if_confirmed = {item.record_id: reviewed_entities.find(item.record_id) for item in stream}
    truth = {item.record_id: item.entity for item in stream}
    return StreamResult(predicted, if_confirmed, truth, decisions, elapsed)


def _pairs(sizes: Iterator[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """Return pairwise (precision, recall, F1) of predicted clusters against true clusters.

    Args:
        predicted: record id -> predicted entity.
        truth: record id -> true entity.

    Returns:
        (precision, recall, F1); precision and recall are 1.0 when there are no pairs.
    """
    both = Counter((predicted[r], truth[r]) for r in truth)
    true_positive = _pairs(iter(both.values()))
    predicted_pairs = _pairs(iter(Counter(predicted[r] for r in truth).values()))
    true_pairs = _pairs(iter(Counter(truth.values()).values()))
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    return precision, recall, _f1(precision, recall)


def bcubed_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """Return B-cubed (precision, recall, F1), averaged over records.

    Args:
        predicted: record id -> predicted entity.
        truth: record id -> true entity.

    Returns:
        (precision, recall, F1).
    """
    both = Counter((predicted[r], truth[r]) for r in truth)
    predicted_size = Counter(predicted[r] for r in truth)
    true_size = Counter(truth.values())
    precision = sum(both[(predicted[r], truth[r])] / predicted_size[predicted[r]] for r in truth)
    recall = sum(both[(predicted[r], truth[r])] / true_size[truth[r]] for r in truth)
    n = len(truth)
    return precision / n, recall / n, _f1(precision / n, recall / n)


def load_stream(name: str) -> list[LabelledContact]:
    """Return a named labelled stream: a FEBRL set or `synthetic` (the CRM sample, seed 7)."""
    return generate_crm_sample() if name == "synthetic" else load_febrl_stream(name)


def main(names: Sequence[str]) -> None:
    """Print pairwise and B-cubed scores for each named stream with the shipped model.

    One line per stream as decided; `+review` lines show the scores if a person confirmed
    every REVIEW item (how much of the recall gap the review queue holds); `synthetic` also
    runs with owners ignored, since cross-owner pairs are sent to review by design.
    """
    model = load_match_model()
    thresholds = MatchThresholds()
    print(
        f"{'set':<18} {'n':>6} {'pair P':>7} {'pair R':>7} {'pair F1':>7} "
        f"{'B3 P':>7} {'B3 R':>7} {'B3 F1':>7} {'µs/rec':>7}  decisions"
    )
    runs = [(name, False) for name in names]
    if "synthetic" in names:
        runs.append(("synthetic", True))
    for name, ignore_owners in runs:
        stream = load_stream(name)
        result = replay(stream, model, thresholds, ignore_owners=ignore_owners)
        label = name + (" (no owners)" if ignore_owners else "")
        per_record = result.seconds / len(stream) * 1e6
        for suffix, predicted in (
            ("", result.predicted),
            ("+review", result.predicted_if_reviews_confirmed),
        ):
            pp, pr, pf = pairwise_scores(predicted, result.truth)
            bp, br, bf = bcubed_scores(predicted, result.truth)
            extra = f"{per_record:7.0f}  {dict(result.decisions)}" if not suffix else ""
            print(
                f"{(label + ' ' + suffix).strip():<18} {len(stream):>6} {pp:7.4f} {pr:7.4f} "
                f"{pf:7.4f} {bp:7.4f} {br:7.4f} {bf:7.4f} {extra}"
            )


if __name__ == "__main__":
    main(sys.argv[1:] or [*FEBRL_SETS, "synthetic"])
