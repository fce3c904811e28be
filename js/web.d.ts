// Types of `marekvs/web`: the API of every entry plus the explicit init functions.
export * from './index.js';
export { default, default as init, initSync } from '../pkg/marekvs.js';
