"""Entity resolution over the match index: decide, then plan every write as one atomic commit.

Pure: a `Snapshot` (what the index held for one event when it was read) goes in, a `Plan` (the
decision, the outputs, and the exact index writes guarded by version checks) comes out. The
Redis side (`streams.match_index`) only reads snapshots and applies plans atomically; it makes
no decision. Must not import faust, redis, kafka or prometheus_client.

Index layout (keys relative to the configured prefix, see streams/match_index.py):
    rec:<record_id>   a StoredRecord (current version of one source record): its match line
                      (what scoring reads), a newline, its JSON (see `StoredRecord.to_json`)
    blk:<block_key>   ZSET record_id -> occurred_at epoch (newest read first, capped)
    ent:<entity_id>   SET of record ids of the entity
    rent              HASH record_id -> entity_id
    ver               HASH version counters: b:<block_key>, e:<entity_id>, r:<record_id>
    tf                HASH name_key -> records carrying it (term frequencies)
    stats             HASH records, entities
    redir             HASH absorbed entity_id -> survivor entity_id
    evt:<event_id>    JSON MatchDecision of an applied event (idempotency; expires)
    erased:<record_id> occurred_at of the erasure (erased data never comes back)
    mergelog          STREAM of merges (survivor, absorbed, records moved): makes unmerge possible
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeAlias

import orjson

from agents.core.blocking import block_keys
from agents.core.scoring import (
    MatchFeatures,
    MatchModel,
    MatchThresholds,
    PairScore,
    PairWeight,
    decide,
    features_from_wire,
    features_name_key,
    features_to_wire,
    match_features,
    name_frequency_key,
    name_tf_shift,
    owners_compatible,
    weigh_features,
)
from schemas.events import ContactChangeEvent, EventType
from schemas.outputs import Decision, MatchDecision, ReviewItem
from schemas.records import NormalizedContact, validated
from schemas.wire import to_bytes

POINT_KINDS = ("email", "phone", "address")


def entity_id_for(event_id: str) -> str:
    """Id of the entity an event creates.

    Deterministic (a replay gives the same id) and never reused: a record erased and entered
    again starts a new entity, not the old one's.
    """
    return "E" + hashlib.blake2b(event_id.encode(), digest_size=8).hexdigest()


def contact_points(contact: NormalizedContact) -> dict[str, list[str]]:
    """Emails, phones and the address of a contact, as comparable strings per kind."""
    address = ", ".join(
        part
        for part in (
            contact.street,
            contact.street2,
            contact.postcode,
            contact.city,
            contact.state,
            contact.country,
        )
        if part
    )
    return {
        "email": list(contact.emails),
        "phone": [phone.e164 for phone in contact.phones],
        "address": [address] if contact.street or contact.postcode else [],
    }


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def contact_document(contact: NormalizedContact) -> dict[str, Any]:
    """`contact.model_dump(mode="json", exclude_defaults=True)`, as orjson writes it (the "c" of a stored record).

    Built from the validated fields directly (a quarter of pydantic's cost, whose default
    comparisons dominate): every field of a contact defaults to None except `emails` and
    `phones` (()), `attributes` ({}) and a phone's `region` (None) and `kind` ("unknown"), so
    those are the values left out. A birth date is written as its ISO string, as JSON mode
    does. Only attributes that are all JSON scalars (str, int, float, bool, None: what JSON
    mode keeps as they are) take this path; anything else goes to pydantic.
    """
    fields = contact.__dict__
    attributes = fields["attributes"]
    if attributes and not _JSON_SCALARS.issuperset(map(type, attributes.values())):
        return contact.model_dump(mode="json", exclude_defaults=True)
    document = {name: value for name, value in fields.items() if value is not None}
    if not document["emails"]:
        del document["emails"]
    phones = document["phones"]
    if phones:  # replaced in place: the keys keep the fields' order
        document["phones"] = [_phone_document(phone.__dict__) for phone in phones]
    else:
        del document["phones"]
    if not attributes:
        del document["attributes"]
    birth_date = fields["birth_date"]
    if birth_date is not None:
        document["birth_date"] = birth_date.isoformat()
    return document


def _phone_document(phone: dict[str, Any]) -> dict[str, Any]:
    """A `Phone`'s fields without its defaults (`region` None, `kind` "unknown"), in field order."""
    document = {"e164": phone["e164"]}
    if phone["region"] is not None:
        document["region"] = phone["region"]
    if phone["kind"] != "unknown":
        document["kind"] = phone["kind"]
    document["valid"] = phone["valid"]
    return document


