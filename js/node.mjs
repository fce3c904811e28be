// Node entry: the module is compiled from the packaged bytes at import time, so
// `import { LuaEngine } from 'marekvs'` needs no init step.
import { readFileSync } from 'node:fs';
import { initSync, Shard } from '../pkg/marekvs.js';
import { installFastCommand } from './shard-command.mjs';

initSync({ module: readFileSync(new URL('../pkg/marekvs_bg.wasm', import.meta.url)) });

installFastCommand(Shard);

export * from '../pkg/marekvs.js';
export { connect, flushReplication, replicate, streamPort, webSocketPort } from './replication/index.mjs';
