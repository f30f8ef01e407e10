"""The Redis match index: reads snapshots for events and applies plans atomically.

All decisions are made by the pure `agents.core.entities.plan_event`; this module only moves
data. Every key of one index shares the hash tag `{<prefix>}` so that the commit script's keys
live in one slot (works on Redis Cluster; the price is that one index lives on one shard).

Atomicity: a plan carries version checks (block keys, entities, the source record). The commit
Lua script applies the plan's writes only if every checked version is unchanged since the
snapshot; otherwise it writes nothing and the caller re-reads and re-decides. Two workers that
see duplicates of one person at once therefore end with one entity. Must not decide anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from agents.core.entities import BlockView, LookupRequest, Op, Plan, Snapshot, StoredRecord
from schemas.outputs import MatchDecision
from streams.settings import MatchSettings, RedisSettings

CallObserver = Callable[[str, float, bool], None]
"""(operation, seconds, failed) -> None; the worker passes one that feeds Prometheus."""

# KEYS[1] is the version hash. ARGV: n_checks, (field, expected)*, then ops:
# (command, key index, n_args, args*)*. REHOME moves every record of an absorbed entity.
COMMIT_SCRIPT = """
local ver = KEYS[1]
local n = tonumber(ARGV[1])
local i = 2
for _ = 1, n do
  local cur = redis.call('HGET', ver, ARGV[i]) or '0'
  if cur ~= ARGV[i + 1] then return 0 end
  i = i + 2
end
while i <= #ARGV do
  local cmd = ARGV[i]
  local key = KEYS[tonumber(ARGV[i + 1])]
  local nargs = tonumber(ARGV[i + 2])
  local args = {}
  for j = 1, nargs do args[j] = ARGV[i + 2 + j] end
  i = i + 3 + nargs
  if cmd == 'REHOME' then
    local survivor, target, rent = args[1], KEYS[tonumber(args[2])], KEYS[tonumber(args[3])]
    for _, member in ipairs(redis.call('SMEMBERS', key)) do
      redis.call('HSET', rent, member, survivor)
      redis.call('SADD', target, member)
    end
    redis.call('DEL', key)
  else
    redis.call(cmd, key, unpack(args))
  end
