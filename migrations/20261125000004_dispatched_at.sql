-- When a QUEUED task was last handed to Redis. With the streams of its agent empty, a due task
-- handed over long ago has lost its order (a failover that dropped writes but kept the
-- generation key): the reconciler sends it again.
ALTER TABLE tasks ADD COLUMN dispatched_at timestamptz;
