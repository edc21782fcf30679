import mysql2 from 'mysql2';
import { PoolWaitTimeoutError } from './errors';

type GetConnectionCallback = (err: Error | null, connection?: mysql2.PoolConnection) => void;

/**
 * mysql2 for TypeORM's `driver` option, with its pools' waits bounded. mysql2 queues a request for
 * a connection without a time limit (it has no `acquireTimeout`: `queueLimit` bounds the queue's
 * length, not the wait), so a starved caller hung for ever. Here the caller gets a
 * PoolWaitTimeoutError after `waitMs`; a connection that comes free later for the abandoned request
 * goes straight back to the pool (to the next waiter).
 */
export function boundedPoolDriver(waitMs: number): typeof mysql2 {
  if (!Number.isInteger(waitMs) || waitMs < 1) throw new Error('boundedPoolDriver: waitMs must be a positive integer');
  const createPool = (config: mysql2.PoolOptions): mysql2.Pool => {
    const pool = mysql2.createPool(config);
    const poolSize = config.connectionLimit ?? 10;
    const getConnection = pool.getConnection.bind(pool) as (cb: GetConnectionCallback) => void;
    (pool as unknown as { getConnection: (cb: GetConnectionCallback) => void }).getConnection = (cb) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        cb(new PoolWaitTimeoutError(waitMs, poolSize));
      }, waitMs);
      timer.unref();
      getConnection((err, connection) => {
        if (settled) {
          if (!err) connection?.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        cb(err, connection);
      });
    };
    return pool;
  };
  return Object.create(mysql2, { createPool: { value: createPool, enumerable: true } }) as typeof mysql2;
}
