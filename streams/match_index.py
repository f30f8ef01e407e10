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
from itertools import chain
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
#
# What a script costs Redis is mostly Lua overhead, not the commands it calls, so the scripts
# are written for it: every `redis.call` costs (fewer calls, each reading many fields); every
# table in a reply costs (replies are one flat array); every string that enters Lua is hashed
# whole (documents enter once, as their own ARGV entry, never escaped inside JSON); and a Lua
# number passed to a command is formatted with `%.17g` (arguments are passed as strings).

# SNAPSHOT: ARGV = prefix, cap per key, max candidates, the requests as one flat JSON list:
# per request event_id, record_id, name_key or "", number of block keys K, K block keys.
# Reply: one flat array, the index's records and entities (the size gauges, no extra round
# trip), then per request:
#   applied, existing, entity, erased, record_version, name_count, entity_size,
#   number of candidates C, number of entities E,
#   {size, version} per block key (in the order given),
#   {candidate id, document, entity} * C (newest first per key, keys in the order given,
#     unique, capped),
#   {entity id, version} * E (the candidates' entities, then the record's own).
# Missing values are nil. A request's versions are read with one HMGET (record, block keys
# and entities), its entity and its candidates' with one HMGET of `rent`.
SNAPSHOT_SCRIPT = """
local ver, p = KEYS[1], ARGV[1]
local cap, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local stop = string.format('%d', cap - 1)
local rent, tf = p .. 'rent', p .. 'tf'
local out = redis.call('HMGET', p .. 'stats', 'records', 'entities')
local requests = cjson.decode(ARGV[4])
local n, r, last = 2, 0, #requests
while r < last do
  local event_id, record_id, name_key, nkeys = requests[r + 1], requests[r + 2], requests[r + 3], requests[r + 4]
  local at = r + 4
  r = at + nkeys
  local applied, existing, erased = unpack(
    redis.call('MGET', p .. 'evt:' .. event_id, p .. 'rec:' .. record_id, p .. 'erased:' .. record_id))
  local name_count = name_key ~= '' and redis.call('HGET', tf, name_key) or false
  local fields, sizes, ids, seen = {'r:' .. record_id}, {}, {}, {}
  for k = 1, nkeys do
    local key = requests[at + k]
    fields[k + 1] = 'b:' .. key
    local blk = p .. 'blk:' .. key
    local members = redis.call('ZREVRANGE', blk, '0', stop)
    local size = #members
    if size >= cap then size = redis.call('ZCARD', blk) end
    sizes[k] = size
    for _, member in ipairs(members) do
      if #ids < limit and member ~= record_id and not seen[member] then
        seen[member] = true
        ids[#ids + 1] = member
      end
    end
  end
  local owners = redis.call('HMGET', rent, record_id, unpack(ids))
  local entity = owners[1]
  local docs = {}
  if #ids > 0 then
    local keys = {}
    for k, id in ipairs(ids) do keys[k] = p .. 'rec:' .. id end
    docs = redis.call('MGET', unpack(keys))
  end
  local entities, eseen = {}, {}
  for k = 2, #ids + 1 do
    local e = owners[k]
    if e and not eseen[e] then eseen[e] = true; entities[#entities + 1] = e end
  end
  local entity_size = 0
  if entity then
    entity_size = redis.call('SCARD', p .. 'ent:' .. entity)
    if not eseen[entity] then entities[#entities + 1] = entity end
  end
  for k, e in ipairs(entities) do fields[nkeys + 1 + k] = 'e:' .. e end
  local versions = redis.call('HMGET', ver, unpack(fields))
  out[n + 1], out[n + 2], out[n + 3], out[n + 4] = applied, existing, entity, erased
  out[n + 5], out[n + 6], out[n + 7] = versions[1], name_count, entity_size
  out[n + 8], out[n + 9] = #ids, #entities
  n = n + 9
  for k = 1, nkeys do
    out[n + 1], out[n + 2] = sizes[k], versions[k + 1]
    n = n + 2
  end
  for k, id in ipairs(ids) do
    out[n + 1], out[n + 2], out[n + 3] = id, docs[k], owners[k + 1]
    n = n + 3
  end
  for k, e in ipairs(entities) do
    out[n + 1], out[n + 2] = e, versions[nkeys + 1 + k]
    n = n + 2
  end
end
return out
"""

