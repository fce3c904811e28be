// Types of `marekvs/cluster` (js/cluster/node.mjs for Node, js/cluster/browser.mjs for
// browsers): a Node of shard workers. See docs/js-api.md ("Node class").
import type { Arg, LinkStats, Reply, ReplyError } from '../index.js';

/** Options of the replication links (`connect(shard, port, options)` in each worker). */
export interface LinkOptions {
  /** Sent-but-unacknowledged bytes per link before live batches are skipped (default 8 MiB). */
  maxInflightBytes?: number;
  /** Version-vector exchange / anti-entropy cadence (default 200 ms). */
  syncIntervalMs?: number;
  /** Peers' vectors drive tombstone collection (default true). */
  collectGarbage?: boolean;
  /** Restore each link's frame order over a reordering transport (default true). */
  reorder?: boolean;
  /** How long a missing frame is waited for before the ones after it are delivered (default 3000 ms). */
  gapTimeoutMs?: number;
}

export interface NodeOptions {
  /** Number of shard workers, 1..256 (default 1). */
  shards?: number;
  /** Size of the partition map, shards..16384 (default max(16, shards)). Shard i serves p % shards == i. */
  partitions?: number;
  /** Label for logs (default node1, node2, ...). */
  name?: string;
  /** `'throw'` (default): an error reply rejects with a ReplyError; `'return'`: it is resolved. */
  errors?: 'throw' | 'return';
  /** RESP version of the replies (default 2). */
  protocol?: 2 | 3;
  /** `'string'` (default) or `'bytes'`: how bulk strings come back. */
  bulkAs?: 'string' | 'bytes';
  /** A script's deadline in every shard (default 20 ms). */
  scriptTimeLimitMs?: number;
  /** Bytes one script may allocate (default 16 MiB). */
  scriptMemoryLimit?: number;
  /** Base of the shards' PRNG seeds (default 1). */
  seed?: number;
  /** A SharedArrayBuffer of 16 × shards bytes: each worker's script budget publishes into its 4 int32 (see `setInterruptBuffer`; SCRIPT KILL / BUSY in `marekvs serve`). */
  statusBuffer?: SharedArrayBuffer;
  /** Options of every replication link. */
  link?: LinkOptions;
  /** A worker not ready after this long fails start() / restartShard() (default 60000 ms). */
  startTimeoutMs?: number;
  /** Diagnostics: worker errors and exits, links dropped with their reason. */
  log?: (message: string) => void;
  /** Lifecycle events. */
  onEvent?: (event: NodeEvent) => void;
}

export type NodeEvent =
  | { type: 'shard-ready'; shard: number; nodeId: bigint }
  | { type: 'shard-exit'; shard: number; code: number | null; expected: boolean }
  | { type: 'link-hello' | 'link-live' | 'link-closed' | 'link-refused'; shard: number; link: number; peer: bigint | null; reason: string | null };

export type { LinkStats } from '../index.js';

export interface ShardInfo {
  index: number;
  nodeId: bigint;
  dbsize: number;
  pendingEffects: number;
  digest: string;
  links: { id: number; state: 'connecting' | 'live' | 'closed'; peer: bigint | null; closeReason: string | null; stats: LinkStats }[];
  /** With `info({ vectors: true })`: partition → { origin hex: "ms.counter" }. */
  vectors?: Record<string, Record<string, string>>;
}

export interface NodeInfo {
  name: string;
  /** The node's DEBUG DIGEST. */
  digest: string;
  shards: ShardInfo[];
}

/** A MessagePort (browser `MessageChannel` or `worker_threads`), transferred to a worker. */
export interface TransferablePort {
  postMessage(message: any, transfer?: any): void;
  close(): void;
}

/** One replication link of one shard over a port (`Node.attachPort`). */
export declare class PortAttachment {
  readonly node: Node;
  readonly shard: number;
  /** As the worker's link reports it. */
  readonly state: 'connecting' | 'live' | 'closed';
  /** The peer shard's node id once its hello arrived. */
  readonly peer: bigint | null;
  readonly closeReason: string | null;
  /** The link's name in the worker's log lines (`attachPort` option; null: `link <id>`). */
  readonly label: string | null;
  /** The link posts `{ down: reason }` on its port before closing it (`attachPort` option). */
  readonly announceClose: boolean;
  /** Close the link for good (BYE to the peer) and close the port. */
  detach(reason?: string): void;
}

