-- One step of a call's monitor, compare-and-set: the session replaced (or created, or removed) only
-- when it is still the one the caller read, and the call's monitoring log moved on with it.
-- KEYS[1] the monitors (hash: callId -> session JSON), KEYS[2] the call's monitoring log (list of JSON entries)
-- ARGV[1] callId, ARGV[2] the rev read ('' : none may exist), ARGV[3] the new session JSON ('' : removed),
-- ARGV[4] ISO time that closes the log's open entry ('' : none), ARGV[5] entry to append ('' : none),
-- ARGV[6] how long the log is kept (ms)
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  if cur then return {0, cur} end
elseif not cur or tostring(cjson.decode(cur).rev) ~= ARGV[2] then
  return {0, cur or ''}
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
if ARGV[4] ~= '' then
  local last = redis.call('RPOP', KEYS[2])
  if last then
    local e = cjson.decode(last)
    if not e.endedAt then e.endedAt = ARGV[4] end
    redis.call('RPUSH', KEYS[2], cjson.encode(e))
  end
end
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[5]) end
if ARGV[4] ~= '' or ARGV[5] ~= '' then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
return {1, redis.call('LRANGE', KEYS[2], 0, -1)}
