// Cloudflare Workers (workerd) entry: the `.wasm` import yields a precompiled
// WebAssembly.Module, since compiling from bytes at run time is forbidden there.
import wasmModule from '../pkg/marekvs_bg.wasm';
import { initSync, Shard } from '../pkg/marekvs.js';
import { installFastCommand } from './shard-command.mjs';

initSync({ module: wasmModule });

installFastCommand(Shard);

export * from '../pkg/marekvs.js';
export { connect, flushReplication, replicate, streamPort, webSocketPort } from './replication/index.mjs';
