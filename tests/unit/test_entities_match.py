"""`plan_event`'s match path against the reference: every candidate entity scored and decided, then sorted.

The planner weighs each candidate (`weigh_features`) and builds a full score and a reason only
for the entity it shows (`PairWeight.merges` picks the mergeable ones). These tests replay the
straightforward algorithm it replaced (`score_features` + `decide` per entity, sorted by weight
then id) and require the same decision, score, explanation, reason, merges and review item.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.core.entities import (
    MatchPolicy,
    Snapshot,
    StoredRecord,
    entity_id_for,
    lookup_request,
    plan_event,
)
from agents.core.scoring import (
    MatchThresholds,
    PairScore,
    decide,
    load_match_model,
    match_features,
    name_tf_shift,
    owners_compatible,
    score_features,
    weigh_features,
)
from schemas.events import ContactChangeEvent
from schemas.outputs import Decision
from schemas.records import NormalizedContact, Phone

MODEL = load_match_model()
POLICY = MatchPolicy(MODEL, MatchThresholds(), max_candidates=20, event_ttl_seconds=3600)
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

people = st.builds(
    lambda given_name, family, email, phone, born, postcode, city, nid, company: NormalizedContact(
        full_name=f"{given_name} {family}",
        given_name=given_name,
        family_name=family,
        emails=email,
        phones=phone,
        birth_date=born,
        postcode=postcode,
        city=city,
        national_id=nid,
        company_key=company,
    ),
    given_name=st.sampled_from(["Anna", "Ana", "Bert", "Jon", "John"]),
    family=st.sampled_from(["Smith", "Smyth", "Lee"]),
    email=st.sampled_from([(), ("anna@x.org",), ("anna@y.org",), ("jon@x.org",)]),
    phone=st.sampled_from(
        [
            (),
            (Phone(e164="+4915112345678", region="DE", kind="mobile", valid=True),),
            (Phone(e164="+4930123456", region="DE", kind="fixed_line", valid=True),),
        ]
    ),
    born=st.sampled_from([None, date(1980, 1, 2), date(1980, 2, 1), date(1990, 5, 5)]),
    postcode=st.sampled_from([None, "10115", "10117"]),
    city=st.sampled_from([None, "Berlin"]),
    nid=st.sampled_from([None, "1234567", "1234568"]),
    company=st.sampled_from([None, "acme"]),
)
candidate_lists = st.lists(
    st.tuples(
        people,
        st.sampled_from(["E1", "E2", "E3", "E4"]),  # several candidates may share an entity
        st.sampled_from([None, "omid", "lin"]),
    ),
    max_size=8,
)


def _stored(number: int, contact: NormalizedContact, owner: str | None) -> StoredRecord:
    return StoredRecord(
        record_id=f"crm:{number}",
        owner=owner,
        source="crm",
        occurred_at=T0,
        contact=contact,
        points={},
        block_keys=(),
    )


def _reference(
    contact: NormalizedContact, owner: str | None, snapshot: Snapshot
) -> tuple[list[tuple[str, PairScore, Decision, str]], float | None]:
    """The old planner: best score per entity, `decide` on each, sorted by (-weight, entity)."""
    frequency = snapshot.name_count / max(snapshot.total_records, 1) if snapshot.name_count else None
    best: dict[str, tuple[StoredRecord, PairScore]] = {}
    for record in snapshot.candidates.values():
        entity = snapshot.candidate_entities[record.record_id]
        score = score_features(match_features(contact), record.features, MODEL, name_frequency=frequency)
        if entity not in best or score.match_weight > best[entity][1].match_weight:
            best[entity] = (record, score)  # type: ignore[assignment]
    verdicts = [
        (
            entity,
            score,
            *decide(score, same_owner=owners_compatible(owner, record.owner), thresholds=POLICY.thresholds),
        )
        for entity, (record, score) in best.items()
    ]
    return sorted(verdicts, key=lambda v: (-v[1].match_weight, v[0])), frequency


@settings(max_examples=300, deadline=None)
@given(
    contact=people,
    owner=st.sampled_from([None, "omid", "lin"]),
    candidates=candidate_lists,
    name_count=st.sampled_from([0, 1, 40]),
)
def test_match_plan_equals_the_reference_planner(
    contact: NormalizedContact,
    owner: str | None,
    candidates: list[tuple[NormalizedContact, str, str | None]],
    name_count: int,
) -> None:
    records = {f"crm:{n}": _stored(n, c, o) for n, (c, _, o) in enumerate(candidates)}
    snapshot = Snapshot(
        candidates=records,
        candidate_entities={f"crm:{n}": e for n, (_, e, _) in enumerate(candidates)},
        name_count=name_count,
        total_records=100,
    )
    event = ContactChangeEvent(
        event_id="ev-1", source="webform", external_id="w1", occurred_at=T0, owner=owner, contact={}
    )
    plan = plan_event(event, contact, lookup_request(event, contact), snapshot, POLICY)
    verdicts, _ = _reference(contact, owner, snapshot)
    decision = plan.decision
    if not verdicts:
        assert decision.decision is Decision.NEW and plan.review is None
        return
    mergeable = [v for v in verdicts if v[2] is Decision.MERGED]
    shown = mergeable[0] if mergeable else verdicts[0]
    entity, score, verdict, reason = shown
    assert decision.decision is verdict
    assert (decision.matched_entity_id, decision.score, decision.match_weight) == (
        entity,
        score.probability,
        score.match_weight,
    )
    assert decision.explanation == score.comparisons
    assert decision.candidates == len(records)
    if mergeable:
        survivor = min(v[0] for v in mergeable)
        absorbed = sorted(v[0] for v in mergeable if v[0] != survivor)
        also = f"; also merged {len(absorbed)} more entities" if absorbed else ""
        assert decision.entity_id == survivor and decision.reason == reason + also
        assert [a for a, _ in plan.redirects] == absorbed and plan.review is None
    else:
        assert decision.entity_id == entity_id_for("ev-1") and decision.reason == reason
        assert (plan.review is not None) is (verdict is Decision.REVIEW)
        if plan.review is not None:
            assert plan.review.candidate_entity_id == entity
            assert plan.review.explanation == score.comparisons and plan.review.score == score.probability


@settings(max_examples=300, deadline=None)
@given(
    a=people,
    b=people,
    same_owner=st.booleans(),
    frequency=st.none() | st.sampled_from([1e-9, 0.0005, 0.02, 0.5]),
    merge_at=st.sampled_from([0.5, 0.9, 0.95, 0.999]),
)
def test_weighed_pair_merges_exactly_when_decide_merges(
    a: NormalizedContact, b: NormalizedContact, same_owner: bool, frequency: float | None, merge_at: float
) -> None:
    thresholds = MatchThresholds(auto_merge_at=merge_at, review_at=min(merge_at, 0.6))
    weighed = weigh_features(match_features(a), match_features(b), MODEL, name_tf_shift(MODEL, frequency))
    score = score_features(match_features(a), match_features(b), MODEL, name_frequency=frequency)
    assert weighed.score() == score
    assert weighed.probability == score.probability
    merged = decide(score, same_owner=same_owner, thresholds=thresholds)[0] is Decision.MERGED
    assert weighed.merges(same_owner=same_owner, thresholds=thresholds) is merged
