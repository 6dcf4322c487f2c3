-- Atomically picks and reserves the agent for one queued call, or returns nil.
-- Why one script: two CTI processes dispatching at once must never offer one agent two calls,
-- and a later call must never take an agent that an earlier eligible call is waiting for.
-- KEYS: queue, qcall:<callId>, ready:yue, ready:cmn, ready:any, phones:unreachable, offer:<callId>:<attempt>
-- ARGV: callId, nowMs, fallbackMs, node (the process asking), attempt ('' = no offer mark), offer mark ttl ms,
--       fairness grace ms
-- With an attempt the offer's mark is set to 'ringing' in the same step, so the owner goes from
-- this one script straight to the originate request (the ACD decision is one round trip).
-- Returns { agent, extension } or false.
-- The earlier calls' and the candidate agents' hashes are only known once the script has read
-- the queue and the ready sets, so they cannot be declared: slotKey() names them from the hash
-- tag of KEYS[1] (`{prefix}`), which puts them in the declared keys' Cluster slot by construction.
-- test/unit/lua-keys.test.ts checks that every key a script touches is a KEYS[...] or a slotKey().
local tag = string.match(KEYS[1], '^{[^}]+}')
if not tag then return redis.error_reply('reserve: KEYS[1] has no {hash tag}') end
local function slotKey(name) return tag .. ':' .. name end
local callId = ARGV[1]
local now, fallback = tonumber(ARGV[2]), tonumber(ARGV[3])
local readyIndex = { yue = 3, cmn = 4, any = 5 }

local myScore = redis.call('ZSCORE', KEYS[1], callId)
if not myScore then return false end
local me = redis.call('HMGET', KEYS[2], 'lang', 'queuedAt', 'node')
local lang, queuedAt = me[1], tonumber(me[2])
if not lang or not queuedAt then return false end
-- Fencing: only the call's owner, while its heartbeat mark is alive, may reserve for it. A process
-- that was taken for dead (a long pause) must not ring agents for calls another one took over.
if me[3] ~= ARGV[4] or redis.call('EXISTS', slotKey('node:' .. ARGV[4])) == 0 then return false end

local function speaks(langs, l)
  return string.find(',' .. (langs or '') .. ',', ',' .. l .. ',', 1, true) ~= nil
end

-- Earlier calls still waiting, whose owning node is alive (a dead node's calls must not block),
-- and that have waited at least the grace (ARGV[7] ms): a call queued a moment ago is about to be
-- served by its own process, and waiting for that would chain every reservation through the
-- processes one hand-off at a time (at 20 calls/s the queue grew by seconds). Within the grace a
-- later call may take an agent first; past it, strict first-come first-served holds.
local grace = tonumber(ARGV[7]) or 0
local earlier = {}
for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. myScore)) do
  local h = redis.call('HMGET', slotKey('qcall:' .. e), 'lang', 'queuedAt', 'node')
  if h[1] and h[3] and now - tonumber(h[2]) >= grace and redis.call('EXISTS', slotKey('node:' .. h[3])) == 1 then
    table.insert(earlier, { h[1], tonumber(h[2]) })
  end
end

-- Longest idle first, read a page at a time: the first eligible agent is nearly always on the
-- first page, and a thousand Ready agents must not cost a thousand-entry reply per call.
local PAGE = 32
local function pick(ready)
  local from = 0
  while true do
    local page = redis.call('ZRANGE', KEYS[ready], from, from + PAGE - 1)
    if #page == 0 then return nil end
    for _, a in ipairs(page) do
      local ag = redis.call('HMGET', slotKey('agent:' .. a), 'state', 'langs', 'ext')
      if ag[1] == 'ready' and redis.call('SISMEMBER', KEYS[6], ag[3] or '') == 0 then
        local blocked = false
        for _, e in ipairs(earlier) do
          if speaks(ag[2], e[1]) or (now - e[2]) >= fallback then
            blocked = true
            break
          end
        end
        if not blocked then return a, ag[3] end
      end
    end
    from = from + PAGE
  end
end

if not readyIndex[lang] then return false end
-- An earlier call of the same language (or one past the fallback) wants every agent this call
-- could get: no need to read the agents at all. Without this a queue spread over processes made
-- each refused reservation read every Ready agent (1,000 HMGETs a call with 1,000 agents).
local function outranked(l)
  for _, e in ipairs(earlier) do
    if e[1] == l or (now - e[2]) >= fallback then return true end
  end
  return false
end
local agent, ext
if not outranked(lang) then agent, ext = pick(readyIndex[lang]) end
if not agent and (now - queuedAt) >= fallback and not outranked('any') then agent, ext = pick(readyIndex.any) end
if not agent then return false end

redis.call('HSET', slotKey('agent:' .. agent), 'state', 'reserved', 'since', now, 'reason', '', 'callId', callId)
redis.call('ZREM', KEYS[3], agent)
redis.call('ZREM', KEYS[4], agent)
redis.call('ZREM', KEYS[5], agent)
redis.call('ZREM', KEYS[1], callId)
redis.call('HSET', KEYS[2], 'agent', agent)
if ARGV[5] ~= '' then redis.call('SET', KEYS[7], 'ringing', 'PX', ARGV[6]) end
return { agent, ext or '' }
