-- An offer ended (no answer, busy, caller gone...): tombstone it, and drop the agent's pop if it
-- is still that offer's (a newer pop of another call stays). When the agent's own phone failed the
-- offer, remember it as the agent's latest miss with the caller's number taken from the pop, so a
-- console that (re)connects shows the miss rather than the call before it. Every process runs this
-- for every event: the second run finds the pop gone and the miss already stored, and keeps it; an
-- older miss arriving late never replaces a newer one.
-- KEYS: pop hash, offer tombstone, missed hash
-- ARGV: callId, attempt, tombstone ttl ms, missed ('1' or '0'), result, ringMs, at ms, missed ttl ms
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
local number = false
local cleared = 0
if redis.call('HGET', KEYS[1], 'callId') == ARGV[1] and redis.call('HGET', KEYS[1], 'attempt') == ARGV[2] then
  number = redis.call('HGET', KEYS[1], 'callerNumber')
  redis.call('DEL', KEYS[1])
  cleared = 1
end
if ARGV[4] == '1' then
  local m = redis.call('HMGET', KEYS[3], 'callId', 'attempt', 'at')
  local same = m[1] == ARGV[1] and m[2] == ARGV[2]
  if not same and (not m[3] or tonumber(m[3]) <= tonumber(ARGV[7])) then
    redis.call('DEL', KEYS[3])
    redis.call('HSET', KEYS[3], 'callId', ARGV[1], 'attempt', ARGV[2], 'result', ARGV[5], 'ringMs', ARGV[6], 'at', ARGV[7], 'callerNumber', number or '')
    redis.call('PEXPIRE', KEYS[3], ARGV[8])
  end
end
return cleared
