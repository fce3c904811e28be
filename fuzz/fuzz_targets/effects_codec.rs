//! Fuzz the effect codec and the apply path: `cargo +nightly fuzz run effects_codec`.
//! Any input must either be rejected whole (and change nothing) or decode, re-encode to an
//! equivalent batch and apply without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marekvs::effects::codec;
use marekvs::engine::Shard;

fuzz_target!(|data: &[u8]| {
    if let Ok(groups) = codec::decode_batch(data) {
        let again = codec::encode_batch(&groups);
        assert_eq!(codec::decode_batch(&again).ok(), Some(groups));
    }
    if let Ok(snap) = codec::decode_snapshot(data) {
        let again = codec::encode_snapshot(snap.partition, &snap.vv, snap.effects.iter());
        assert_eq!(codec::decode_snapshot(&again).ok(), Some(snap));
    }
    let _ = codec::decode_vv(data);
    let mut shard = Shard::standalone(1);
    let before = shard.keyspace().canonical_dump();
    if shard.apply_effects_at(data, 1_700_000_000_000).is_err() {
        assert_eq!(shard.keyspace().canonical_dump(), before);
    }
    let _ = shard.import_snapshot_at(data, 1_700_000_000_000);
});
