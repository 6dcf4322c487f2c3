-- A real call arrived: the silence window starts again from it, and an open silence alarm is
-- taken for closing. Calls of several processes arrive out of order by a few ms; the window
-- keeps the latest. KEYS: last-call time (ms), open-alarm flag. ARGV: the call's arrival (ms).
-- Returns the flag's value (the alarm to close) or false.
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > last then
  redis.call('SET', KEYS[1], ARGV[1])
end
return redis.call('GETDEL', KEYS[2])
