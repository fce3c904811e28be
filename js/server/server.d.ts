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
  /**
   * This server's name for its peers and in logs (default `node-` + random); 1-64 of
   * `A-Z a-z 0-9 . _ : @ -`. Linked servers need different names.
   */
  nodeId?: string;
  /**
   * `host:port` client addresses of other `marekvs serve` processes to replicate with (same
   * `shards` and `partitions`). Dialed once listening and re-dialed with back-off; servers not
   * listed here may dial this one.
   */
  peers?: string[];
  /** Receives one line per event (listening, worker failures, peer links and their drops). */
  log?: (line: string) => void;
  /** Called after the server closed itself because a worker thread died. */
  onFatal?: (error: Error) => void;
}

export interface RunningServer {
  host: string;
  port: number;
  shards: number;
  partitions: number;
  /** This server's name (`nodeId` option or the random default). */
  nodeId: string;
  /** Names of the peers linked now. */
  peers(): string[];
  /** Stop listening, drop the connections, terminate the workers. */
  close(): Promise<void>;
}

/** Start a RESP2/RESP3 server hosting `shards` wasm shards in worker threads. */
export function startServer(options?: ServeOptions): Promise<RunningServer>;
