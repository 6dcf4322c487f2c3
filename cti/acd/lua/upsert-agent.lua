-- Registers (or refreshes) an agent's profile; a new agent starts offline. A script rather than a
-- MULTI because the change mark's score is the version the same step bumps.
-- KEYS: agent hash, agents (set), agents:ver, agents:changed (one hash tag: one Cluster slot)
-- ARGV: workNumber, name, extension, languagesCsv, nowMs
redis.call('HSET', KEYS[1], 'name', ARGV[2], 'ext', ARGV[3], 'langs', ARGV[4])
redis.call('HSETNX', KEYS[1], 'state', 'offline')
redis.call('HSETNX', KEYS[1], 'since', ARGV[5])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[3]), ARGV[1])
return 1
