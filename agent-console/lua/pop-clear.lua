-- An offer ended (no answer, busy, caller gone...): tombstone it, and drop the agent's pop if it
-- is still that offer's (a newer pop of another call stays).
-- KEYS: pop hash, offer tombstone
-- ARGV: callId, attempt, tombstone ttl ms
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
if redis.call('HGET', KEYS[1], 'callId') == ARGV[1] and redis.call('HGET', KEYS[1], 'attempt') == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
