//! Replication methods of `Shard` for JS: effect batches, version vectors, catch-up and
//! snapshots, all as `Uint8Array`s in the formats of `effects::codec` (docs/effects.md).
//! Thin: every method forwards to the core `Shard`. Errors throw (`Error` with the reason);
//! a rejected batch or snapshot changed nothing.

use super::shard::JsShard;
use crate::effects::{codec, EffectError};
use crate::host::unix_ms;
use wasm_bindgen::prelude::*;

fn js_err(e: EffectError) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen(js_class = Shard)]
impl JsShard {
    /// `takeEffects()`: the outgoing batch with every local effect since the last call (an
    /// empty, valid batch when there is none).
    #[wasm_bindgen(js_name = takeEffects)]
    pub fn take_effects(&mut self) -> Vec<u8> {
        self.core_mut().take_effects()
    }

    /// `pendingEffects()`: number of local effects waiting for `takeEffects()`.
    #[wasm_bindgen(js_name = pendingEffects)]
    pub fn pending_effects(&mut self) -> usize {
        self.core_mut().pending_effects()
    }

    /// `discardEffects()`: drop the pending local effects without encoding them (no live
    /// peer: they stay in the log, from which `effectsSince` serves a later catch-up).
    #[wasm_bindgen(js_name = discardEffects)]
    pub fn discard_effects(&mut self) -> usize {
        self.core_mut().discard_effects()
    }

    /// `applyEffects(batch)`: merge a batch from a peer; returns the number of effects.
    /// Throws (and changes nothing) on a malformed/hostile batch, a partition this shard
    /// does not serve, or a stamp beyond the clock-drift bound.
    #[wasm_bindgen(js_name = applyEffects)]
    pub fn apply_effects(&mut self, batch: &[u8]) -> Result<usize, JsError> {
        let now = unix_ms() as i64;
        self.core_mut().apply_effects_at(batch, now).map_err(js_err)
    }

    /// `versionVector(partition)`: the partition's version vector (encoded).
    #[wasm_bindgen(js_name = versionVector)]
    pub fn version_vector(&mut self, partition: u16) -> Vec<u8> {
        codec::encode_vv(&self.core_mut().version_vector(partition))
    }

    /// `versionVectorJson(partition)`: `{"<node hex>": "<ms>.<counter>", ...}` for display.
    #[wasm_bindgen(js_name = versionVectorJson)]
    pub fn version_vector_json(&mut self, partition: u16) -> String {
        let vv = self.core_mut().version_vector(partition);
        let items: Vec<String> = vv
            .iter()
            .map(|(n, s)| format!("\"{n:x}\":\"{}.{}\"", s.ms, s.c))
            .collect();
        format!("{{{}}}", items.join(","))
    }

    /// `effectsSince(partition, versionVector)`: what a peer at that vector lacks, or
    /// `undefined` when the log no longer reaches back (send `exportSnapshot` instead).
    #[wasm_bindgen(js_name = effectsSince)]
    pub fn effects_since(&mut self, partition: u16, vv: &[u8]) -> Result<Option<Vec<u8>>, JsError> {
        let vv = codec::decode_vv(vv).map_err(js_err)?;
        match self.core_mut().effects_since(partition, &vv) {
            Ok(b) => Ok(Some(b)),
            Err(EffectError::NeedSnapshot) => Ok(None),
            Err(e) => Err(js_err(e)),
        }
    }

    /// `lacking(partition, versionVector)`: how many logged effects a peer at that vector
    /// lacks (0 when it lacks only vector claims), or -1 when only a snapshot can serve it.
    /// Cheap (nothing is encoded): links use it to decide whether a catch-up is worth sending.
    pub fn lacking(&mut self, partition: u16, vv: &[u8]) -> Result<i32, JsError> {
        let vv = codec::decode_vv(vv).map_err(js_err)?;
        match self.core_mut().lacking(partition, &vv) {
            Ok(n) => Ok(i32::try_from(n).unwrap_or(i32::MAX)),
            Err(EffectError::NeedSnapshot) => Ok(-1),
            Err(e) => Err(js_err(e)),
        }
    }

    /// `exportSnapshot(partition)`: the partition's state (merged by `importSnapshot`).
    #[wasm_bindgen(js_name = exportSnapshot)]
    pub fn export_snapshot(&mut self, partition: u16) -> Vec<u8> {
        self.core_mut().export_snapshot(partition)
    }

    /// `importSnapshot(bytes)`: merge a peer's snapshot (same join as effects).
    #[wasm_bindgen(js_name = importSnapshot)]
    pub fn import_snapshot(&mut self, bytes: &[u8]) -> Result<usize, JsError> {
        let now = unix_ms() as i64;
        self.core_mut()
            .import_snapshot_at(bytes, now)
            .map_err(js_err)
    }

    /// `replicatedPartitions()`: partitions to exchange vectors for (65535 = system records,
    /// which every shard applies).
    #[wasm_bindgen(js_name = replicatedPartitions)]
    pub fn replicated_partitions(&self) -> Vec<u16> {
        self.core().replicated_partitions()
    }

    /// `nodeId` (BigInt): origin id of this shard's effects.
    #[wasm_bindgen(getter = nodeId)]
    pub fn node_id(&self) -> u64 {
        self.core().node_id()
    }

    /// Set the node id (each independently writing shard needs its own).
    #[wasm_bindgen(setter = nodeId)]
    pub fn set_node_id(&mut self, id: u64) {
        self.core_mut().set_node_id(id);
    }

    /// `setMaxDriftMs(ms)`: bound on how far ahead of local time a remote stamp may be.
    #[wasm_bindgen(js_name = setMaxDriftMs)]
    pub fn set_max_drift_ms(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            self.core_mut().set_max_drift_ms(ms as u64);
        }
    }

    /// `setPeerVersionVector(peer, partition, vv)`: a peer's vector (tombstone collection
    /// waits until every known peer has passed a tombstone).
    #[wasm_bindgen(js_name = setPeerVersionVector)]
    pub fn set_peer_version_vector(
        &mut self,
        peer: u64,
        partition: u16,
        vv: &[u8],
    ) -> Result<(), JsError> {
        let vv = codec::decode_vv(vv).map_err(js_err)?;
        self.core_mut().set_peer_version_vector(peer, partition, vv);
        Ok(())
    }

    /// `collectAllGarbage()`: `collectGarbage` for every replicated partition in one pass over
    /// the keys.
    #[wasm_bindgen(js_name = collectAllGarbage)]
    pub fn collect_all_garbage(&mut self) -> usize {
        self.core_mut().collect_garbage_all()
    }

    /// `collectGarbage(partition)`: drop tombstones every known peer has passed.
    #[wasm_bindgen(js_name = collectGarbage)]
    pub fn collect_garbage(&mut self, partition: u16) -> usize {
        self.core_mut().collect_garbage(partition)
    }
}
