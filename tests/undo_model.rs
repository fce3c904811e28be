//! A rolled-back script leaves the keyspace exactly as it found it: random writes of every
//! type (element writes to existing collections, which the undo record saves element by
//! element, and deletions, type changes, new keys and strings, which it saves whole) under
//! `start_undo`, then `rollback_undo`, must give back the same views, expiries, CRDT states
//! and SCAN/DBSIZE counts; and the keyspace must go on exactly like one that never ran them
//! (the same later writes give the same state, lists' internal bookkeeping included).
#![cfg(not(target_arch = "wasm32"))]
use marekvs::keyspace::Keyspace;
use proptest::prelude::*;

const NOW: i64 = 1_000_000;
const KEYS: [&[u8]; 5] = [b"h", b"s", b"z", b"l", b"x"];

#[derive(Debug, Clone)]
enum W {
    HSet(u8, u8, u8),
    HDel(u8, u8),
    SAdd(u8, u8),
    SRem(u8, u8),
    ZPut(u8, u8, i8),
    ZRem(u8, u8),
    LIns(u8, u8, u8),
    LRem(u8, u8),
    LSet(u8, u8, u8),
    Str(u8, u8),
    Del(u8),
    Expire(u8, Option<u8>),
}

fn w() -> impl Strategy<Value = W> {
    let k = 0u8..5;
    prop_oneof![
        4 => (k.clone(), 0u8..6, 0u8..4).prop_map(|(k, f, v)| W::HSet(k, f, v)),
        2 => (k.clone(), 0u8..6).prop_map(|(k, f)| W::HDel(k, f)),
        3 => (k.clone(), 0u8..6).prop_map(|(k, m)| W::SAdd(k, m)),
        2 => (k.clone(), 0u8..6).prop_map(|(k, m)| W::SRem(k, m)),
        3 => (k.clone(), 0u8..6, -3i8..3).prop_map(|(k, m, s)| W::ZPut(k, m, s)),
        2 => (k.clone(), 0u8..6).prop_map(|(k, m)| W::ZRem(k, m)),
        4 => (k.clone(), 0u8..8, 0u8..4).prop_map(|(k, i, v)| W::LIns(k, i, v)),
        3 => (k.clone(), 0u8..8).prop_map(|(k, i)| W::LRem(k, i)),
        2 => (k.clone(), 0u8..8, 0u8..4).prop_map(|(k, i, v)| W::LSet(k, i, v)),
        1 => (k.clone(), 0u8..4).prop_map(|(k, v)| W::Str(k, v)),
        1 => k.clone().prop_map(W::Del),
        2 => (k, proptest::option::of(0u8..3)).prop_map(|(k, t)| W::Expire(k, t)),
    ]
}

fn b(prefix: &str, n: u8) -> Vec<u8> {
    format!("{prefix}{n}").into_bytes()
}

fn apply(ks: &mut Keyspace, w: &W) {
    let key = |k: &u8| KEYS[*k as usize];
    match w {
        W::HSet(k, f, v) => ks.hash_set(key(k), &b("f", *f), b("v", *v)),
        W::HDel(k, f) => {
            ks.hash_del(key(k), &b("f", *f));
        }
        W::SAdd(k, m) => {
            ks.set_add(key(k), &b("m", *m));
        }
        W::SRem(k, m) => {
            ks.set_rem(key(k), &b("m", *m));
        }
        W::ZPut(k, m, s) => {
            ks.zset_put(key(k), &b("m", *m), f64::from(*s) / 2.0);
        }
        W::ZRem(k, m) => {
            ks.zset_rem(key(k), &b("m", *m));
        }
        W::LIns(k, i, v) => {
            let len = ks.get_list(key(k)).ok().flatten().map_or(0, |l| l.len());
            // Mostly at the ends (pushes), sometimes in the middle.
            let at = match i {
                0..=2 => 0,
                3..=5 => len,
                _ => len / 2,
            };
            ks.list_insert(key(k), at, b("e", *v));
        }
        W::LRem(k, i) => {
            let len = ks.get_list(key(k)).ok().flatten().map_or(0, |l| l.len());
            let at = match i {
                0..=3 => 0,
                4..=6 => len.saturating_sub(1),
                _ => len / 2,
            };
            ks.list_remove(key(k), at);
        }
        W::LSet(k, i, v) => {
            let len = ks.get_list(key(k)).ok().flatten().map_or(0, |l| l.len());
            ks.list_set(key(k), (*i as usize) % len.max(1), b("s", *v));
        }
        W::Str(k, v) => ks.set_string(key(k), b("str", *v)),
        W::Del(k) => {
            ks.delete(key(k));
        }
        W::Expire(k, t) => {
            ks.set_expiry(key(k), t.map(|t| NOW + 1_000 * (i64::from(t) + 1)));
        }
    }
}

