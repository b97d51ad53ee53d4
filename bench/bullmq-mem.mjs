// BullMQ's Redis bytes per waiting job, measured the way bench/run.sh measures claudomator's:
// INFO memory used_memory before and after adding N jobs (addBulk, chunks of CHUNK) with no worker.
// The jobs are the peer benchmark's W1 jobs (name 'noop', data {i}, default options).
// Runs from the peer's install folder (~/.cache/peer-bench/bullmq), where bench/run.sh copies it,
// so that `bullmq` and `ioredis` resolve to the pinned versions there.
// Env: REDIS_URL (must be a disposable Redis: the script sends FLUSHALL first), N (100000), CHUNK (1000).
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

const env = process.env;
const u = new URL(env.REDIS_URL || 'redis://127.0.0.1:6399');
const N = Number(env.N || 100000);
const CHUNK = Number(env.CHUNK || 1000);
const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };

const usedMemory = async (r) => {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
};

const r = new IORedis(connection);
await r.flushall();
const queue = new Queue('mem', { connection });
await queue.waitUntilReady();
// One add first so the queue's own keys (meta, id counter, events stream) exist before the
// baseline, as claudomator's stream and generation key do not count against its tasks either.
await queue.add('noop', { i: -1 });
const before = await usedMemory(r);
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i += CHUNK) {
  const jobs = [];
  for (let k = i; k < Math.min(N, i + CHUNK); k++) jobs.push({ name: 'noop', data: { i: k } });
  await queue.addBulk(jobs);
}
const enqS = Number(process.hrtime.bigint() - t0) / 1e9;
const after = await usedMemory(r);
const waiting = await queue.getWaitingCount();
console.log(
  `peer=bullmq workload=MEM n=${N} waiting=${waiting} used_memory_before=${before} used_memory_after=${after} ` +
  `bytes_per_task=${((after - before) / N).toFixed(1)} enqueue_s=${enqS.toFixed(3)} enqueue_per_s=${Math.round(N / enqS)}`,
);
await queue.close();
await r.quit();