# COMMIT: ARGV = prefix, the plans as one flat JSON list, then the documents. Per plan:
#   its checks (version field, expected count)*, false,
#   its bumps (version field)*, false,
#   its ops, each (command, key relative to the prefix, args...), false,
#   false.
# A `null` argument is the next document (ARGV[3], ARGV[4]... in order; see
# `RedisMatchIndex.commit`). Each plan is applied only if all its checked versions are
# unchanged, else nothing of it is written; applying it increments its bumps. Reply: 1/0 per
# plan, then the index's records and entities after the plans. REHOME moves every record of an
# absorbed entity (key `ent:<absorbed>`, arg survivor) to the survivor.
# Versions are counts, as HINCRBY would leave them, but read with one HMGET (the checks) and
# written with one HSET per plan: a checked field's count is the one just compared, the few
# bumped fields that are not checked (block keys an update leaves) are read with one more HMGET.
# HINCRBY ops (the index's counters: stats, tf) are summed over the batch and applied once per
# field at the end, with one HMGET and one HSET per counter hash: nothing in the script reads
# them before, and the sums leave exactly what the HINCRBYs one by one would have.
COMMIT_SCRIPT = """
local ver, p = KEYS[1], ARGV[1]
local t, null = cjson.decode(ARGV[2]), cjson.null
local results, deltas, counted = {}, {}, {}
local i, document, plans = 1, 2, 0
while t[i] ~= nil do
  local fields, expected, count = {}, {}, {}
  while t[i] do
    fields[#fields + 1] = t[i]
    expected[#fields] = t[i + 1]
    i = i + 2
  end
  local bumps = {}
  i = i + 1
  while t[i] do
    bumps[#bumps + 1] = t[i]
    i = i + 1
  end
  i = i + 1
  local ok = true
  if #fields > 0 then
    local current = redis.call('HMGET', ver, unpack(fields))
    for k = 1, #fields do
      local value = tonumber(current[k] or 0)
      if value ~= expected[k] then ok = false; break end
      count[fields[k]] = value
    end
  end
  while t[i] do
    local cmd, key, from = t[i], t[i + 1], i + 2
    local j = from
    local arg = t[j]
    while arg do
      if arg == null then
        document = document + 1
        t[j] = ARGV[document]
      end
      j = j + 1
      arg = t[j]
    end
    i = j + 1
    if not ok then
      -- skipped (its documents are counted above)
    elseif cmd == 'HINCRBY' then
      local field = t[from]
      local sums = deltas[key]
      if sums == nil then
        sums = {}
        deltas[key], counted[key] = sums, {}
      end
      local sum = sums[field]
      if sum == nil then
        local names = counted[key]
        names[#names + 1] = field
        sum = 0
      end
      sums[field] = sum + tonumber(t[from + 1])
    elseif cmd == 'REHOME' then
      local absorbed, survivor = p .. key, t[from]
      for _, member in ipairs(redis.call('SMEMBERS', absorbed)) do
        redis.call('HSET', p .. 'rent', member, survivor)
        redis.call('SADD', p .. 'ent:' .. survivor, member)
      end
      redis.call('DEL', absorbed)
    else
      redis.call(cmd, p .. key, unpack(t, from, j - 1))
    end
  end
  i = i + 1
  if ok then
    local unread = {}
    for _, version_field in ipairs(bumps) do
      if count[version_field] == nil then unread[#unread + 1] = version_field end
    end
    if #unread > 0 then
      local current = redis.call('HMGET', ver, unpack(unread))
      for k, version_field in ipairs(unread) do count[version_field] = tonumber(current[k] or 0) end
    end
    if #bumps > 0 then
      local values = {}
      for k, version_field in ipairs(bumps) do
        values[2 * k - 1] = version_field
        values[2 * k] = string.format('%d', count[version_field] + 1)
      end
      redis.call('HSET', ver, unpack(values))
    end
  end
  plans = plans + 1
  results[plans] = ok and 1 or 0
end
for key, names in pairs(counted) do
  local sums, hash = deltas[key], p .. key
  for first = 1, #names, 1000 do
    local chunk = {unpack(names, first, math.min(first + 999, #names))}
    local current = redis.call('HMGET', hash, unpack(chunk))
    local values = {}
    for k, field in ipairs(chunk) do
      values[2 * k - 1] = field
      values[2 * k] = string.format('%d', tonumber(current[k] or 0) + sums[field])
    end
    redis.call('HSET', hash, unpack(values))
  end
end
local stats = redis.call('HMGET', p .. 'stats', 'records', 'entities')
results[plans + 1], results[plans + 2] = stats[1], stats[2]
return results
"""

