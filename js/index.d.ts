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
