-- The call ended: every supervisor whose notice is (or was) of it, their notice cleared.
-- KEYS[1] the notices hash; ARGV: callId, at
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local c = cjson.decode(all[i + 1])
  if c.callId == ARGV[1] then
    redis.call('HSET', KEYS[1], all[i], cjson.encode({ callId = ARGV[1], at = tonumber(ARGV[2]), rank = 9 }))
    out[#out + 1] = all[i]
  end
end
return out
