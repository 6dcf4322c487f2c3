-- Atomically picks and reserves the agent for one queued call, or returns nil.
-- Why one script: two CTI processes dispatching at once must never offer one agent two calls,
-- and a later call must never take an agent that an earlier eligible call is waiting for (the
-- earlier calls set their agents aside first: see below).
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

-- Earlier calls still waiting, whose owning node is alive (a dead node's calls must not block),
-- and that have waited at least the grace (ARGV[7] ms): a call queued a moment ago is about to be
-- served by its own process. Oldest first (the queue's order).
local grace = tonumber(ARGV[7]) or 0
local earlier = {}
for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. myScore)) do
  local h = redis.call('HMGET', slotKey('qcall:' .. e), 'lang', 'queuedAt', 'node')
  if h[1] and h[3] and readyIndex[h[1]] and now - tonumber(h[2]) >= grace and redis.call('EXISTS', slotKey('node:' .. h[3])) == 1 then
    table.insert(earlier, { h[1], tonumber(h[2]) })
  end
end

-- Who may take an agent, and which: the earlier calls first, each (in queue order) setting aside
-- the longest-idle agent it could take, then this call from what is left. An earlier call keeps
-- its turn and its agent whichever process serves it; with more Ready agents than earlier calls a
-- later call need not wait for their processes. (Holding every later call back until the earlier
-- ones were served made the processes serve the queue one hand-off at a time: once a stall let
-- the queue grow past the grace it never recovered, and 1,000 Ready agents watched it grow.)
-- Agents are read a page at a time, longest idle first, each at most once; a cursor per ready set
-- remembers where the agents still free begin, so N earlier calls cost about N agent reads.
local PAGE = 32
local usable = {}
local taken = {}
local cursor = { 0, 0, 0, 0, 0 }
local pages = { {}, {}, {}, {}, {} }
local function agentUsable(a)
  local u = usable[a]
  if u == nil then
    local ag = redis.call('HMGET', slotKey('agent:' .. a), 'state', 'ext')
    u = ag[1] == 'ready' and redis.call('SISMEMBER', KEYS[6], ag[2] or '') == 0 and (ag[2] or '')
    usable[a] = u
  end
  return u
end
-- The first agent of ready set `idx` that is usable and not set aside, or nil; it stays free.
local function firstFree(idx)
  local pos = cursor[idx]
  while true do
    local from = pos - (pos % PAGE)
    local page = pages[idx][from]
    if page == nil then
      page = redis.call('ZRANGE', KEYS[idx], from, from + PAGE - 1)
      pages[idx][from] = page
    end
    local a = page[pos - from + 1]
    if a == nil then
      cursor[idx] = pos
      return nil
    end
    if not taken[a] and agentUsable(a) then
      cursor[idx] = pos
      return a
    end
    pos = pos + 1
  end
end
local function choose(l, since)
  local a = firstFree(readyIndex[l])
  if not a and (now - since) >= fallback then a = firstFree(readyIndex.any) end
  return a
end

if not readyIndex[lang] then return false end
for _, e in ipairs(earlier) do
  local a = choose(e[1], e[2])
  if a then taken[a] = true end
end
local agent = choose(lang, queuedAt)
if not agent then return false end
local ext = usable[agent]

redis.call('HSET', slotKey('agent:' .. agent), 'state', 'reserved', 'since', now, 'reason', '', 'callId', callId)
redis.call('ZADD', slotKey('agents:changed'), redis.call('INCR', slotKey('agents:ver')), agent)
redis.call('ZREM', KEYS[3], agent)
redis.call('ZREM', KEYS[4], agent)
redis.call('ZREM', KEYS[5], agent)
redis.call('ZREM', KEYS[1], callId)
redis.call('HSET', KEYS[2], 'agent', agent)
if ARGV[5] ~= '' then redis.call('SET', KEYS[7], 'ringing', 'PX', ARGV[6]) end
return { agent, ext or '' }
