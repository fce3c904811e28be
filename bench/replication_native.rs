//! Native cost of a replication link's Rust side, per effect, for the workloads of
//! bench/replication.mjs (SET of distinct keys, INCR of 1,000 counters, HSET into 100 hashes,
//! MSET of 100 keys): writes with `take_effects` per chunk of 1,000 effects (A's side of a
//! live link), `apply_effects_at` of those batches on a fresh shard (B's side), and a catch-up
//! (`lacking` then `effects_since` per partition on A, `apply_effects_at` on B). Shards own 16
//! partitions, as in the benchmark; `set-overwrite` writes a quarter of the keys 4 times each
//! (as bench/effects.rs does), to separate new keys from overwrites. Prints ns per effect; under callgrind, each phase is its
//! own function, so inclusive instructions / effects is the cost of one effect:
//!   REPL_N=20000 REPL_ONLY=set valgrind --tool=callgrind target/release/examples/replication_native
//!   callgrind_annotate --inclusive=yes callgrind.out.<pid> | grep replication_native
//! (`write_chunks` includes the commands; `take_batches` is `take_effects` alone.)
use marekvs::engine::{CallCtx, Shard};
use marekvs::router::PartitionMap;
use std::hint::black_box;
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const T0: i64 = 1_700_000_000_000;

/// The commands of a workload and the effects each makes.
fn commands(kind: &str, n: usize) -> (Vec<Vec<Vec<u8>>>, usize) {
    let s = |v: Vec<String>| v.into_iter().map(String::into_bytes).collect::<Vec<_>>();
    match kind {
        "set" => (
            (0..n)
                .map(|i| s(vec!["SET".into(), format!("rk{i}"), format!("v{i}")]))
                .collect(),
            1,
        ),
        "incr" => (
            (0..n)
                .map(|i| s(vec!["INCR".into(), format!("rc{}", i % 1000)]))
                .collect(),
            1,
        ),
        "hset" => (
            (0..n)
                .map(|i| {
                    s(vec![
                        "HSET".into(),
                        format!("rh{}", i % 100),
                        format!("f{i}"),
                        format!("v{i}"),
                    ])
                })
                .collect(),
            1,
        ),
        _ => (
            (0..n / 100)
                .map(|i| {
                    let mut a = vec!["MSET".to_string()];
                    for j in 0..100 {
                        a.push(format!("{{rm{i}}}k{j}"));
                        a.push(format!("v{i}.{j}"));
                    }
                    s(a)
                })
                .collect(),
            100,
        ),
    }
}

fn shard(node: u64) -> Shard {
    let mut s = Shard::owning_all(PartitionMap::new(16), node);
    s.set_node_id(node);
    s
}

/// A's side without the encoding: the commands, chunk by chunk (effects collected).
#[inline(never)]
fn write_chunks(a: &mut Shard, cmds: &[Vec<Vec<u8>>], chunk: usize, cx: &mut CallCtx) {
    for c in cmds.chunks(chunk) {
        for argv in c {
            black_box(a.execute(argv, cx));
        }
        black_box(a.pending_effects());
    }
}

/// `take_effects` of what one chunk made (called once per chunk).
#[inline(never)]
fn take_batch(a: &mut Shard) -> Vec<u8> {
    a.take_effects()
}

#[inline(never)]
fn apply_batches(b: &mut Shard, batches: &[Vec<u8>], now: i64) -> usize {
    batches
        .iter()
        .map(|x| b.apply_effects_at(x, now).expect("valid batch"))
        .sum()
}

/// A's side of a catch-up: per partition, what the peer lacks, then the batch (partitions
/// whose log no longer reaches back, which would get a snapshot, are left out).
#[inline(never)]
fn export_since(a: &mut Shard, b: &mut Shard) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for p in b.replicated_partitions() {
        let vv = b.version_vector(p);
        if a.lacking(p, &vv).is_ok_and(|k| k > 0) {
            out.push(a.effects_since(p, &vv).expect("log reaches"));
        }
    }
    out
}

fn main() {
    let n = env("REPL_N", 200_000);
    let chunk = env("REPL_CHUNK", 1000);
    let only = std::env::var("REPL_ONLY").unwrap_or_default();
    println!("| workload | effects | writes+collect ns/effect | take_effects ns/effect | apply ns/effect | catch-up export ns/effect | catch-up apply ns/effect |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for kind in ["set", "set-overwrite", "incr", "hset", "mset"] {
        if !only.is_empty() && !only.split(',').any(|o| o == kind) {
            continue;
        }
        let (cmds, per) = commands(kind, n);
        let chunk_cmds = (chunk / per).max(1);
        let mut a = shard(0xa1);
        let mut cx = CallCtx::new(T0);
        let (mut write_ns, mut take_ns) = (0u128, 0u128);
        let mut batches = Vec::new();
        for (i, c) in cmds.chunks(chunk_cmds).enumerate() {
            cx.now_ms = T0 + i as i64; // 1 ms per chunk
            let t = Instant::now();
            write_chunks(&mut a, c, chunk_cmds, &mut cx);
            write_ns += t.elapsed().as_nanos();
            let t = Instant::now();
            batches.push(take_batch(&mut a));
            take_ns += t.elapsed().as_nanos();
        }
        let now = T0 + 1_000_000;
        let mut b = shard(0xb2);
        let t = Instant::now();
        let effects = apply_batches(&mut b, &batches, now);
        let apply_ns = t.elapsed().as_nanos();
        // Catch-up of what is still in A's log (10,000 effects per partition at most).
        let mut c = shard(0xc3);
        let t = Instant::now();
        let since = export_since(&mut a, &mut c);
        let export_ns = t.elapsed().as_nanos();
        let t = Instant::now();
        let caught = apply_batches(&mut c, &since, now);
        let capply_ns = t.elapsed().as_nanos();
        let per_e = |ns: u128, k: usize| ns as f64 / k.max(1) as f64;
        println!(
            "| {kind} | {effects} | {:.0} | {:.0} | {:.0} | {:.0} ({caught} effects) | {:.0} |",
            per_e(write_ns, effects),
            per_e(take_ns, effects),
            per_e(apply_ns, effects),
            per_e(export_ns, caught),
            per_e(capply_ns, caught),
        );
    }
}