@dataclass(frozen=True)
class StoredRecord:
    """The current version of one source record, as kept in the index."""

    record_id: str
    owner: str | None
    source: str
    occurred_at: datetime
    contact: NormalizedContact
    points: Mapping[str, Mapping[str, str]]  # kind -> value -> last seen (ISO); history kept
    block_keys: tuple[str, ...]
    stored_features: MatchFeatures | None = field(default=None, compare=False, repr=False)  # as read from the index

    @functools.cached_property
    def features(self) -> MatchFeatures:
        """`match_features(self.contact)`, kept with the record (parsed records are reused)."""
        return self.stored_features if self.stored_features is not None else match_features(self.contact)

    def to_json(self) -> bytes:
        """The index document: a match line, a newline, then the record as compact JSON.

        The match line is `[record_id, owner, *features_to_wire(features)]`: all that scoring
        a candidate reads, so candidates are decoded from it alone (`Candidate`). orjson
        escapes newlines inside strings, so the first newline always ends the match line.
        """
        head = orjson.dumps([self.record_id, self.owner, *features_to_wire(self.features)])
        body = orjson.dumps(
            {
                "r": self.record_id,
                "o": self.owner,
                "s": self.source,
                "t": self.occurred_at.isoformat(),
                "c": contact_document(self.contact),
                "p": self.points,
                "k": self.block_keys,
            }
        )
        return head + b"\n" + body

    @classmethod
    def from_json(cls, payload: bytes | str) -> StoredRecord:
        """Inverse of `to_json` (also reads records written before the match line existed)."""
        line, body = _split_document(payload.encode() if isinstance(payload, str) else payload)
        doc = orjson.loads(body)
        return cls(
            record_id=doc["r"],
            owner=doc["o"],
            source=doc["s"],
            occurred_at=datetime.fromisoformat(doc["t"]),
            contact=validated(NormalizedContact, doc["c"]),
            points=doc["p"],
            block_keys=tuple(doc["k"]),
            stored_features=features_from_wire(line, 2) if line is not None else None,
        )


def _split_document(payload: bytes) -> tuple[list[Any] | None, bytes]:
    """(decoded match line, or None for a document written before it existed; the record's JSON)."""
    head, newline, body = payload.partition(b"\n")
    return (orjson.loads(head), body) if newline else (None, head)


class CandidateRecord(Protocol):
    """What matching reads of a candidate: a `StoredRecord`, or a `Candidate` read for scoring."""

    @property
    def record_id(self) -> str:
        """`source:external_id` of the record."""
        ...

    @property
    def owner(self) -> str | None:
        """CRM user who owns the record."""
        ...

    @property
    def features(self) -> MatchFeatures:
        """What scoring compares (`match_features` of the contact)."""
        ...

    @property
    def contact(self) -> NormalizedContact:
        """The stored normalized contact."""
        ...


class Candidate:
    """A stored record read as a match candidate: decoded from its match line only.

    Most candidates are scored and dropped. Decoding and validating each whole record and
    deriving its features again cost more than scoring it, and grew with the index (a bigger
    index means fewer cache hits), so only the match line of `StoredRecord.to_json` is read.
    The contact (shown in a review item) is decoded when first asked for.
    """

    __slots__ = ("record_id", "owner", "features", "_payload", "_record")

    def __init__(self, record_id: str, owner: str | None, features: MatchFeatures, payload: bytes) -> None:
        self.record_id = record_id
        self.owner = owner
        self.features = features
        self._payload = payload
        self._record: StoredRecord | None = None

    @classmethod
    def from_json(cls, payload: bytes) -> Candidate | StoredRecord:
        """Read a `StoredRecord.to_json` document (a whole `StoredRecord` for older documents)."""
        end = payload.find(b"\n")
        if end >= 0:  # only the match line is decoded (the document's JSON is not copied)
            line = orjson.loads(payload[:end])
            features = features_from_wire(line, 2)
            if features is not None:
                return cls(line[0], line[1], features, payload)
        # An older document (no match line), or features of another version.
        return StoredRecord.from_json(payload)

    @property
    def contact(self) -> NormalizedContact:
        """The stored contact, decoded on first use."""
        if self._record is None:
            self._record = StoredRecord.from_json(self._payload)
        return self._record.contact


