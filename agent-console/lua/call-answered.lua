-- The agent answered: remember the current call unless it has already ended.
-- KEYS: call hash, call tombstone
-- ARGV: callId, call json, ttl ms
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'json', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
