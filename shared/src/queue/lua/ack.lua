-- Acknowledges and deletes handled stream entries, so streams never grow with finished work.
-- KEYS[1..3]  streams: high, normal, low
-- ARGV[1]     consumer group
-- ARGV[2..]   pairs: priority index (1..3), entry id
-- Returns     number of entries acknowledged.
if (#ARGV - 1) % 2 ~= 0 then
  return redis.error_reply('ack: ARGV must be a group then pairs')
end
for i = 2, #ARGV, 2 do
  local p = tonumber(ARGV[i])
  if p == nil or p < 1 or p > 3 then
    return redis.error_reply('ack: bad priority at ' .. i)
  end
end
local n = 0
for i = 2, #ARGV, 2 do
  local key = KEYS[tonumber(ARGV[i])]
  n = n + redis.call('XACK', key, ARGV[1], ARGV[i + 1])
  redis.call('XDEL', key, ARGV[i + 1])
end
return n
