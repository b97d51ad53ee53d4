-- Counts one request of a client in a fixed window and says whether it is within the limit.
-- KEYS[1]  the client's counter (expires with its window)
-- ARGV[1]  limit: requests allowed per window (>= 1)
-- ARGV[2]  window length in ms (>= 1)
-- Returns  {allowed (1 or 0), requests counted in this window, ms until the window ends}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if limit == nil or limit < 1 or window == nil or window < 1 then
  return redis.error_reply('rate_limit: limit and window must be positive numbers')
end
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], window)
  ttl = window
end
if count > limit then
  return {0, count, ttl}
end
return {1, count, ttl}
