-- Moves due members of the delayed set into their streams, atomically.
-- KEYS[1..3]  streams: high, normal, low
-- KEYS[4]     delayed zset
-- ARGV[1]     most members to move
-- Returns     {moved, ms until the next member is due or -1 when none is left}
-- Clock: Redis server time (TIME).
local limit = tonumber(ARGV[1])
if limit == nil or limit < 1 then
  return redis.error_reply('promote: bad limit')
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, limit)
local moved = 0
for _, m in ipairs(due) do
  local v, task, attempt, prio = string.match(m, '^(v1)|([^|]+)|([^|]+)|([123])$')
  if v then
    redis.call('XADD', KEYS[tonumber(prio)], '*', 'v', '1', 't', task, 'a', attempt)
    moved = moved + 1
  end
  -- Unparseable members (only a newer, incompatible writer makes them) are dropped.
  redis.call('ZREM', KEYS[4], m)
end
local nxt = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
local wait = -1
if nxt[2] then
  wait = math.max(0, tonumber(nxt[2]) - now)
end
return {moved, wait}
