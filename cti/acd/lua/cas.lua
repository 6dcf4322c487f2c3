-- Compare-and-set of one string key: the answer handler and the 20 s alarm race on an offer,
-- and exactly one of them may win. ARGV: key, expected, new, ttlMs. Returns 1 if set.
if redis.call('GET', ARGV[1]) == ARGV[2] then
  redis.call('SET', ARGV[1], ARGV[3], 'PX', ARGV[4])
  return 1
end
return 0