/// Everything a client or a replica could see of the keyspace: the dump (views, expiries),
/// the counts, and each key's CRDT state (compared by meaning: a list's lookup index and
/// dead-run hints are bookkeeping, which the later writes exercise).
fn same(a: &Keyspace, b: &Keyspace) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.canonical_dump(), b.canonical_dump());
    prop_assert_eq!(a.dbsize(), b.dbsize());
    prop_assert_eq!(a.meta_len(), b.meta_len());
    for k in KEYS {
        prop_assert_eq!(a.key_meta(k), b.key_meta(k), "state of {:?}", k);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn rollback_restores_and_the_keyspace_goes_on(
        setup in proptest::collection::vec(w(), 0..40),
        script in proptest::collection::vec(w(), 1..30),
        after in proptest::collection::vec(w(), 0..30),
    ) {
        let mut ks = Keyspace::new();
        ks.set_now(NOW);
        for op in &setup {
            apply(&mut ks, op);
        }
        let outbox = ks.outbox_len();
        let digest = ks.digest();
        let mut untouched = ks.clone();

        ks.start_undo();
        for op in &script {
            apply(&mut ks, op);
        }
        ks.rollback_undo();
        same(&ks, &untouched)?;
        prop_assert_eq!(ks.digest(), digest);
        prop_assert_eq!(ks.outbox_len(), outbox);
        // SCAN sees exactly the keys that exist.
        let mut scanned = ks.all_user_keys();
        scanned.sort();
        let mut existing: Vec<Vec<u8>> =
            KEYS.iter().filter(|k| ks.exists(k)).map(|k| k.to_vec()).collect();
        existing.sort();
        prop_assert_eq!(scanned, existing);

        // The same later writes (with the same clock) give the same state.
        *untouched.hlc_mut() = ks.hlc().clone();
        for op in &after {
            apply(&mut ks, op);
            apply(&mut untouched, op);
            same(&ks, &untouched)?;
        }
    }
}

/// A script pushing to a long list saves one element, not the list: the rollback of 1,000
/// pushes and pops on a 100,000-element list takes both ends back (checked by content).
#[test]
fn rollback_on_a_long_list_and_hash() {
    let mut ks = Keyspace::new();
    ks.set_now(NOW);
    for i in 0..100_000u32 {
        ks.list_insert(b"q", i as usize, i.to_string().into_bytes());
        ks.hash_set(b"h", i.to_string().as_bytes(), b"v".to_vec());
    }
    let before = ks.clone();
    ks.start_undo();
    for i in 0..1_000u32 {
        ks.list_insert(b"q", 0, format!("new{i}").into_bytes());
        ks.list_remove(b"q", 100_000);
        ks.hash_set(b"h", format!("n{i}").as_bytes(), b"w".to_vec());
        ks.hash_del(b"h", i.to_string().as_bytes());
    }
    ks.rollback_undo();
    same(&ks, &before).unwrap();
    let l = ks.get_list(b"q").unwrap().unwrap();
    assert_eq!(l.len(), 100_000);
    assert_eq!(l.front().map(Vec::as_slice), Some(&b"0"[..]));
    assert_eq!(l.back().map(Vec::as_slice), Some(&b"99999"[..]));
}

/// Pops leave tombstones at the ends that the list skips from then on; a rolled-back pop
/// must bring its element back where the list looks for it.
#[test]
fn rolled_back_pops_are_seen_again_at_both_ends() {
    let mut ks = Keyspace::new();
    ks.set_now(NOW);
    for i in 0..6u8 {
        ks.list_insert(b"q", i as usize, vec![b'a' + i]);
    }
    let untouched = ks.clone();
    ks.start_undo();
    for _ in 0..2 {
        ks.list_remove(b"q", 0);
        let len = ks.get_list(b"q").unwrap().unwrap().len();
        ks.list_remove(b"q", len - 1);
    }
    ks.rollback_undo();
    same(&ks, &untouched).unwrap();
    let list = |ks: &Keyspace| ks.get_list(b"q").unwrap().unwrap().clone();
    assert_eq!(list(&ks), list(&untouched));
    // Positions count the revived elements: pop both ends again.
    ks.list_remove(b"q", 0);
    ks.list_remove(b"q", 4);
    assert_eq!(
        list(&ks),
        [b"b", b"c", b"d", b"e"].map(|v| v.to_vec()).to_vec()
    );
}
