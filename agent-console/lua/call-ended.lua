-- The call ended: tombstone it, drop the agent's pop and current call if they are this call's,
-- and keep it as the agent's last call together with its pop (the work-order form needs it
-- during after-call work, also after a refresh). Returns the pop json ('' if none).
-- Idempotent: the second process to run it finds the pop already moved into the last call.
-- KEYS: pop hash, call hash, last-call hash, call tombstone
-- ARGV: callId, last-call json ('' = no agent), tombstone ttl ms, last-call ttl ms
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
local pop = false
if redis.call('HGET', KEYS[1], 'callId') == ARGV[1] then
  pop = redis.call('HGET', KEYS[1], 'json')
  redis.call('DEL', KEYS[1])
end
if redis.call('HGET', KEYS[2], 'callId') == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
if redis.call('HGET', KEYS[3], 'callId') == ARGV[1] then
  local kept = redis.call('HGET', KEYS[3], 'pop')
  if not pop and kept and kept ~= '' then pop = kept end
end
if ARGV[2] ~= '' then
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], 'callId', ARGV[1], 'json', ARGV[2], 'pop', pop or '')
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return pop or ''
