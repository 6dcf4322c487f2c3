-- Holds both guards for one call, or neither: an agent places one callback call at a time, and a
-- callback is called by one agent at a time.
-- KEYS: the agent's guard, the callback's guard
-- ARGV: the call id, how long a guard lives at most (ms)
-- Returns '' when held, else the call id that holds one of them.
local agent = redis.call('GET', KEYS[1])
if agent and agent ~= ARGV[1] then return agent end
local callback = redis.call('GET', KEYS[2])
if callback and callback ~= ARGV[1] then return callback end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return ''
