"""The Redis match index: reads snapshots for events and applies plans atomically.

All decisions are made by the pure `agents.core.entities.plan_event`; this module only moves
data. Every key of one index shares the hash tag `{<prefix>}` so that the commit script's keys
live in one slot (works on Redis Cluster; the price is that one index lives on one shard).

Round trips: one snapshot script call and one commit script call per micro-batch (plus one
for golden records), whatever the batch size: redis-py's per-command client cost dominated
when every lookup was its own pipelined command.

Atomicity: a plan carries version checks (block keys, entities, the source record). The commit
Lua script applies the plan's writes only if every checked version is unchanged since the
snapshot; otherwise it writes nothing and the caller re-reads and re-decides. Two workers that
see duplicates of one person at once therefore end with one entity. Must not decide anything.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.backoff import ExponentialBackoff
from redis.exceptions import ClusterDownError, ResponseError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from agents.core.entities import (
    BlockView,
    Candidate,
    CandidateRecord,
    LookupRequest,
    Plan,
    Snapshot,
    StoredRecord,
)
from schemas.outputs import MatchDecision
from streams.settings import MatchSettings, RedisSettings

CallObserver = Callable[[str, float, bool], None]
"""(operation, seconds, failed) -> None; the worker passes one that feeds Prometheus."""

# Every script gets KEYS[1] = the version hash (routes the call to the index's slot on a
# Cluster) and ARGV[1] = the key prefix `{tag}:`. All other keys share that hash tag, so they
# live in the same slot; the scripts build them from the prefix. One call serves a whole batch.

# SNAPSHOT: ARGV = prefix, cap per key, max candidates, JSON list of requests
# [event_id, record_id, name_key or "", [block keys]]. Reply per request:
# {evt, rec, entity, erased, record_version, name_count, total, {size, version}* per key,
#  candidate_ids (newest first per key, keys in the order given, unique, capped),
#  candidate_docs, candidate_entities, entity_size, entity_ids, entity_versions},
# then one last element: the index's {records, entities} (the size gauges, no extra round trip).
# A request's versions are read with one HMGET (record and block keys) and one for its
# candidate entities: every `redis.call` costs, the number of fields hardly.
SNAPSHOT_SCRIPT = """
local ver, p = KEYS[1], ARGV[1]
local cap, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local total, entity_count = unpack(redis.call('HMGET', p .. 'stats', 'records', 'entities'))
local out = {}
for r, req in ipairs(cjson.decode(ARGV[4])) do
  local event_id, record_id, name_key, blocks = req[1], req[2], req[3], req[4]
  local entity = redis.call('HGET', p .. 'rent', record_id)
  local fields = {'r:' .. record_id}
  for k, key in ipairs(blocks) do fields[k + 1] = 'b:' .. key end
  local block_versions = redis.call('HMGET', ver, unpack(fields))
  local applied, existing, erased = unpack(
    redis.call('MGET', p .. 'evt:' .. event_id, p .. 'rec:' .. record_id, p .. 'erased:' .. record_id))
  local reply = {
    applied,
    existing,
    entity,
    erased,
    block_versions[1],
    name_key ~= '' and redis.call('HGET', p .. 'tf', name_key) or false,
    total,
  }
  local ids, seen = {}, {}
  for k, key in ipairs(blocks) do
    local members = redis.call('ZREVRANGE', p .. 'blk:' .. key, 0, cap - 1)
    local size = #members
    if size >= cap then size = redis.call('ZCARD', p .. 'blk:' .. key) end
    reply[#reply + 1] = {size, block_versions[k + 1]}
    for _, member in ipairs(members) do
      if #ids < limit and member ~= record_id and not seen[member] then
        seen[member] = true
        ids[#ids + 1] = member
      end
    end
  end
  local docs, owners, entities, eseen = {}, {}, {}, {}
  if #ids > 0 then
    local keys = {}
    for k, id in ipairs(ids) do keys[k] = p .. 'rec:' .. id end
    docs = redis.call('MGET', unpack(keys))
    owners = redis.call('HMGET', p .. 'rent', unpack(ids))
    for _, e in ipairs(owners) do
      if e and not eseen[e] then eseen[e] = true; entities[#entities + 1] = e end
    end
  end
  local entity_size = 0
  if entity then
    entity_size = redis.call('SCARD', p .. 'ent:' .. entity)
    if not eseen[entity] then entities[#entities + 1] = entity end
  end
  local versions = {}
  if #entities > 0 then
    local efields = {}
    for k, e in ipairs(entities) do efields[k] = 'e:' .. e end
    versions = redis.call('HMGET', ver, unpack(efields))
  end
  reply[#reply + 1] = ids
  reply[#reply + 1] = docs
  reply[#reply + 1] = owners
  reply[#reply + 1] = entity_size
  reply[#reply + 1] = entities
  reply[#reply + 1] = versions
  out[r] = reply
end
out[#out + 1] = {total, entity_count}
return out
"""

# COMMIT: ARGV = prefix, JSON list of plans [{field: expected int}, [[command, key, [args]]*],
# [version field]*] (keys relative to the prefix). Each plan is applied only if all its checked
# versions are unchanged, else nothing of it is written; applying it increments its bumps.
# Reply: 1/0 per plan, then the index's {records, entities} after the plans. REHOME moves every
# record of an absorbed entity (key `ent:<absorbed>`, args [survivor]) to the survivor.
# Versions are counts, as HINCRBY would leave them, but read with one HMGET (the checks) and
# written with one HSET per plan: a checked field's count is the one just compared, the few
# bumped fields that are not checked (block keys an update leaves) are read with one more HMGET.
COMMIT_SCRIPT = """
local ver, p = KEYS[1], ARGV[1]
local results = {}
for n, plan in ipairs(cjson.decode(ARGV[2])) do
  local ok = true
  local fields, expected, count = {}, {}, {}
  for version_field, value in pairs(plan[1]) do
    fields[#fields + 1] = version_field
    expected[#fields] = value
  end
  if #fields > 0 then
    local current = redis.call('HMGET', ver, unpack(fields))
    for k = 1, #fields do
      local value = tonumber(current[k] or 0)
      if value ~= expected[k] then ok = false; break end
      count[fields[k]] = value
    end
  end
  if ok then
    for _, op in ipairs(plan[2]) do
      local cmd, key, args = op[1], p .. op[2], op[3]
      if cmd == 'REHOME' then
        local survivor = args[1]
        for _, member in ipairs(redis.call('SMEMBERS', key)) do
          redis.call('HSET', p .. 'rent', member, survivor)
          redis.call('SADD', p .. 'ent:' .. survivor, member)
        end
        redis.call('DEL', key)
      else
        redis.call(cmd, key, unpack(args))
      end
    end
    local bumps, unread = plan[3], {}
    for _, version_field in ipairs(bumps) do
      if count[version_field] == nil then unread[#unread + 1] = version_field end
    end
    if #unread > 0 then
      local current = redis.call('HMGET', ver, unpack(unread))
      for k, version_field in ipairs(unread) do count[version_field] = tonumber(current[k] or 0) end
    end
    if #bumps > 0 then
      local counted = {}
      for k, version_field in ipairs(bumps) do
        counted[2 * k - 1] = version_field
        counted[2 * k] = string.format('%d', count[version_field] + 1)
      end
      redis.call('HSET', ver, unpack(counted))
    end
  end
  results[n] = ok and 1 or 0
end
results[#results + 1] = redis.call('HMGET', p .. 'stats', 'records', 'entities')
return results
"""

# ENTITIES: ARGV = prefix, entity ids. Reply per entity: {record ids, record docs}.
ENTITIES_SCRIPT = """
local p, out = ARGV[1], {}
for k = 2, #ARGV do
  local members = redis.call('SMEMBERS', p .. 'ent:' .. ARGV[k])
  table.sort(members)
  local docs = {}
  if #members > 0 then
    local keys = {}
    for j, id in ipairs(members) do keys[j] = p .. 'rec:' .. id end
    docs = redis.call('MGET', unpack(keys))
  end
  out[k - 1] = {members, docs}
end
return out
"""

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, ClusterDownError, TryAgainError, OSError)
"""Redis unreachable, timing out, loading its data set (a ConnectionError), or a cluster moving."""


def is_outage(error: BaseException) -> bool:
    """True for an error to wait out and retry, rather than a bug or bad data.

    Besides `OUTAGE_ERRORS`: BUSY, which Redis answers every client while a script runs past
    `lua-time-limit` (another worker's batch on a starved machine, or a bulk load); it passes.
    """
    if isinstance(error, OUTAGE_ERRORS):
        return True
    return isinstance(error, ResponseError) and str(error).startswith("BUSY")


ALLOWED_COMMANDS = frozenset(
    {"SET", "DEL", "ZADD", "ZREM", "SADD", "SREM", "HSET", "HDEL", "HINCRBY", "XADD", "REHOME"}
)


@dataclass(frozen=True)
class IndexStats:
    """Size of the index."""

    records: int
    entities: int


class RedisMatchIndex:
    """Match index on Redis (standalone or Cluster)."""

    def __init__(
        self,
        client: aioredis.Redis | RedisCluster,
        *,
        prefix: str,
        match: MatchSettings,
        observe: CallObserver | None = None,
    ) -> None:
        self._client = client
        self._tag = "{" + prefix + "}"
        self._prefix = self._tag + ":"
        self._match = match
        self._observe = observe
        self._snapshot = client.register_script(SNAPSHOT_SCRIPT)
        self._commit = client.register_script(COMMIT_SCRIPT)
        self._entities = client.register_script(ENTITIES_SCRIPT)
        self._last_stats: IndexStats | None = None

    @classmethod
    def from_settings(
        cls,
        redis_settings: RedisSettings,
        match: MatchSettings,
        *,
        prefix: str | None = None,
        observe: CallObserver | None = None,
    ) -> RedisMatchIndex:
        """Build the client (lazy connection, bounded retries on connection errors)."""
        options: dict[str, Any] = {
            "socket_timeout": redis_settings.timeout_seconds,
            "socket_connect_timeout": redis_settings.timeout_seconds,
            "retry": Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=5),
            "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        }
        client: aioredis.Redis | RedisCluster
        if redis_settings.cluster:
            client = RedisCluster.from_url(redis_settings.url, **options)
        else:
            client = aioredis.Redis.from_url(redis_settings.url, **options)
        return cls(client, prefix=prefix or redis_settings.key_prefix, match=match, observe=observe)

    def key(self, name: str) -> str:
        """Absolute Redis key of a relative key name."""
        return f"{self._tag}:{name}"

    async def _timed(self, operation: str, call: Any) -> Any:
        start = time.perf_counter()
        failed = True
        try:
            result = await call
            failed = False
            return result
        finally:
            if self._observe is not None:
                self._observe(operation, time.perf_counter() - start, failed)

    async def ping(self) -> bool:
        """True when Redis answers."""
        return bool(await self._timed("ping", self._client.ping()))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def stats(self) -> IndexStats:
        """Records and entities in the index."""
        records, entities = await self._timed("stats", self._client.hmget(self.key("stats"), "records", "entities"))
        return IndexStats(int(records or 0), int(entities or 0))

    async def snapshots(self, requests: Sequence[LookupRequest]) -> list[Snapshot]:
        """Read what each request needs, for a whole batch in one script call."""
        if not requests:
            return []
        batch = orjson.dumps([[r.event_id, r.record_id, r.name_key or "", r.block_keys] for r in requests])
        args: list[str | int | bytes] = [
            self._prefix,
            self._match.max_candidates_per_key,
            self._match.max_candidates,
            batch,
        ]
        *replies, stats = await self._timed("snapshot", self._snapshot(keys=[self.key("ver")], args=args))
        self._note_stats(stats)
        return [_snapshot(req, reply) for req, reply in zip(requests, replies, strict=True)]

    async def commit(self, plans: Sequence[Plan]) -> list[bool]:
        """Apply plans in order, each atomically, in one script call.

        Returns:
            Per plan, False where a checked version had moved (nothing of that plan is written).
        """
        writing = [plan for plan in plans if plan.ops]
        if not writing:
            return [True] * len(plans)
        commands = {op[0] for plan in writing for op in plan.ops}
        if not commands <= ALLOWED_COMMANDS:
            raise ValueError(f"commands {sorted(commands - ALLOWED_COMMANDS)} are not allowed in a commit")
        encoded = orjson.dumps([[plan.checks, plan.ops, plan.bumps] for plan in writing])
        call = self._commit(keys=[self.key("ver")], args=[self._prefix, encoded])
        *applied, stats = await self._timed("commit", call)
        self._note_stats(stats)
        for plan, ok in zip(writing, applied, strict=True):
            if ok:
                for doc, record in plan.written:
                    remember_stored_record(doc, record)
        results = iter(applied)
        return [bool(next(results)) if plan.ops else True for plan in plans]

    @property
    def last_stats(self) -> IndexStats | None:
        """Index size as of the last snapshot or commit call (None before the first one).

        Both scripts return it with their reply, so the size gauges cost no round trip.
        """
        return self._last_stats

    def _note_stats(self, reply: Sequence[bytes | None]) -> None:
        records, entities = reply
        self._last_stats = IndexStats(int(records or 0), int(entities or 0))

    async def entity_records(self, entity_ids: Iterable[str]) -> dict[str, list[StoredRecord]]:
        """Current records of each entity (for golden records), in one script call."""
        ids = sorted(set(entity_ids))
        if not ids:
            return {}
        replies = await self._timed("entity", self._entities(keys=[self.key("ver")], args=[self._prefix, *ids]))
        return {
            entity: [parse_stored_record(doc) for doc in docs if doc is not None]
            for entity, (_members, docs) in zip(ids, replies, strict=True)
        }

    async def resolve(self, entity_ids: Iterable[str]) -> dict[str, str]:
        """Follow merge redirects: entity id -> surviving entity id, for each id given."""
        raw = await self._client.hgetall(self.key("redir"))
        redirects = {str(_text(k)): str(_text(v)) for k, v in raw.items()}
        resolved = {}
        for entity_id in entity_ids:
            current, seen = entity_id, {entity_id}
            while current in redirects and redirects[current] not in seen:
                current = redirects[current]
                seen.add(current)
            resolved[entity_id] = current
        return resolved

    async def drop(self) -> int:
        """Delete every key of this index (tests and fresh `dedupe` runs). Returns keys deleted."""
        deleted, batch = 0, []
        async for key in self._client.scan_iter(match=f"{self._tag}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += await self._client.unlink(*batch)
                batch = []
        if batch:
            deleted += await self._client.unlink(*batch)
        return deleted


_RECORD_CACHE_SIZE = 16384
_records: OrderedDict[bytes, StoredRecord | Candidate] = OrderedDict()


def parse_stored_record(doc: bytes) -> StoredRecord:
    """Decode a stored record, cached: one record is read again and again.

    Least recently used out; keyed by the document's bytes, so a changed record is never served
    stale.
    """
    record = _records.get(doc)
    if isinstance(record, StoredRecord):
        _records.move_to_end(doc)
        return record
    record = StoredRecord.from_json(doc)
    remember_stored_record(doc, record)
    return record


def parse_candidate(doc: bytes) -> Candidate | StoredRecord:
    """Decode a stored record read as a match candidate (see `Candidate`), cached like records."""
    record = _records.get(doc)
    if record is None:
        record = Candidate.from_json(doc)
        remember_stored_record(doc, record)
    else:
        _records.move_to_end(doc)
    return record


def remember_stored_record(doc: bytes, record: StoredRecord | Candidate) -> None:
    """Cache `record` as the parse of `doc` (its `to_json()`).

    A record just written then need not be decoded and validated again when it is read back as
    a candidate or for a golden record.
    """
    _records[doc] = record
    _records.move_to_end(doc)
    if len(_records) > _RECORD_CACHE_SIZE:
        _records.popitem(last=False)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _snapshot(req: LookupRequest, reply: list[Any]) -> Snapshot:
    """Turn one request's part of the snapshot script's reply into a `Snapshot`."""
    applied, existing, entity, erased, record_version, name_count, total = reply[:7]
    blocks = {
        key: BlockView(int(version or 0), int(size))
        for key, (size, version) in zip(req.block_keys, reply[7 : 7 + len(req.block_keys)], strict=True)
    }
    ids, docs, owners, entity_size, entity_ids, versions = reply[7 + len(req.block_keys) :]
    candidates: dict[str, CandidateRecord] = {}
    candidate_entities: dict[str, str] = {}
    for rid, doc, owner in zip(ids, docs, owners, strict=True):
        if doc is not None and owner is not None:
            record_id = rid.decode()
            candidates[record_id] = parse_candidate(doc)
            candidate_entities[record_id] = owner.decode()
    return Snapshot(
        applied=MatchDecision.model_validate_json(applied) if applied else None,
        existing=parse_stored_record(existing) if existing else None,
        existing_entity=_text(entity),
        existing_entity_size=int(entity_size),
        erased_at=datetime.fromisoformat(erased.decode()) if erased else None,
        record_version=int(record_version or 0),
        blocks=blocks,
        candidates=candidates,
        candidate_entities=candidate_entities,
        entity_versions={e.decode(): int(v or 0) for e, v in zip(entity_ids, versions, strict=True)},
        name_count=int(name_count or 0),
        total_records=int(total or 0),
    )
