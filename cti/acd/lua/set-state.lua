-- Moves one agent to a new state if it is in one of the expected states and, for a call's step,
-- still on that call (cti/acd/agent-state.ts judgeMove is the same rule in TypeScript); keeps the
-- ready sets (the ACD's idle order) in step with the state in the same atomic step.
-- KEYS: agent hash, ready:yue, ready:cmn, ready:any, agents:ver, agents:changed (one hash tag: one Cluster slot)
-- ARGV: expectedCsv, newState, nowMs, reason, newCallId, scopeCallId ('' = a person's move), workNumber
-- Returns { 1, previousState } on success, { 0, currentState, why } when refused.
local expected, state, now, reason, callId, scope = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local cur = redis.call('HGET', KEYS[1], 'state')
if not cur then return { 0, 'unknown', 'unknown' } end
if string.find(',' .. expected .. ',', ',' .. cur .. ',', 1, true) == nil then
  return { 0, cur, 'state' }
end
if scope ~= '' and (redis.call('HGET', KEYS[1], 'callId') or '') ~= scope then
  return { 0, cur, 'other-call' }
end
redis.call('HSET', KEYS[1], 'state', state, 'since', now, 'reason', reason, 'callId', callId)
redis.call('ZADD', KEYS[6], redis.call('INCR', KEYS[5]), ARGV[7])
redis.call('ZREM', KEYS[2], ARGV[7])
redis.call('ZREM', KEYS[3], ARGV[7])
redis.call('ZREM', KEYS[4], ARGV[7])
if state == 'ready' then
  local langs = redis.call('HGET', KEYS[1], 'langs') or ''
  for l in string.gmatch(langs, '[^,]+') do
    if l == 'yue' then redis.call('ZADD', KEYS[2], now, ARGV[7]) end
    if l == 'cmn' then redis.call('ZADD', KEYS[3], now, ARGV[7]) end
  end
  redis.call('ZADD', KEYS[4], now, ARGV[7])
end
return { 1, cur }
