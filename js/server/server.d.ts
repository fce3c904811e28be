// Types of the `marekvs serve` server module (js/server/server.mjs).

export interface ServeOptions {
  /** Address to listen on (default `'127.0.0.1'`). */
  host?: string;
  /** TCP port (default 6379; 0 picks a free port). */
  port?: number;
  /** Shard workers (`worker_threads`), 1..250 (default 1). */
  shards?: number;
  /** Slot partitions, `shards`..16384 (default `max(16, shards)`); partition p is served by worker p % shards. */
  partitions?: number;
  /** Receives one line per event (listening, worker failures). */
  log?: (line: string) => void;
  /** Called after the server closed itself because a worker thread died. */
  onFatal?: (error: Error) => void;
}

export interface RunningServer {
  host: string;
  port: number;
  shards: number;
  partitions: number;
  /** Stop listening, drop the connections, terminate the workers. */
  close(): Promise<void>;
}

/** Start a RESP2/RESP3 server hosting `shards` wasm shards in worker threads. */
export function startServer(options?: ServeOptions): Promise<RunningServer>;
