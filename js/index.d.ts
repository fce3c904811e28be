// Types for every entry: the generated declarations of the wasm-bindgen layer.
export * from '../pkg/marekvs.js';
