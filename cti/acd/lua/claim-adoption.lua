-- One survivor takes over a dead process's call: 1 for the first to ask, 0 when refused.
-- Refused while the owner is alive (it beat again before putting its calls back) and while another
-- live process holds the call; a call whose adopter died in turn may be claimed again.
-- KEYS: adopted:<callId>
-- ARGV: claiming node, keepMs, owner node ('' = unknown)
-- The adopter already recorded is only known once KEYS[1] is read, so its liveness mark cannot be
-- declared: slotKey() names node marks from KEYS[1]'s hash tag, the declared key's Cluster slot.
local tag = string.match(KEYS[1], '^{[^}]+}')
if not tag then return redis.error_reply('claim-adoption: KEYS[1] has no {hash tag}') end
local function slotKey(name) return tag .. ':' .. name end
if ARGV[3] ~= '' and redis.call('EXISTS', slotKey('node:' .. ARGV[3])) == 1 then return 0 end
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] and redis.call('EXISTS', slotKey('node:' .. cur)) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
