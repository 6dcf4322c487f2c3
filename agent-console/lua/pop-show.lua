-- Shows an agent's screen-pop at ringing in one round trip: the bare pop (who, language, times)
-- joined with the content gathered while the caller was greeted (customer, recent calls, open
-- orders, outages: the call's context, see pop-context.ts), unless the offer or call has ended.
-- The join is text: the bare JSON's closing brace gives way to the context's fields, so no JSON
-- is decoded here (cjson would also turn an empty list into an object).
-- A pop already stored for this offer is returned as is.
-- With a call.ringing event in ARGV[7], it is published on the channel KEYS[5] with the pop joined
-- in (`pop`: the JSON returned, or null when the offer is over; `popFull`): the owner of the call
-- shows the pop as it tells of the ring, and every process only emits it. With ARGV[7] empty
-- nothing is published (KEYS[5] is then only a key of the same slot).
-- KEYS: pop hash, offer tombstone, call tombstone, call context, event channel
-- ARGV: callId, attempt, bare pop json (no content fields), ttl ms, caller number, empty content
--       fields, call.ringing event json or ''
-- Returns false when the offer is over; else { json, 1 when the context was there / 0 when not }.
local function tell(json, full)
  if ARGV[7] ~= '' then
    local event = string.sub(ARGV[7], 1, -2) .. ',"popFull":' .. (full == 1 and 'true' or 'false') .. ',"pop":' .. (json or 'null') .. '}'
    redis.call('PUBLISH', KEYS[5], event)
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
  tell(nil, 0)
  return false
end
local stored = redis.call('HMGET', KEYS[1], 'callId', 'attempt', 'json', 'full')
if stored[1] == ARGV[1] and stored[2] == ARGV[2] and stored[3] and stored[4] == '1' then
  tell(stored[3], 1)
  return { stored[3], 1 }
end
local ctx = redis.call('GET', KEYS[4])
local full = ctx and 1 or 0
local json = string.sub(ARGV[3], 1, -2) .. ',' .. (ctx or ARGV[6]) .. '}'
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'attempt', ARGV[2], 'json', json, 'callerNumber', ARGV[5], 'full', tostring(full))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
tell(json, full)
return { json, full }
