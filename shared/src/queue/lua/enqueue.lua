-- Hands dispatch orders of one agent type to Redis.
-- KEYS[1..3]  streams: high, normal, low
-- KEYS[4]     delayed zset (member "v1|<task>|<attempt>|<priority index>", score = due ms)
-- KEYS[5]     dispatch generation (string)
-- ARGV[1]     candidate generation, stored when none exists (first use or after data loss)
-- ARGV[2..]   groups of 4: task id, attempt, priority index (1 high, 2 normal, 3 low), due ms (0 = now)
-- Returns     the generation the orders now belong to.
-- Clock: Redis server time (TIME), the same for every caller.
if (#ARGV - 1) % 4 ~= 0 then
  return redis.error_reply('enqueue: ARGV must be a generation then groups of 4')
end
for i = 2, #ARGV, 4 do
  local prio = tonumber(ARGV[i + 2])
  if prio == nil or prio < 1 or prio > 3 or tonumber(ARGV[i + 1]) == nil or tonumber(ARGV[i + 3]) == nil then
    return redis.error_reply('enqueue: bad order at ' .. i)
  end
end
local gen = redis.call('GET', KEYS[5])
if not gen then
  gen = ARGV[1]
  redis.call('SET', KEYS[5], gen)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV, 4 do
  local task, attempt, prio, due = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  if due > now then
    redis.call('ZADD', KEYS[4], due, 'v1|' .. task .. '|' .. attempt .. '|' .. prio)
  else
    redis.call('XADD', KEYS[prio], '*', 'v', '1', 't', task, 'a', attempt)
  end
end
return gen
