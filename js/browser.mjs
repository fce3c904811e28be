// Browser / bundler entry: top-level await fetches and instantiates the module next to this
// file (bundlers such as Vite and esbuild follow the `new URL(..., import.meta.url)`).
import init, { Shard } from '../pkg/marekvs.js';
import { installFastCommand } from './shard-command.mjs';

await init({ module_or_path: new URL('../pkg/marekvs_bg.wasm', import.meta.url) });

installFastCommand(Shard);

export * from '../pkg/marekvs.js';
export { connect, flushReplication, replicate, streamPort, webSocketPort } from './replication/index.mjs';
