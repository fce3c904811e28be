//! Effects benchmark: encode, decode and apply throughput (effects/s) and bytes of overhead
//! per effect beyond key and value bytes. `cargo run --release --example effects`.
//! Results: docs/effects.md.

use marekvs::effects::{codec, Effect, Op};
use marekvs::engine::{CallCtx, Shard};
use std::time::Instant;

/// Writes per workload (`EFFECTS_N` overrides, e.g. a small run under callgrind, where the
/// inclusive cost of `apply_effects_at` / effects is the instruction cost of one apply).
fn n() -> usize {
    std::env::var("EFFECTS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}
const T0: i64 = 1_700_000_000_000;

fn payload_bytes(e: &Effect) -> usize {
    e.key.len()
        + match &e.op {
            Op::Str(v) => v.len(),
            Op::HashSet { field, value } => field.len() + value.len(),
            Op::HashDel { field: m }
            | Op::SetAdd { member: m }
            | Op::SetRem { member: m }
            | Op::ZRem { member: m } => m.len(),
            Op::ZPut { member, .. } => member.len() + 8,
            Op::ListInsert { value, .. } | Op::ListSet { value, .. } => value.len(),
            _ => 0,
        }
}

fn workload(kind: &str) -> Vec<u8> {
    let mut shard = Shard::standalone(1);
    shard.set_node_id(0x1234_5678_9abc_def0);
    let mut cx = CallCtx::new(T0);
    for i in 0..n() {
        // The clock advances 1 ms every 16 commands.
        cx.now_ms = T0 + (i / 16) as i64;
        let key = format!("key:{:08}", i % 50_000);
        let val = format!("value-{i:025}");
        let argv: Vec<String> = match kind {
            "set" => vec!["SET".into(), key, val],
            "hset" => vec![
                "HSET".into(),
                format!("h:{}", i % 1000),
                format!("f{}", i % 64),
                val,
            ],
            "sadd" => vec!["SADD".into(), format!("s:{}", i % 1000), val],
            "zadd" => vec![
                "ZADD".into(),
                format!("z:{}", i % 1000),
                format!("{}", i % 977),
                val,
            ],
            "rpush" => vec!["RPUSH".into(), format!("l:{}", i % 2000), val],
            _ => vec!["INCR".into(), key],
        };
        let argv: Vec<Vec<u8>> = argv.into_iter().map(String::into_bytes).collect();
        shard.execute(&argv, &mut cx);
    }
    shard.take_effects()
}

fn main() {
    println!("| workload | effects | bytes/effect overhead | encode Meff/s | decode Meff/s | apply Meff/s (decode+merge) |");
    println!("|---|---|---|---|---|---|");
    // `EFFECTS_ONLY=set` (a comma-separated list) runs only those workloads (callgrind).
    let only = std::env::var("EFFECTS_ONLY").unwrap_or_default();
    for kind in ["set", "incr", "hset", "sadd", "zadd", "rpush"] {
        if !only.is_empty() && !only.split(',').any(|o| o == kind) {
            continue;
        }
        let batch = workload(kind);
        let groups = codec::decode_batch(&batch).expect("valid");
        let effects: usize = groups.iter().map(|g| g.effects.len()).sum();
        let payload: usize = groups
            .iter()
            .flat_map(|g| g.effects.iter())
            .map(payload_bytes)
            .sum();
        let overhead = (batch.len() - payload) as f64 / effects as f64;
        let reps = 5;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(codec::encode_batch(&groups));
        }
        let enc = (effects * reps) as f64 / t.elapsed().as_secs_f64() / 1e6;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(codec::decode_batch(&batch).unwrap());
        }
        let dec = (effects * reps) as f64 / t.elapsed().as_secs_f64() / 1e6;
        let mut total = 0.0;
        for _ in 0..reps {
            let mut dst = Shard::standalone(2);
            dst.set_node_id(2);
            let t = Instant::now();
            dst.apply_effects_at(&batch, T0 + n() as i64).unwrap();
            total += t.elapsed().as_secs_f64();
        }
        let app = (effects * reps) as f64 / total / 1e6;
        println!("| {kind} | {effects} | {overhead:.2} | {enc:.2} | {dec:.2} | {app:.2} |");
    }
}
