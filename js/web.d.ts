export { default as init, initSync } from '../pkg/marekvs.js';
export * from '../pkg/marekvs.js';
