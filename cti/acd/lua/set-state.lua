-- Moves one agent to a new state if it is in one of the expected states; keeps the ready sets
-- (the ACD's idle order) in step with the state in the same atomic step.
-- ARGV: prefix, workNumber, expectedCsv ('' = any), newState, nowMs, reason, callId ('' = clear)
-- Returns { 1, previousState } on success, { 0, currentState } when the agent was elsewhere.
local p, wn, expected, state = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, reason, callId = ARGV[5], ARGV[6], ARGV[7]
local key = p .. ':agent:' .. wn
local cur = redis.call('HGET', key, 'state')
if not cur then return { 0, 'unknown' } end
if expected ~= '' and string.find(',' .. expected .. ',', ',' .. cur .. ',', 1, true) == nil then
  return { 0, cur }
end
redis.call('HSET', key, 'state', state, 'since', now, 'reason', reason, 'callId', callId)
redis.call('ZREM', p .. ':ready:yue', wn)
redis.call('ZREM', p .. ':ready:cmn', wn)
redis.call('ZREM', p .. ':ready:any', wn)
if state == 'ready' then
  local langs = redis.call('HGET', key, 'langs') or ''
  for l in string.gmatch(langs, '[^,]+') do redis.call('ZADD', p .. ':ready:' .. l, now, wn) end
  redis.call('ZADD', p .. ':ready:any', now, wn)
end
return { 1, cur }
