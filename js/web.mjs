// Explicit-init entry (`marekvs/web`): call `await init()` (or `initSync({ module })` with a
// precompiled WebAssembly.Module) before using the API.
export { default as init, initSync } from '../pkg/marekvs.js';
export * from '../pkg/marekvs.js';
