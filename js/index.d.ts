/// <reference lib="esnext.disposable" />
// Types of every entry of `marekvs` (node, browser, workerd, inline, web). The classes are the
// wasm-bindgen ones (pkg/marekvs.d.ts) with precise types for what the generated
// declarations leave as `any`: Shard options, command arguments, replies.
import {
  LuaEngine as LuaEngineBase,
  Shard as ShardBase,
} from '../pkg/marekvs.js';

export { Gateway, GatewayBatch, setInterruptBuffer } from '../pkg/marekvs.js';
export type { InitInput, InitOutput, SyncInitInput } from '../pkg/marekvs.js';

/** One command argument: UTF-8 string, raw bytes, a number (decimal) or a bigint. */
export type Arg = string | Uint8Array | number | bigint;

/** An error reply: `name === 'ReplyError'`, `code` is its first word (`ERR`, `CROSSSLOT`, ...). */
export interface ReplyError extends Error {
  name: 'ReplyError';
  code: string;
}

/** A reply as a JS value (docs/js-api.md, "Reply → JS value"). */
export type Reply =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | ReplyError
  | Reply[]
  | Set<Reply>
  | Map<Reply, Reply>;

export interface ShardOptions {
  /** Size of the partition map, 1..16384 (default 1). */
  partitions?: number;
  /** Partition ids this shard serves (default all). */
  owned?: readonly number[];
  /** Seed of the shard's PRNG (default 0). */
  seed?: number;
  /** `'string'` (default): UTF-8 bulk strings as strings, else bytes; `'bytes'`: always bytes. */
  bulkAs?: 'string' | 'bytes';
  /** `'throw'` (default): an error reply throws a ReplyError; `'return'`: it is returned. */
  errors?: 'throw' | 'return';
  /** RESP version of `command()` replies (default 2). */
  protocol?: 2 | 3;
}

/** A shard of marekvs: Redis-compatible commands and EVAL/EVALSHA scripting. */
export declare class Shard extends ShardBase {
  constructor(options?: ShardOptions);
  /** Run one command; an error reply throws a ReplyError (or is returned, `errors: 'return'`). */
  command(argv: readonly Arg[]): Reply;
}

/** A Lua 5.4 engine with a time budget (ms, default 20) and a memory ceiling (bytes, default 16 MiB). */
export declare class LuaEngine extends LuaEngineBase {
  constructor(timeLimitMs?: number | null, memoryLimit?: number | null);
}

/**
 * The partition `argv` runs in under a map of `partitions` partitions, or `null` for a keyless
 * command. Throws a ReplyError (unknown command, wrong arity, CROSSSLOT).
 */
export declare function routeCommand(argv: readonly Arg[], partitions: number): number | null;

// ------------------------------------------------------------------ replication (docs/replication.md)

/** Anything replication can talk over: MessagePort, Worker, BroadcastChannel, Node worker_threads ports, `streamPort(...)`. */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[] | readonly unknown[]): void;
  addEventListener?(type: string, listener: (ev: any) => void): void;
  removeEventListener?(type: string, listener: (ev: any) => void): void;
  on?(type: string, listener: (...args: any[]) => void): unknown;
  off?(type: string, listener: (...args: any[]) => void): unknown;
  start?(): void;
}

export type LinkEvent =
  | { type: 'hello'; peer: bigint }
  | { type: 'live'; peer: bigint }
  | { type: 'sent'; kind: 'live' | 'catchup' | 'snapshot'; bytes: number; effects?: number; partition?: number; data: Uint8Array }
  | { type: 'applied'; kind: 'live' | 'catchup' | 'snapshot'; bytes: number; effects: number; data: Uint8Array }
  | { type: 'refused'; reason: string }
  | { type: 'closed'; reason: string };

export interface ConnectOptions {
  /** Sent-but-unacknowledged bytes per link before live batches are skipped (default 8 MiB). */
  maxInflightBytes?: number;
  /** Version-vector exchange and anti-entropy period (default 200 ms). */
  syncIntervalMs?: number;
  /** Let the peer's vectors drive tombstone collection (default true). */
  collectGarbage?: boolean;
  /** Where reasons for dropped links and refused batches go (default console.warn). */
  log?: (message: string) => void;
  /** Every protocol event (timelines, metrics). */
  onEvent?: (event: LinkEvent) => void;
  /** Transfer frame buffers (default true; false for BroadcastChannel). */
  transfer?: boolean;
}

export interface LinkStats {
  sentFrames: number;
  sentBytes: number;
  recvFrames: number;
  recvBytes: number;
  appliedEffects: number;
  snapshotsSent: number;
  snapshotsApplied: number;
  droppedBatches: number;
  ignoredFrames: number;
  inflightBytes: number;
}

/** One replication link between a shard and the shard at the other end of a port. */
export interface Link {
  readonly state: 'connecting' | 'live' | 'closed';
  /** The peer shard's nodeId once its hello arrived. */
  readonly peer: bigint | null;
  readonly closeReason: string | null;
  /** Resolves with the reason when the link closes. */
  readonly closed: Promise<string>;
  readonly stats: LinkStats;
  /** Say goodbye to the peer and stop (the port stays open). */
  close(reason?: string): void;
}

/** Replicate `shard` with the shard at the other end of `port` (both sides call it). */
export declare function connect(shard: ShardBase, port: PortLike, options?: ConnectOptions): Link;
/** Send the shard's pending local effects to its live links now (done automatically after commands). */
export declare function flushReplication(shard: ShardBase): void;
/** Install the shard's replicator without a link: local effects are then not retained for later. */
export declare function replicate(shard: ShardBase): unknown;

/** A port over a byte stream (Node net/tls socket, any Duplex): length-prefixed frames. */
export interface StreamPort {
  postMessage(frame: Uint8Array): void;
  on(type: 'message' | 'close', listener: (arg: any) => void): StreamPort;
  off(type: 'message' | 'close', listener: (arg: any) => void): StreamPort;
  close(): void;
  readonly closeReason: string | null;
}
export declare function streamPort(
  stream: { on(ev: string, fn: (...a: any[]) => void): unknown; write(b: Uint8Array): unknown; end(): unknown; destroy(): unknown; destroyed?: boolean },
  options?: { maxFrameBytes?: number },
): StreamPort;
/** A port over a WebSocket (binary messages). */
export declare function webSocketPort(ws: { send(b: Uint8Array): void; addEventListener(t: string, f: (ev: any) => void): void; removeEventListener(t: string, f: (ev: any) => void): void; close(): void; binaryType: string }): PortLike;
