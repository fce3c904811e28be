// CommonJS entry (`require('marekvs')` in Node). The glue is an esbuild CommonJS copy of the
// ESM one (pkg/marekvs.cjs, made by scripts/build.sh); the module is compiled at require time.
// A process that loads both this and the ESM entry gets two separate instances.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const glue = require('../pkg/marekvs.cjs');

glue.initSync({ module: readFileSync(join(__dirname, '..', 'pkg', 'marekvs_bg.wasm')) });
require('../pkg/shard-command.cjs').installFastCommand(glue.Shard);

for (const name of Object.keys(glue)) {
  if (name !== 'default' && name !== '__esModule') exports[name] = glue[name];
}
const replication = require('../pkg/replication.cjs');

for (const name of ['connect', 'flushReplication', 'replicate', 'streamPort', 'webSocketPort']) {
  exports[name] = replication[name];
}
