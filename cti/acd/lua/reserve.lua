-- Atomically picks and reserves the agent for one queued call, or returns nil.
-- Why one script: two CTI processes dispatching at once must never offer one agent two calls,
-- and a later call must never take an agent that an earlier eligible call is waiting for.
-- All keys share the `{prefix}` hash tag, so the script stays on one slot of a Redis Cluster:
-- the fixed ones are declared; the per-call and per-agent ones are named from the same prefix.
-- KEYS: queue, qcall:<callId>, ready:yue, ready:cmn, ready:any, phones:unreachable
-- ARGV: prefix, callId, nowMs, fallbackMs, node (the process asking)
local p, callId = ARGV[1], ARGV[2]
local now, fallback = tonumber(ARGV[3]), tonumber(ARGV[4])
local qkey = KEYS[1]
local readyKey = { yue = KEYS[3], cmn = KEYS[4], any = KEYS[5] }

local myScore = redis.call('ZSCORE', qkey, callId)
if not myScore then return false end
local me = redis.call('HMGET', KEYS[2], 'lang', 'queuedAt', 'node')
local lang, queuedAt = me[1], tonumber(me[2])
if not lang or not queuedAt then return false end
-- Fencing: only the call's owner, while its heartbeat mark is alive, may reserve for it. A process
-- that was taken for dead (a long pause) must not ring agents for calls another one took over.
if me[3] ~= ARGV[5] or redis.call('EXISTS', p .. ':node:' .. ARGV[5]) == 0 then return false end

local function speaks(langs, l)
  return string.find(',' .. (langs or '') .. ',', ',' .. l .. ',', 1, true) ~= nil
end

-- Earlier calls still waiting, whose owning node is alive (a dead node's calls must not block).
local earlier = {}
for _, e in ipairs(redis.call('ZRANGEBYSCORE', qkey, '-inf', '(' .. myScore)) do
  local h = redis.call('HMGET', p .. ':qcall:' .. e, 'lang', 'queuedAt', 'node')
  if h[1] and h[3] and redis.call('EXISTS', p .. ':node:' .. h[3]) == 1 then
    table.insert(earlier, { h[1], tonumber(h[2]) })
  end
end

local function pick(setKey)
  for _, a in ipairs(redis.call('ZRANGE', setKey, 0, -1)) do
    local ag = redis.call('HMGET', p .. ':agent:' .. a, 'state', 'langs', 'ext')
    if ag[1] == 'ready' and redis.call('SISMEMBER', KEYS[6], ag[3] or '') == 0 then
      local blocked = false
      for _, e in ipairs(earlier) do
        if speaks(ag[2], e[1]) or (now - e[2]) >= fallback then
          blocked = true
          break
        end
      end
      if not blocked then return a end
    end
  end
  return nil
end

if not readyKey[lang] then return false end
local agent = pick(readyKey[lang])
if not agent and (now - queuedAt) >= fallback then agent = pick(readyKey.any) end
if not agent then return false end

redis.call('HSET', p .. ':agent:' .. agent, 'state', 'reserved', 'since', now, 'reason', '', 'callId', callId)
redis.call('ZREM', KEYS[3], agent)
redis.call('ZREM', KEYS[4], agent)
redis.call('ZREM', KEYS[5], agent)
redis.call('ZREM', qkey, callId)
redis.call('HSET', KEYS[2], 'agent', agent)
return agent
