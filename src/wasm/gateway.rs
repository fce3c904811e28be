//! `Gateway` and `GatewayBatch`: the connection side of `marekvs serve` (RESP parsing,
//! routing, per-worker batches, fan-out merges), and `routeCommand(argv, partitions)`.

use super::shard::{argv_from_js, reply_error};
use crate::host::unix_ms;
use crate::router::PartitionMap;
use crate::session::{self, Batch, Route};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// One client connection of a server with `workers` shard workers; partition `p` is served
/// by worker `owner[p]`.
#[wasm_bindgen(js_name = Gateway)]
pub struct JsGateway {
    gw: session::Gateway,
    last: Batch,
}

#[wasm_bindgen(js_class = Gateway)]
impl JsGateway {
    /// `new Gateway(owner: Uint16Array, workers, clientId)`.
    #[wasm_bindgen(constructor)]
    pub fn new(owner: Vec<u16>, workers: u16, client_id: f64) -> JsGateway {
        let id = if client_id.is_finite() && client_id >= 0.0 {
            client_id as u64
        } else {
            0
        };
        JsGateway {
            gw: session::Gateway::new(owner, workers, id),
            last: Batch::default(),
        }
    }

    /// `setStatusBuffer(int32Array)`: the server's shared status of its workers, 4 elements per
    /// worker `w` at `4*w`: kill request, script running, script start (`Date.now()` mod
    /// 2^31), busy threshold ms (written by each worker's script budget, see
    /// `setInterruptBuffer`). With it, `SCRIPT KILL` is answered here and commands for a
    /// worker busy with a script get `BUSY`.
    #[wasm_bindgen(js_name = setStatusBuffer)]
    pub fn set_status_buffer(&mut self, buf: js_sys::Int32Array) {
        self.gw.set_status(Box::new(SharedStatus(buf)));
    }

    /// Parse a chunk read from the socket and plan every complete command.
    pub fn feed(&mut self, chunk: &[u8]) -> GatewayBatch {
        GatewayBatch {
            b: self.gw.feed(chunk, unix_ms() as i64),
        }
    }

    /// The lean path: parse a chunk and keep its plan here. Returns `256 * protocol + w`
    /// when the chunk is nothing but complete requests for worker `w` (send the chunk itself
    /// as a raw segment: `[0x80 | protocol][len u32 LE][chunk]`, nothing was buffered), else
    /// the worker index when every command goes to that one worker (take its payload with
    /// `takePayload()`), -1 when the chunk completed no command, -2 otherwise (take the plan
    /// with `takeBatch()`).
    #[wasm_bindgen(js_name = feedFast)]
    pub fn feed_fast(&mut self, chunk: &[u8]) -> i32 {
        if let Some(w) = self.gw.single_target(chunk) {
            return 256 * i32::from(self.gw.ctx.proto) + i32::from(w);
        }
        self.last = self.gw.feed(chunk, unix_ms() as i64);
        let b = &self.last;
        if b.plan.is_empty() && !b.close {
            return -1;
        }
        match b.plan.first() {
            Some(&w) if !b.close && w < session::PLAN_LOCAL && b.plan.iter().all(|&x| x == w) => {
                i32::from(w)
            }
            _ => -2,
        }
    }

    /// The payload of the single worker after `feedFast` returned its index.
    #[wasm_bindgen(js_name = takePayload)]
    pub fn take_payload(&mut self, w: usize) -> Vec<u8> {
        self.last
            .payloads
            .get_mut(w)
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The whole plan after `feedFast` returned -2.
    #[wasm_bindgen(js_name = takeBatch)]
    pub fn take_batch(&mut self) -> GatewayBatch {
        GatewayBatch {
            b: std::mem::take(&mut self.last),
        }
    }

    /// Bytes of a partial request buffered.
    #[wasm_bindgen(getter)]
    pub fn pending(&self) -> f64 {
        self.gw.pending() as f64
    }

    /// The connection's protocol (2, or 3 after HELLO 3).
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> u8 {
        self.gw.ctx.proto
    }
}

/// The plan for one chunk: see docs/js-api.md ("Server internals").
#[wasm_bindgen]
pub struct GatewayBatch {
    b: Batch,
}

#[wasm_bindgen]
impl GatewayBatch {
    /// Per command: worker index, 254 (answered locally) or 255 (fan-out).
    #[wasm_bindgen(getter)]
    pub fn plan(&self) -> Vec<u8> {
        self.b.plan.clone()
    }

