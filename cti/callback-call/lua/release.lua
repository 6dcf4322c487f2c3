-- Lets go of the guards one call holds (a later call's guard of the same name is left alone).
-- KEYS: the agent's guard, the callback's guard
-- ARGV: the call id
local n = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then n = n + redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then n = n + redis.call('DEL', KEYS[2]) end
return n
