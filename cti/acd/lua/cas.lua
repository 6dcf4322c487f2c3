-- Compare-and-set of one string key: the answer handler and the 20 s alarm race on an offer,
-- and exactly one of them may win. KEYS: the key. ARGV: expected, new, ttlMs. Returns 1 if set.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
