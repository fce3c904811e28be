// Inline entry (`marekvs/inline`): the module travels inside the JS as base64, so any bundler
// (esbuild with no loader set up, Rollup without plugins) and any runtime that may compile wasm
// from bytes can use it with no asset handling. Costs ~33 % more raw bytes than the .wasm file.
import init, { Shard } from '../pkg/marekvs.js';
import { installFastCommand } from './shard-command.mjs';
import base64 from '../pkg/marekvs_wasm_base64.mjs';

const binary = atob(base64);
const bytes = new Uint8Array(binary.length);
for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
await init({ module_or_path: bytes });

installFastCommand(Shard);

export * from '../pkg/marekvs.js';
export { connect, flushReplication, replicate, streamPort, webSocketPort } from './replication/index.mjs';
