-- Applies one step to a supervisor's field: a step older than the one stored (its event's `at`,
-- then its rank) is stale and changes nothing (nil); an equal one is applied again, so every
-- process, applying every event, tells its own boards. A clear (empty notice) only clears the same
-- call's notice and leaves a tombstone, so a late step of that call cannot bring it back.
--
-- KEYS[1] the notices hash; ARGV: work number, callId, at, rank, notice JSON ('' = clear)
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local at, rank = tonumber(ARGV[3]), tonumber(ARGV[4])
local c = cur and cjson.decode(cur)
if c and (c.at > at or (c.at == at and c.rank > rank)) then return nil end
if ARGV[5] == '' then
  if not c or c.callId ~= ARGV[2] then return nil end
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ callId = ARGV[2], at = at, rank = rank }))
  return ''
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ callId = ARGV[2], at = at, rank = rank, notice = ARGV[5] }))
return ARGV[5]
