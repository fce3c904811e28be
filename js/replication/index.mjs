// Replication over message ports and streams (docs/replication.md).
export { connect, flushReplication, replicate } from './connect.mjs';
export { streamPort, webSocketPort } from './stream.mjs';
