//! `describeEffects(batch)` / `describeSnapshot(bytes)`: decode replication bytes into plain JS
//! objects for display (the playground's effects timeline, debugging). Read-only; malformed
//! bytes throw an `Error` with the codec's reason.

use crate::effects::{codec, EffectRef, Op, Stamp};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `"<ms>.<counter>@<node hex>"`, the same order as the stamps compare.
fn stamp(s: Stamp) -> String {
    format!("{}.{}@{:x}", s.ms, s.c, s.node)
}

fn effect(e: &EffectRef<'_>) -> Object {
    let o = Object::new();
    set(&o, "stamp", stamp(e.stamp));
    set(&o, "ms", e.stamp.ms as f64);
    set(&o, "origin", format!("{:x}", e.stamp.node));
    set(&o, "key", text(e.key));
    set(&o, "op", e.op.name());
    match &e.op {
        Op::Str(v) => set(&o, "value", text(v)),
        Op::HashSet { field, value } => {
            set(&o, "field", text(field));
            set(&o, "value", text(value));
        }
        Op::HashDel { field } => set(&o, "field", text(field)),
        Op::SetAdd { member } | Op::SetRem { member } | Op::ZRem { member } => {
            set(&o, "member", text(member))
        }
        Op::ZPut { member, score } => {
            set(&o, "member", text(member));
            set(&o, "score", *score);
        }
        Op::ListInsert { after, value } => {
            set(&o, "after", stamp(*after));
            set(&o, "value", text(value));
        }
        Op::ListRemove { id } => set(&o, "id", stamp(*id)),
        Op::ListSet { id, value } => {
            set(&o, "id", stamp(*id));
            set(&o, "value", text(value));
        }
        Op::Delete => {}
        Op::Expire(at) => set(&o, "at", at.map_or(JsValue::NULL, |ms| (ms as f64).into())),
    }
    o
}

/// `describeEffects(batch)`: `[{partition, origin, prev, upto, effects: [{stamp, ms, origin,
/// key, op, field?, member?, value?, score?, after?, id?, at?}]}]` (binary strings are shown
/// lossily as UTF-8).
#[wasm_bindgen(js_name = describeEffects)]
pub fn describe_effects(batch: &[u8]) -> Result<Array, JsError> {
    let groups = codec::decode_batch_view(batch).map_err(|e| JsError::new(&e.to_string()))?;
    let out = Array::new();
    for g in &groups {
        let o = Object::new();
        set(&o, "partition", g.partition);
        set(&o, "origin", format!("{:x}", g.origin));
        set(&o, "prev", stamp(g.prev));
        set(&o, "upto", stamp(g.upto));
        let effects: Array = g.effects.iter().map(|p| effect(&p.effect)).collect();
        set(&o, "effects", effects);
        out.push(&o);
    }
    Ok(out)
}

/// `describeSnapshot(bytes)`: `{partition, effects: [...]}` as in `describeEffects`.
#[wasm_bindgen(js_name = describeSnapshot)]
pub fn describe_snapshot(bytes: &[u8]) -> Result<Object, JsError> {
    let snap = codec::decode_snapshot_view(bytes).map_err(|e| JsError::new(&e.to_string()))?;
    let o = Object::new();
    set(&o, "partition", snap.partition);
    let effects: Array = snap.effects.iter().map(effect).collect();
    set(&o, "effects", effects);
    Ok(o)
}
