-- PUBLISH from a one-key script whose key is the channel: on a Redis Cluster the script runs on
-- the node of the channel's slot, so every event of a process takes one path, in order.
-- KEYS[1] the channel, ARGV[1] the event (JSON).
return redis.call('PUBLISH', KEYS[1], ARGV[1])