@dataclass(frozen=True)
class BlockView:
    """One blocking key as read: its version and its size (all members, not only those read)."""

    version: int
    size: int


@dataclass(frozen=True)
class Snapshot:
    """What the index held for one event at read time."""

    applied: MatchDecision | None = None
    existing: StoredRecord | None = None
    existing_entity: str | None = None
    existing_entity_size: int = 0
    erased_at: datetime | None = None
    record_version: int = 0
    blocks: Mapping[str, BlockView] = field(default_factory=dict)
    candidates: Mapping[str, CandidateRecord] = field(default_factory=dict)  # in blocking-key order
    candidate_entities: Mapping[str, str] = field(default_factory=dict)
    entity_versions: Mapping[str, int] = field(default_factory=dict)
    name_count: int = 0
    total_records: int = 0


Op: TypeAlias = tuple[str | int | bytes, ...]
"""One Redis write: (command, key relative to the prefix, *arguments).

A plain flat tuple (not a NamedTuple, no nested tuple of arguments): a whole batch of plans
serializes for the commit script in one `orjson.dumps` call, as one flat list (Lua tables cost
Redis more than the commands). Arguments the script passes on to Redis are strings (a Lua
number passed to a command is formatted with `%.17g`, which costs Redis more than the
command); only HINCRBY deltas, which the script sums, are ints. A document (a stored record,
an applied decision) is bytes: the commit sends it as an ARGV entry of its own instead of
escaped inside the JSON. Never None or a bool (the script's markers for those two).
"""


@dataclass(frozen=True)
class LookupRequest:
    """What to read for one event."""

    event_id: str
    record_id: str
    block_keys: tuple[str, ...]
    name_key: str | None
    features: MatchFeatures | None = field(default=None, compare=False, repr=False)  # of the contact, if known


@dataclass(frozen=True)
class Plan:
    """The decision for one event and the writes that make it true, guarded by version checks."""

    decision: MatchDecision
    checks: Mapping[str, int] = field(default_factory=dict)
    ops: tuple[Op, ...] = ()
    bumps: tuple[str, ...] = ()  # version counters incremented when the plan applies
    review: ReviewItem | None = None
    golden_entities: tuple[str, ...] = ()  # golden records to rebuild and publish
    tombstones: tuple[str, ...] = ()  # entities with no record left
    redirects: tuple[tuple[str, str], ...] = ()  # (absorbed, survivor)
    fresh: StoredRecord | None = None  # the only record of an entity this plan creates
    written: tuple[tuple[bytes, StoredRecord], ...] = ()  # (JSON as in the ops, record) per record written
    decision_json: bytes | None = None  # `to_bytes(decision)`, when the plan wrote it (its `evt:` op)


def lookup_request(event: ContactChangeEvent, contact: NormalizedContact) -> LookupRequest:
    """The index reads one event needs (no keys for erasures: they only touch their record)."""
    # The contact's match features carry the transliterated keys blocking needs, and are
    # needed again to score candidates (cached): compute them once.
    features = match_features(contact)
    keys = () if event.event_type is EventType.DELETED else block_keys(contact, features)
    return LookupRequest(event.event_id, event.record_id, keys, features_name_key(features), features)


@dataclass(frozen=True)
class MatchPolicy:
    """Everything the decision needs besides the data."""

    model: MatchModel
    thresholds: MatchThresholds
    max_candidates: int
    event_ttl_seconds: int