/** The links between shard i of two Nodes, for every i (`Node.link`). */
export declare class NodeLink {
  readonly nodes: [Node, Node];
  readonly state: 'open' | 'cut' | 'closed';
  readonly pairs: { shard: number; live: boolean; sides: { state: string; peer: bigint | null }[] | null }[];
  /** Stop replicating: each side says BYE; nothing is exchanged until `heal()`. */
  cut(): void;
  /** New channels, hello, catch-up. */
  heal(): void;
  /** Cut for good. */
  close(): void;
}

/** What `link(other, { channel })` may supply per shard pair: its two ports (transferred). */
export interface PairChannel {
  ports: [TransferablePort, TransferablePort];
  /** Called when the pair is cut: drop what is in transit. */
  close?(): void;
  /** Called when side `dead` was restarted: deliver what it sent before, then close. */
  retire?(dead: 0 | 1): void;
}

export declare class Node {
  /** Spawn the shard workers; resolves once every one is ready. */
  static start(options?: NodeOptions): Promise<Node>;
  /**
   * Resolve once the linked `nodes` have converged (links live, nothing in flight, DEBUG DIGEST
   * equal for two polls) with that digest; rejects after `timeoutMs` (default 30000).
   */
  static settle(nodes: Node[], options?: { timeoutMs?: number; intervalMs?: number; idle?: () => boolean }): Promise<string>;

  readonly name: string;
  readonly shards: number;
  readonly partitions: number;
  /** owner[p] = the shard serving partition p. */
  readonly owner: Uint16Array;
  readonly errors: 'throw' | 'return';
  /** The current workers, index = shard (`worker_threads` Worker or Web Worker). */
  readonly workers: unknown[];
  /** Node ids of the current shard incarnations (a restart gives a new one). */
  readonly nodeIds: (bigint | null)[];
  /** Open or cut links to other nodes. */
  readonly links: NodeLink[];

  /** The partitions shard i serves. */
  ownedPartitions(i: number): number[];
  shardState(i: number): 'starting' | 'up' | 'stopping' | 'down';

  /** Run one command where its keys live (keyless commands: docs/js-api.md). */
  command(argv: readonly Arg[]): Promise<Reply>;
  /** The server's worker protocol: a `Gateway` payload run by `shard.execBatch` on shard i. */
  execBatch(i: number, payload: Uint8Array): Promise<{ out: Uint8Array; lens: Uint32Array }>;
  /**
   * Coalesced jobs (`marekvs serve`'s client path): one Uint8Array `[id u32][len u32][payload]...`
   * posted to shard i as a single message (buffer transferred). Results come to `onJobResults`.
   * False (nothing posted) if shard i is not up.
   */
  postJobs(i: number, jobs: Uint8Array): boolean;
  /**
   * Handler of job results: one Uint8Array per posted message,
   * `[id u32][status u32: 0 ok, 1 error][nReplies u32][outLen u32][lens u32 × n][out]...`.
   */
  onJobResults(fn: ((i: number, results: Uint8Array) => void) | null): void;
  /** Per-shard DEBUG DIGEST. */
  digests(): Promise<string[]>;
  /** The node's DEBUG DIGEST (XOR of the shards'). */
  digest(): Promise<string>;
  info(options?: { vectors?: boolean }): Promise<NodeInfo>;

  /** Pair shard i with shard i of `other` for every i (same shards and partitions required). */
  link(other: Node, options?: { channel?: (shard: number) => PairChannel; connectTimeoutMs?: number }): NodeLink;
  /**
   * Replicate shard i over a port (transferred into its worker). A function is called again
   * for a new port after `restartShard(i)`.
   */
  attachPort(i: number, port: TransferablePort | (() => TransferablePort | null), options?: {
    onEvent?: (ev: { type: string; peer: bigint | null; reason: string | null }) => void;
    /** Names the link in the worker's log lines (default `link <id>`). */
    label?: string;
    /** A link that ends (but not by its port closing) posts `{ down: reason }` on the port first. */
    announceClose?: boolean;
  }): PortAttachment;
  /** Close an attachment's link (BYE) and its port. */
  detachPort(attachment: PortAttachment, reason?: string): void;
  /** Let an attachment apply what is queued on its port (its peer died), then close it. */
  retirePort(attachment: PortAttachment, options?: { quietMs?: number; maxMs?: number }): void;
  /** Terminate shard i's worker and start a fresh one (empty, new node id); its links re-open. */
  restartShard(i: number): Promise<void>;
  /** Close every link and terminate the workers. */
  close(): Promise<void>;
}

/** A ReplyError (name 'ReplyError', code = first word) as `Shard.command` throws. */
export declare function replyError(message: string): ReplyError;
