-- One step of draining a record's outbox list, under its lease, in one round trip.
-- KEYS[1] the record's list, KEYS[2] the set of records with writes waiting, KEYS[3] the lease.
-- ARGV[1] the record's name, ARGV[2] the drainer's token, ARGV[3] the lease in ms,
-- ARGV[4] how many entries the drainer applied since its last step (0: it asks for the lease),
-- ARGV[5] the mark of a held write, ARGV[6] the most entries handed out at once.
-- Returns the entries to apply next (up to the last one that is not held), {} when nothing is
-- left to apply (the lease is then released), or false when the lease is not the drainer's.
local applied = tonumber(ARGV[4])
if applied == 0 then
  if not redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3], 'NX') then return false end
else
  -- A lease that ran out and went to another drainer: that one applies the same writes again
  -- (each is a $set) and removes them; removing them here too would drop writes queued since.
  if redis.call('GET', KEYS[3]) ~= ARGV[2] then return false end
  redis.call('LTRIM', KEYS[1], applied, -1)
end
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
local last = 0
for i, e in ipairs(entries) do
  if string.sub(e, 1, 1) ~= ARGV[5] then last = i end
end
if last == 0 then
  -- Only held writes (or none): they wait for the record's next write, which names it again.
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[3])
  return {}
end
redis.call('PEXPIRE', KEYS[3], ARGV[3])
local upTo = math.min(last, tonumber(ARGV[6]))
local batch = {}
for i = 1, upTo do batch[i] = entries[i] end
return batch