end
return 1
"""

ALLOWED_COMMANDS = frozenset({"SET", "DEL", "ZADD", "ZREM", "SADD", "SREM", "HSET", "HDEL", "HINCRBY", "XADD", "REHOME"})


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
        self._match = match
        self._observe = observe
        self._commit = client.register_script(COMMIT_SCRIPT)

    @classmethod
    def from_settings(
        cls, redis_settings: RedisSettings, match: MatchSettings, *, prefix: str | None = None, observe: CallObserver | None = None
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
        """Read what each request needs, for a whole batch in three pipelined round trips."""
        if not requests:
            return []
        cap = self._match.max_candidates_per_key
        pipe = self._client.pipeline(transaction=False)
        for req in requests:
            pipe.get(self.key(f"evt:{req.event_id}"))
            pipe.get(self.key(f"rec:{req.record_id}"))
            pipe.hget(self.key("rent"), req.record_id)
            pipe.get(self.key(f"erased:{req.record_id}"))
            pipe.hget(self.key("ver"), f"r:{req.record_id}")
            pipe.hget(self.key("tf"), req.name_key or "")
            pipe.hget(self.key("stats"), "records")
            for block in req.block_keys:
                pipe.zrevrange(self.key(f"blk:{block}"), 0, cap - 1)
                pipe.zcard(self.key(f"blk:{block}"))
                pipe.hget(self.key("ver"), f"b:{block}")
        first = iter(await self._timed("snapshot", pipe.execute()))

        partial: list[dict[str, Any]] = []
        for req in requests:
            applied, existing, existing_entity, erased, record_version, name_count, total = (next(first) for _ in range(7))
            blocks = {}
            for block in req.block_keys:
                members, size, version = next(first), next(first), next(first)
                blocks[block] = BlockView(int(version or 0), int(size), tuple(m.decode() for m in members))
            candidate_ids = _candidate_ids(req, blocks, self._match.max_candidates)
            partial.append(
                {
                    "applied": MatchDecision.model_validate_json(applied) if applied else None,
                    "existing": StoredRecord.from_json(existing) if existing else None,
                    "existing_entity": existing_entity.decode() if existing_entity else None,
                    "erased_at": datetime.fromisoformat(erased.decode()) if erased else None,
                    "record_version": int(record_version or 0),
                    "name_count": int(name_count or 0) if req.name_key else 0,
                    "total_records": int(total or 0),
                    "blocks": blocks,
                    "_candidate_ids": candidate_ids,
                }
            )

        pipe = self._client.pipeline(transaction=False)
        for part in partial:
            ids = part["_candidate_ids"]
            if ids:
                pipe.mget([self.key(f"rec:{rid}") for rid in ids])
                pipe.hmget(self.key("rent"), ids)
            entity = part["existing_entity"]
            if entity:
                pipe.scard(self.key(f"ent:{entity}"))
        second = iter(await self._timed("candidates", pipe.execute()) if len(pipe) else [])
        for part in partial:
            ids = part.pop("_candidate_ids")
            candidates: dict[str, StoredRecord] = {}
            entities: dict[str, str] = {}
            if ids:
                docs, owners = next(second), next(second)
                for rid, doc, entity in zip(ids, docs, owners, strict=True):
                    if doc is not None and entity is not None:
                        candidates[rid] = StoredRecord.from_json(doc)
                        entities[rid] = entity.decode()
            part["candidates"], part["candidate_entities"] = candidates, entities
            part["existing_entity_size"] = int(next(second)) if part["existing_entity"] else 0

        pipe = self._client.pipeline(transaction=False)
        wanted: list[list[str]] = []
        for part in partial:
            ids = sorted(set(part["candidate_entities"].values()) | ({part["existing_entity"]} - {None}))
            wanted.append(ids)
            if ids:
                pipe.hmget(self.key("ver"), [f"e:{e}" for e in ids])
        third = iter(await self._timed("versions", pipe.execute()) if len(pipe) else [])
        snapshots = []
        for part, ids in zip(partial, wanted, strict=True):
            versions = dict(zip(ids, (int(v or 0) for v in next(third)), strict=True)) if ids else {}
            snapshots.append(Snapshot(entity_versions=versions, **part))
        return snapshots

    def _commit_args(self, plan: Plan) -> tuple[list[str], list[Any]]:
        keys = [self.key("ver")]
        index = {"ver": 1}

        def key_index(name: str) -> int:
            if name not in index:
                keys.append(self.key(name))
                index[name] = len(keys)
            return index[name]

        args: list[Any] = [len(plan.checks)]
        for version_field, expected in plan.checks.items():
            args += [version_field, str(expected)]
        for op in plan.ops:
            if op.command not in ALLOWED_COMMANDS:
                raise ValueError(f"command {op.command!r} is not allowed in a commit")
            op_args: tuple[Any, ...] = op.args
            if op.command == "REHOME":
                survivor = str(op.args[0])
                op_args = (survivor, key_index(f"ent:{survivor}"), key_index("rent"))
            args += [op.command, key_index(op.key), len(op_args), *op_args]
        return keys, args

    async def commit(self, plans: Sequence[Plan]) -> list[bool]:
        """Apply plans in order, each atomically; False where a checked version had moved."""
        writing = [plan for plan in plans if plan.ops]
        if not writing:
            return [True] * len(plans)
        pipe = self._client.pipeline(transaction=False)
        for plan in writing:
            keys, args = self._commit_args(plan)
            await self._commit(keys=keys, args=args, client=pipe)
        results = iter(await self._timed("commit", pipe.execute()))
        return [bool(next(results)) if plan.ops else True for plan in plans]

    async def entity_records(self, entity_ids: Iterable[str]) -> dict[str, list[StoredRecord]]:
        """Current records of each entity (for golden records)."""
        ids = sorted(set(entity_ids))
        if not ids:
            return {}
        pipe = self._client.pipeline(transaction=False)
        for entity in ids:
            pipe.smembers(self.key(f"ent:{entity}"))
        members = [sorted(m.decode() for m in found) for found in await self._timed("entity", pipe.execute())]
        flat = [rid for group in members for rid in group]
        docs = await self._timed("entity", self._client.mget([self.key(f"rec:{rid}") for rid in flat])) if flat else []
        by_id = {rid: StoredRecord.from_json(doc) for rid, doc in zip(flat, docs, strict=True) if doc is not None}
        return {entity: [by_id[rid] for rid in group if rid in by_id] for entity, group in zip(ids, members, strict=True)}

    async def resolve(self, entity_id: str) -> str:
        """Follow merge redirects to the surviving entity id."""
        seen = {entity_id}
        while (nxt := await self._client.hget(self.key("redir"), entity_id)) is not None:
            entity_id = nxt.decode()
            if entity_id in seen:
                break
            seen.add(entity_id)
        return entity_id

    async def drop(self) -> int:
        """Delete every key of this index (tests and fresh `dedupe` runs). Returns keys deleted."""
        deleted = 0
        async for key in self._client.scan_iter(match=f"{self._tag}:*", count=1000):
            deleted += await self._client.delete(key)
        return deleted


def _candidate_ids(req: LookupRequest, blocks: dict[str, BlockView], limit: int) -> list[str]:
    """Candidate record ids in key order, without the record itself, at most `limit`."""
    seen: dict[str, None] = {}
    for block in req.block_keys:
        for rid in blocks[block].members:
            if rid != req.record_id and rid not in seen:
                seen[rid] = None
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)
