-- Shows an agent's screen-pop at ringing in one round trip: the bare pop (who, language, times)
-- joined with the content gathered while the caller was greeted (customer, recent calls, open
-- orders, outages: the call's context, see pop-context.ts), unless the offer or call has ended.
-- The join is text: the bare JSON's closing brace gives way to the context's fields, so no JSON
-- is decoded here (cjson would also turn an empty list into an object).
-- Every process handles every call.ringing: a pop already stored for this offer is returned as is.
-- KEYS: pop hash, offer tombstone, call tombstone, call context
-- ARGV: callId, attempt, bare pop json (no content fields), ttl ms, caller number, empty content fields
-- Returns false when the offer is over; else { json, 1 when the context was there / 0 when not }.
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
  return false
end
local stored = redis.call('HMGET', KEYS[1], 'callId', 'attempt', 'json', 'full')
if stored[1] == ARGV[1] and stored[2] == ARGV[2] and stored[3] and stored[4] == '1' then
  return { stored[3], 1 }
end
local ctx = redis.call('GET', KEYS[4])
local full = ctx and 1 or 0
local json = string.sub(ARGV[3], 1, -2) .. ',' .. (ctx or ARGV[6]) .. '}'
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'attempt', ARGV[2], 'json', json, 'callerNumber', ARGV[5], 'full', tostring(full))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { json, full }
