-- Asks for fleet-wide run slots of one agent type.
-- KEYS[1]     slots zset (member = "<worker>:<slot>", score = expiry ms)
-- KEYS[2]     settings hash (limit: -1 = none; paused: 0/1; paused_until_ms)
-- ARGV[1]     slot TTL in ms
-- ARGV[2..]   the slot names wanted, in order of preference
-- Returns     {pause_ms, tracked, granted names...}: pause_ms -1 = paused until resumed, >0 =
--             paused that long (nothing granted), 0 = not paused; tracked 1 when the slots were
--             recorded (a limit is set) and must be renewed and released, 0 when not.
-- Expired slots are removed first, so a crashed worker never leaks one.
local ttl = tonumber(ARGV[1])
if ttl == nil or ttl <= 0 then
  return redis.error_reply('acquire: bad ttl')
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[2], 'limit', 'paused', 'paused_until_ms')
if s[2] == '1' then
  return {-1}
end
local untl = tonumber(s[3] or '0') or 0
if untl > now then
  return {untl - now}
end
local limit = tonumber(s[1] or '-1') or -1
if limit < 0 then
  local out = {0, 0}
  for i = 2, #ARGV do
    out[#out + 1] = ARGV[i]
  end
  return out
end
local out = {0, 1}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local used = redis.call('ZCARD', KEYS[1])
for i = 2, #ARGV do
  if used >= limit then
    break
  end
  if redis.call('ZADD', KEYS[1], 'NX', now + ttl, ARGV[i]) == 1 then
    used = used + 1
  end
  out[#out + 1] = ARGV[i]
end
return out
