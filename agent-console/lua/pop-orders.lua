-- Replaces a stored pop (the live one, or the last call's) with a version whose open work orders
-- were read again, only if the hash still holds that call's pop exactly as it was read: a clear or
-- a newer call in between wins, and the refresh is dropped.
-- KEYS: pop or last-call hash
-- ARGV: callId, field holding the pop json ('json' or 'pop'), pop json as read, new pop json
if redis.call('HGET', KEYS[1], 'callId') ~= ARGV[1] or redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
return 1