    /// Number of commands planned.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> u32 {
        self.b.plan.len() as u32
    }

    /// The worker every command goes to when there is exactly one and nothing else in the
    /// batch (the fast path), else -1.
    #[wasm_bindgen(getter, js_name = singleWorker)]
    pub fn single_worker(&self) -> i32 {
        match self.b.plan.first() {
            Some(&w) if w < session::PLAN_LOCAL && self.b.plan.iter().all(|&x| x == w) => {
                i32::from(w)
            }
            _ => -1,
        }
    }

    /// The payload for worker `w` (empty when it has nothing to do).
    pub fn payload(&self, w: usize) -> Vec<u8> {
        self.b.payloads.get(w).cloned().unwrap_or_default()
    }

    /// Replies produced locally, concatenated.
    #[wasm_bindgen(getter)]
    pub fn local(&self) -> Vec<u8> {
        self.b.local.clone()
    }

    /// Lengths of the local replies.
    #[wasm_bindgen(getter, js_name = localLengths)]
    pub fn local_lengths(&self) -> Vec<u32> {
        self.b.local_lens.clone()
    }

    /// Number of fan-outs.
    #[wasm_bindgen(getter, js_name = specialCount)]
    pub fn special_count(&self) -> u32 {
        self.b.specials.len() as u32
    }

    /// Workers fan-out `i` was sent to, in merge order.
    #[wasm_bindgen(js_name = specialTargets)]
    pub fn special_targets(&self, i: usize) -> Vec<u16> {
        self.b
            .specials
            .get(i)
            .map(|s| s.targets.clone())
            .unwrap_or_default()
    }

    /// Merge the replies (one `Uint8Array` per target) of fan-out `i` into one RESP reply.
    #[wasm_bindgen(js_name = finishSpecial)]
    pub fn finish_special(&self, i: usize, replies: Array) -> Vec<u8> {
        let parts: Vec<Vec<u8>> = replies
            .iter()
            .map(|r| {
                r.dyn_ref::<Uint8Array>()
                    .map(|b| b.to_vec())
                    .unwrap_or_default()
            })
            .collect();
        let refs: Vec<&[u8]> = parts.iter().map(|v| v.as_slice()).collect();
        match self.b.specials.get(i) {
            Some(sp) => sp.finish(&refs),
            None => b"-ERR internal: no such fan-out\r\n".to_vec(),
        }
    }

    /// The connection must be closed after writing the replies (QUIT or protocol error).
    #[wasm_bindgen(getter)]
    pub fn close(&self) -> bool {
        self.b.close
    }
}

/// Where a command runs under a map of `partitions` partitions: the partition number, or
/// `null` for a keyless command. Throws a `ReplyError` for an unknown command, a wrong
/// number of arguments or keys in different partitions (`CROSSSLOT`).
#[wasm_bindgen(js_name = routeCommand)]
pub fn route_command(argv: Array, partitions: u16) -> Result<JsValue, JsValue> {
    let args = argv_from_js(&argv)?;
    match session::route(&PartitionMap::new(partitions), &args) {
        Route::Partition(p) => Ok(JsValue::from(p)),
        Route::Reply(crate::reply::Reply::Error(e)) => Err(reply_error(&e)),
        _ => Ok(JsValue::NULL),
    }
}

/// [`session::WorkerStatus`] over the server's shared status buffer.
struct SharedStatus(js_sys::Int32Array);

impl SharedStatus {
    fn load(&self, i: u32) -> i32 {
        js_sys::Atomics::load(&self.0, i).unwrap_or(0)
    }
}

impl session::WorkerStatus for SharedStatus {
    fn busy(&self, w: u16) -> bool {
        let base = 4 * u32::from(w);
        if base + 3 >= self.0.length() || self.load(base + 1) == 0 {
            return false;
        }
        // The start before the clock: a script that starts after this read is in the future
        // of `now` either way, which `script_overran` answers as not busy.
        let start = i64::from(self.load(base + 2));
        let threshold = i64::from(self.load(base + 3));
        let now = (js_sys::Date::now() % session::STATUS_CLOCK_MOD as f64) as i64;
        session::script_overran(start, threshold, now)
    }

    fn kill_scripts(&self) -> bool {
        let mut any = false;
        let mut base = 0;
        while base + 3 < self.0.length() {
            if self.load(base + 1) != 0 {
                let _ = js_sys::Atomics::store(&self.0, base, 1);
                any = true;
            }
            base += 4;
        }
        any
    }
}
