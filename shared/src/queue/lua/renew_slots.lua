-- Extends the slots a worker holds. XX: a slot released meanwhile (its attempt just ended) is
-- not re-created; after Redis lost its data the running attempts go uncounted until they end.
-- KEYS[1]     slots zset
-- KEYS[2]     settings hash
-- ARGV[1]     slot TTL in ms
-- ARGV[2..]   slot names held
-- Returns     number of slots written (0 when the agent has no limit: slots are not tracked).
local ttl = tonumber(ARGV[1])
if ttl == nil or ttl <= 0 then
  return redis.error_reply('renew_slots: bad ttl')
end
local limit = tonumber(redis.call('HGET', KEYS[2], 'limit') or '-1') or -1
if limit < 0 then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
end
return #ARGV - 1
