// Explicit-init entry (`marekvs/web`): call `await init()` (or `initSync({ module })` with a
// precompiled WebAssembly.Module) before using the API. `init` is also the default export, as
// in wasm-bindgen's own output.
import { Shard } from '../pkg/marekvs.js';
import { installFastCommand } from './shard-command.mjs';

installFastCommand(Shard);

export { default, default as init, initSync } from '../pkg/marekvs.js';
export * from '../pkg/marekvs.js';
export { connect, flushReplication, replicate, streamPort, webSocketPort } from './replication/index.mjs';