# ENTITIES: ARGV = prefix, entity ids. Reply: one flat array, per entity the number of its
# records R, then R record ids (sorted) and R documents.
ENTITIES_SCRIPT = """
local p, out, n = ARGV[1], {}, 0
for k = 2, #ARGV do
  local members = redis.call('SMEMBERS', p .. 'ent:' .. ARGV[k])
  table.sort(members)
  local count = #members
  out[n + 1] = count
  n = n + 1
  if count > 0 then
    local keys = {}
    for j, id in ipairs(members) do
      keys[j] = p .. 'rec:' .. id
      out[n + j] = id
    end
    local docs = redis.call('MGET', unpack(keys))
    for j = 1, count do out[n + count + j] = docs[j] end
    n = n + 2 * count
  end
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
        flat: list[str | int] = []
        for r in requests:
            flat += (r.event_id, r.record_id, r.name_key or "", len(r.block_keys))
            flat += r.block_keys
        batch = orjson.dumps(flat)
        args: list[str | int | bytes] = [
            self._prefix,
            self._match.max_candidates_per_key,
            self._match.max_candidates,
            batch,
        ]
        reply = await self._timed("snapshot", self._snapshot(keys=[self.key("ver")], args=args))
        self._note_stats(reply[:2])
        return _snapshots(requests, reply)

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
        # One flat list (see COMMIT_SCRIPT): Lua tables cost the script more than the commands.
        # Documents (bytes: stored records, applied decisions) go as ARGV entries of their own,
        # written as null in the list: escaped inside the JSON, Lua would decode them character
        # by character and hash them twice.
        documents: list[bytes] = []

        def document_argument(value: object) -> None:
            if type(value) is not bytes:
                raise TypeError(f"cannot pass {type(value).__name__} to the commit script")
            documents.append(value)

        tokens: list[Any] = []
        for plan in writing:
            tokens += chain.from_iterable(plan.checks.items())
            tokens.append(False)
            tokens += plan.bumps
            tokens.append(False)
            for op in plan.ops:
                tokens += op
                tokens.append(False)
            tokens.append(False)
        encoded = orjson.dumps(tokens, default=document_argument)
        call = self._commit(keys=[self.key("ver")], args=[self._prefix, encoded, *documents])
        *applied, records, entities = await self._timed("commit", call)
        self._note_stats((records, entities))
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
        reply = await self._timed("entity", self._entities(keys=[self.key("ver")], args=[self._prefix, *ids]))
        records: dict[str, list[StoredRecord]] = {}
        position = 0
        for entity in ids:
            count = reply[position]
            docs = reply[position + 1 + count : position + 1 + 2 * count]
            records[entity] = [parse_stored_record(doc) for doc in docs if doc is not None]
            position += 1 + 2 * count
        return records

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


def _snapshots(requests: Sequence[LookupRequest], reply: list[Any]) -> list[Snapshot]:
    """Turn the snapshot script's flat reply (see `SNAPSHOT_SCRIPT`) into one `Snapshot` per request."""
    total = int(reply[0] or 0)
    position = 2
    records, candidate_from_json = _records, Candidate.from_json
    snapshots = []
    for req in requests:
        applied, existing, entity, erased, record_version, name_count, entity_size, found, entity_count = reply[
            position : position + 9
        ]
        position += 9
        keys = req.block_keys
        end = position + 2 * len(keys)
        blocks = {
            key: BlockView(int(version or 0), size)
            for key, size, version in zip(keys, reply[position:end:2], reply[position + 1 : end : 2], strict=True)
        }
        position, end = end, end + 3 * found
        candidates: dict[str, CandidateRecord] = {}
        candidate_entities: dict[str, str] = {}
        ids, docs, owners = reply[position:end:3], reply[position + 1 : end : 3], reply[position + 2 : end : 3]
        for rid, doc, owner in zip(ids, docs, owners, strict=True):
            if doc is not None and owner is not None:
                record_id = rid.decode()
                # Decoded once per document (`Candidate.from_json`) and cached like stored records
                # (least recently used out), written out here: this runs for every candidate.
                candidate = records.get(doc)
                if candidate is None:
                    candidate = candidate_from_json(doc)
                    records[doc] = candidate
                    if len(records) > _RECORD_CACHE_SIZE:
                        records.popitem(last=False)
                else:
                    records.move_to_end(doc)
                candidates[record_id] = candidate
                candidate_entities[record_id] = owner.decode()
        position, end = end, end + 2 * entity_count
        entity_versions = {
            e.decode(): int(v or 0) for e, v in zip(reply[position:end:2], reply[position + 1 : end : 2], strict=True)
        }
        position = end
        snapshots.append(
            Snapshot(
                applied=MatchDecision.model_validate_json(applied) if applied else None,
                existing=parse_stored_record(existing) if existing else None,
                existing_entity=_text(entity),
                existing_entity_size=entity_size,
                erased_at=datetime.fromisoformat(erased.decode()) if erased else None,
                record_version=int(record_version or 0),
                blocks=blocks,
                candidates=candidates,
                candidate_entities=candidate_entities,
                entity_versions=entity_versions,
                name_count=int(name_count or 0),
                total_records=total,
            )
        )
    if position != len(reply):
        raise ValueError(f"snapshot reply has {len(reply)} elements, the requests account for {position}")
    return snapshots
