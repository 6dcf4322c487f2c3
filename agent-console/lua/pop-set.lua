-- Stores an agent's screen-pop unless its offer (or its call) has already ended.
-- Every CTI process handles every call.ringing; a slow one must not bring back a pop that
-- another already cleared, so the clear leaves a tombstone that this script respects.
-- The caller's number is kept beside the json so a miss can name it without decoding the pop.
-- KEYS: pop hash, offer tombstone, call tombstone
-- ARGV: callId, attempt, pop json, ttl ms, caller number
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'attempt', ARGV[2], 'json', ARGV[3], 'callerNumber', ARGV[5], 'full', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
