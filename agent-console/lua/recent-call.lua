-- A call of this number ended: its view joins the number's cached recent calls in place (latest
-- arrival first, at most ARGV[3]), replacing the view of the same call read while it was live.
-- Nothing when the number has no cached entry: the next call of it reads MongoDB, where the call
-- already is (its record is flushed before the call is told ended).
-- KEYS: the number's cache hash (fields base, recent)
-- ARGV: the ended call's view as JSON, its callId, how many to keep
local recent = redis.call('HGET', KEYS[1], 'recent')
if not recent then
  return 0
end
local view = cjson.decode(ARGV[1])
local keep = tonumber(ARGV[3])
local out = {}
local placed = false
for _, c in ipairs(cjson.decode(recent)) do
  if c.callId ~= ARGV[2] then
    if not placed and (type(c.arrivedAt) ~= 'number' or c.arrivedAt < view.arrivedAt) then
      out[#out + 1] = view
      placed = true
    end
    out[#out + 1] = c
  end
end
if not placed then
  out[#out + 1] = view
end
while #out > keep do
  table.remove(out)
end
redis.call('HSET', KEYS[1], 'recent', cjson.encode(out))
return 1