def plan_event(
    event: ContactChangeEvent,
    contact: NormalizedContact,
    request: LookupRequest,
    snapshot: Snapshot,
    policy: MatchPolicy,
) -> Plan:
    """Decide what one accepted event does to the entities, and plan the writes.

    Args:
        event: The parsed input event.
        contact: Its normalized contact.
        request: The lookup request the snapshot answers.
        snapshot: The index state read for this event.
        policy: Model, thresholds and limits.

    Returns:
        The plan; applying it is atomic and fails if any checked version moved meanwhile.
    """
    if snapshot.applied is not None:
        return Plan(decision=snapshot.applied)
    builder = _PlanBuilder(event, request, snapshot, policy)
    if event.event_type is EventType.DELETED:
        return builder.erase()
    if snapshot.erased_at is not None and event.occurred_at <= snapshot.erased_at:
        return builder.finish(
            MatchDecision(
                decision=Decision.ERASED,
                entity_id=None,
                reason="change predates the erasure of this record; ignored",
            )
        )
    if snapshot.existing is not None and snapshot.existing_entity is not None:
        return builder.update(contact)
    return builder.match(contact)


class _PlanBuilder:
    """Accumulates version checks and ops for one event."""

    def __init__(
        self,
        event: ContactChangeEvent,
        request: LookupRequest,
        snapshot: Snapshot,
        policy: MatchPolicy,
    ) -> None:
        self.event = event
        self.request = request
        self.snapshot = snapshot
        self.policy = policy
        self.record_id = event.record_id  # a computed property of the event: read it once
        self.checks: dict[str, int] = {f"r:{self.record_id}": snapshot.record_version}
        self.ops: list[Op] = []
        self.bumps: dict[str, None] = {}
        self.written: list[tuple[bytes, StoredRecord]] = []

    # -- building blocks -------------------------------------------------------------------
    def _bump(self, version_field: str) -> None:
        self.bumps[version_field] = None

    def _check_entity(self, entity_id: str) -> None:
        self.checks[f"e:{entity_id}"] = self.snapshot.entity_versions.get(entity_id, 0)
        self._bump(f"e:{entity_id}")

    def _write_record(self, record: StoredRecord, entity_id: str, old_keys: Sequence[str] = ()) -> None:
        rid = record.record_id
        ops, checks, blocks = self.ops, self.checks, self.snapshot.blocks
        doc = record.to_json()
        self.written.append((doc, record))
        ops.append(("SET", f"rec:{rid}", doc))
        ops.append(("HSET", "rent", rid, entity_id))
        ops.append(("SADD", f"ent:{entity_id}", rid))
        score = repr(record.occurred_at.timestamp())  # the float's exact digits, as Redis reads them
        if old_keys:
            for key in sorted(set(old_keys).difference(record.block_keys)):
                ops.append(("ZREM", f"blk:{key}", rid))
                self._bump(f"b:{key}")
        for key in record.block_keys:
            version_field = f"b:{key}"
            view = blocks.get(key)
            checks[version_field] = view.version if view is not None else 0
            ops.append(("ZADD", f"blk:{key}", score, rid))
            self._bump(version_field)

    def _count_name(self, name_key: str | None, delta: int) -> None:
        if name_key:
            self.ops.append(("HINCRBY", "tf", name_key, delta))

    def finish(self, decision: MatchDecision, **outputs: Any) -> Plan:
        self._bump(f"r:{self.record_id}")
        decision_json = to_bytes(decision)
        self.ops.append(("SET", f"evt:{self.event.event_id}", decision_json, "EX", str(self.policy.event_ttl_seconds)))
        return Plan(
            decision=decision,
            checks=self.checks,
            ops=tuple(self.ops),
            bumps=tuple(self.bumps),
            written=tuple(self.written),
            decision_json=decision_json,
            **outputs,
        )

    def _stored(self, contact: NormalizedContact, previous: StoredRecord | None) -> StoredRecord:
        seen = self.event.occurred_at.isoformat()
        points: dict[str, dict[str, str]]
        if previous is None:  # = the merge below into empty histories: every value seen now
            points = {kind: dict.fromkeys(values, seen) for kind, values in contact_points(contact).items()}
        else:
            points = {kind: dict(previous.points.get(kind, {})) for kind in POINT_KINDS}
            for kind, values in contact_points(contact).items():
                for value in values:
                    points[kind][value] = max(points[kind].get(value, ""), seen)
        return StoredRecord(
            record_id=self.record_id,
            owner=self.event.owner,
            source=self.event.source,
            occurred_at=self.event.occurred_at,
            contact=contact,
            points=points,
            block_keys=self.request.block_keys,
            stored_features=self.request.features,
        )

    # -- the four cases ----------------------------------------------------------------------
    def erase(self) -> Plan:
        existing, entity = self.snapshot.existing, self.snapshot.existing_entity
        rid = self.record_id
        self.ops.append(("SET", f"erased:{rid}", self.event.occurred_at.isoformat()))
        if existing is None or entity is None:
            return self.finish(
                MatchDecision(
                    decision=Decision.ERASED,
                    entity_id=None,
                    reason="unknown source record; erasure remembered",
                )
            )
        self._check_entity(entity)
        self.ops.append(("DEL", f"rec:{rid}"))
        self.ops.append(("HDEL", "rent", rid))
        self.ops.append(("SREM", f"ent:{entity}", rid))
        for key in existing.block_keys:
            self.ops.append(("ZREM", f"blk:{key}", rid))
            self._bump(f"b:{key}")
        self._count_name(name_frequency_key(existing.contact), -1)
        self.ops.append(("HINCRBY", "stats", "records", -1))
        emptied = self.snapshot.existing_entity_size <= 1
        if emptied:
            self.ops.append(("HINCRBY", "stats", "entities", -1))
        decision = MatchDecision(
            decision=Decision.ERASED, entity_id=entity, reason="source record erased from the index"
        )
        if emptied:
            return self.finish(decision, tombstones=(entity,))
        return self.finish(decision, golden_entities=(entity,))

    def update(self, contact: NormalizedContact) -> Plan:
        existing, entity = self.snapshot.existing, self.snapshot.existing_entity
        assert existing is not None and entity is not None
        if self.event.occurred_at < existing.occurred_at:
            return self.finish(
                MatchDecision(
                    decision=Decision.UPDATED,
                    entity_id=entity,
                    reason="older than the stored version; ignored",
                )
            )
        self._check_entity(entity)
        self._write_record(self._stored(contact, existing), entity, old_keys=existing.block_keys)
        old_name, new_name = name_frequency_key(existing.contact), self.request.name_key
        if old_name != new_name:
            self._count_name(old_name, -1)
            self._count_name(new_name, +1)
        return self.finish(
            MatchDecision(
                decision=Decision.UPDATED,
                entity_id=entity,
                reason="new version of a known source record",
            ),
            golden_entities=(entity,),
        )

    def match(self, contact: NormalizedContact) -> Plan:
        best = self._weigh_candidates(contact)
        new_entity = entity_id_for(self.event.event_id)
        if not best:
            decision, reason = decide(None, same_owner=True, thresholds=self.policy.thresholds)
            return self._join(
                contact,
                new_entity,
                (),
                MatchDecision(decision=decision, entity_id=new_entity, reason=reason),
            )
        candidates_scored = len(self.snapshot.candidates)
        # Every entity is weighed, but only the one shown gets a full score and a reason: the
        # best mergeable entity if any, else the best entity (best = highest weight, then id).
        owner, thresholds = self.event.owner, self.policy.thresholds
        mergeable = [
            entity
            for entity, (candidate, weighed) in best.items()
            if weighed.merges(same_owner=owners_compatible(owner, candidate.owner), thresholds=thresholds)
        ]
        if mergeable:
            # A record that links several entities merges them all into the smallest id.
            survivor = min(mergeable)
            absorbed = tuple(sorted(entity for entity in mergeable if entity != survivor))
            also = f"; also merged {len(absorbed)} more entities" if absorbed else ""
            lead = self._verdict(_strongest(mergeable, best), best)
            return self._join(
                contact,
                survivor,
                absorbed,
                lead.as_decision(survivor, candidates_scored, lead.reason + also),
            )
        top = self._verdict(_strongest(best, best), best)
        review = None
        if top.decision is Decision.REVIEW:
            review = self._review(contact, new_entity, top)
        return self._join(
            contact,
            new_entity,
            (),
            top.as_decision(new_entity, candidates_scored, top.reason),
            review=review,
        )

    def _verdict(self, entity: str, best: Mapping[str, tuple[CandidateRecord, PairWeight]]) -> _Verdict:
        candidate, weighed = best[entity]
        score = weighed.score()
        same_owner = owners_compatible(self.event.owner, candidate.owner)
        return _Verdict(
            entity, candidate, score, *decide(score, same_owner=same_owner, thresholds=self.policy.thresholds)
        )

    # -- helpers of match --------------------------------------------------------------------
    def _candidate_records(self) -> Iterable[CandidateRecord]:
        # The index already read them newest first per key, strong keys first, without this
        # record, and capped (`MatchSettings.max_candidates`).
        return self.snapshot.candidates.values()

    def _weigh_candidates(self, contact: NormalizedContact) -> dict[str, tuple[CandidateRecord, PairWeight]]:
        """Best-weighing candidate of each candidate entity (the first one on a tie)."""
        total = max(self.snapshot.total_records, 1)
        frequency = self.snapshot.name_count / total if self.snapshot.name_count else None
        best: dict[str, tuple[CandidateRecord, PairWeight]] = {}
        features = self.request.features or match_features(contact)
        model = self.policy.model
        tf_shift = name_tf_shift(model, frequency)
        owners = self.snapshot.candidate_entities
        for candidate in self._candidate_records():
            entity = owners.get(candidate.record_id)
            if entity is None:
                continue
            # = score_pair(contact, candidate.contact, ...), with each side's features read once
            weighed = weigh_features(features, candidate.features, model, tf_shift)
            held = best.get(entity)
            if held is None or weighed.match_weight > held[1].match_weight:
                best[entity] = (candidate, weighed)
        return best

    def _join(
        self,
        contact: NormalizedContact,
        entity: str,
        absorbed: Sequence[str],
        decision: MatchDecision,
        review: ReviewItem | None = None,
    ) -> Plan:
        self._check_entity(entity)
        record = self._stored(contact, None)
        self._write_record(record, entity)
        self._count_name(self.request.name_key, +1)
        self.ops.append(("HINCRBY", "stats", "records", 1))
        if decision.decision is not Decision.MERGED:
            self.ops.append(("HINCRBY", "stats", "entities", 1))
        for other in absorbed:
            self._check_entity(other)
            self.ops.append(("REHOME", f"ent:{other}", entity))
            self.ops.append(("HSET", "redir", other, entity))
            self.ops.append(("HINCRBY", "stats", "entities", -1))
            self.ops.append(
                ("XADD", "mergelog", "*", "event_id", self.event.event_id, "survivor", entity, "absorbed", other)
            )
        return self.finish(
            decision,
            review=review,
            golden_entities=(entity,),
            redirects=tuple((other, entity) for other in absorbed),
            fresh=record if decision.decision is not Decision.MERGED else None,
        )

    def _review(self, contact: NormalizedContact, entity: str, top: _Verdict) -> ReviewItem:
        owners = sorted(
            {
                record.owner
                for rid, record in self.snapshot.candidates.items()
                if record.owner and self.snapshot.candidate_entities.get(rid) == top.entity
            }
        )
        review_id = hashlib.blake2b(f"{self.event.event_id}|{top.entity}".encode(), digest_size=10).hexdigest()
        return ReviewItem(
            review_id=review_id,
            event_id=self.event.event_id,
            record_id=self.record_id,
            entity_id=entity,
            candidate_entity_id=top.entity,
            owner=self.event.owner,
            candidate_owners=tuple(owners),
            reason=top.reason,
            score=top.score.probability,
            explanation=top.score.comparisons,
            record=contact,
            candidate=top.candidate.contact,
        )


def _strongest(entities: Iterable[str], best: Mapping[str, tuple[CandidateRecord, PairWeight]]) -> str:
    """The entity with the highest weight, the smallest id on a tie (first of the old sort)."""
    return min(entities, key=lambda entity: (-best[entity][1].match_weight, entity))


@dataclass(frozen=True)
class _Verdict:
    """The best pair of one candidate entity and what `decide` made of it."""

    entity: str
    candidate: CandidateRecord
    score: PairScore
    decision: Decision
    reason: str

    def as_decision(self, entity_id: str, candidates: int, reason: str) -> MatchDecision:
        return MatchDecision(
            decision=self.decision,
            entity_id=entity_id,
            matched_entity_id=self.entity,
            score=self.score.probability,
            match_weight=self.score.match_weight,
            explanation=self.score.comparisons,
            candidates=candidates,
            reason=reason,
        )
