//! The keyspace write primitives (the future effect enum) and typed views.
use marekvs::keyspace::{Keyspace, Value, WriteOp, WrongType};

fn k(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

#[test]
fn collections_appear_and_disappear() {
    let mut ks = Keyspace::new();
    ks.hash_set(b"h", b"f", k("v"));
    assert_eq!(ks.get_hash(b"h").unwrap().unwrap().len(), 1);
    assert!(!ks.hash_del(b"h", b"nope"));
    assert!(ks.hash_del(b"h", b"f"));
    assert!(!ks.exists(b"h"));
    assert!(ks.set_add(b"s", b"m"));
    assert!(!ks.set_add(b"s", b"m"));
    assert!(ks.set_rem(b"s", b"m"));
    assert!(!ks.exists(b"s"));
    ks.zset_put(b"z", b"m", 1.0);
    assert_eq!(ks.get_zset(b"z").unwrap().unwrap().score(b"m"), Some(1.0));
    assert!(!ks.apply(WriteOp::ZsetPut {
        key: k("z"),
        member: k("n"),
        score: f64::NAN
    }));
    ks.zset_rem(b"z", b"m");
    assert!(!ks.exists(b"z"));
    assert!(ks.list_insert(b"l", 0, k("a")));
    assert!(
        !ks.list_insert(b"l", 5, k("x")),
        "out of range insert is a no-op"
    );
    assert!(ks.list_insert(b"l", 1, k("c")));
    assert!(ks.list_insert(b"l", 1, k("b")));
    let l: Vec<&[u8]> = ks
        .get_list(b"l")
        .unwrap()
        .unwrap()
        .iter()
        .map(|v| v.as_slice())
        .collect();
    assert_eq!(l, vec![b"a".as_slice(), b"b", b"c"]);
    assert!(ks.list_set(b"l", 2, k("C")));
    assert!(!ks.list_set(b"l", 3, k("x")));
    assert!(!ks.list_remove(b"l", 3));
    for _ in 0..3 {
        assert!(ks.list_remove(b"l", 0));
    }
    assert!(!ks.exists(b"l"));
    // An out-of-range insert on a missing key leaves nothing behind.
    assert!(!ks.list_insert(b"l2", 1, k("x")));
    assert!(!ks.exists(b"l2"));
}

#[test]
fn types_and_expiry() {
    let mut ks = Keyspace::new();
    ks.set_now(1000);
    ks.set_string(b"a", k("1"));
    assert_eq!(ks.get_hash(b"a"), Err(WrongType));
    assert_eq!(ks.get_string(b"a"), Ok(Some(&k("1"))));
    assert!(ks.set_expiry(b"a", Some(2000)));
    ks.set_string(b"a", k("2"));
    assert_eq!(ks.expiry(b"a"), Some(Some(2000)), "SetString keeps expiry");
    // A collection op on a key of another type replaces it (replicated effects).
    ks.hash_set(b"a", b"f", k("v"));
    assert!(matches!(ks.value(b"a"), Some(Value::Hash(_))));
    assert_eq!(ks.expiry(b"a"), Some(Some(2000)));
    ks.set_now(2000);
    assert!(!ks.exists(b"a"));
    assert_eq!(ks.get_hash(b"a"), Ok(None));
    // Writing to an expired key starts from an empty value without expiry.
    ks.hash_set(b"a", b"g", k("w"));
    assert_eq!(ks.get_hash(b"a").unwrap().unwrap().len(), 1);
    assert_eq!(ks.expiry(b"a"), Some(None));
    // An expiry in the past deletes.
    assert!(ks.set_expiry(b"a", Some(1500)));
    assert!(!ks.exists(b"a"));
    assert_eq!(ks.dbsize(), 0);
    assert!(!ks.set_expiry(b"missing", Some(5000)));
    assert!(!ks.delete(b"missing"));
}

#[test]
fn journal_and_clone() {
    let mut ks = Keyspace::new();
    ks.start_journal();
    ks.set_string(b"a", k("1"));
    ks.delete(b"a");
    let j = ks.take_journal();
    assert_eq!(
        j,
        vec![
            WriteOp::SetString {
                key: k("a"),
                value: k("1")
            },
            WriteOp::Delete { key: k("a") }
        ]
    );
    assert!(!ks.journaling());
    assert!(ks.take_journal().is_empty());
    assert_eq!(j[0].key(), b"a");
    // A clone is a full snapshot (scripts can stage on it).
    ks.set_string(b"b", k("2"));
    let snap = ks.clone();
    ks.delete(b"b");
    assert!(snap.exists(b"b"));
}

#[test]
fn undo_restores_previous_state() {
    let mut ks = Keyspace::new();
    ks.set_now(100);
    ks.set_string(b"a", k("1"));
    ks.set_expiry(b"a", Some(500));
    ks.hash_set(b"h", b"f", k("v"));
    ks.set_string(b"gone", k("x"));
    let before = ks.digest();
    ks.start_undo();
    ks.set_string(b"a", k("2"));
    ks.set_expiry(b"a", None);
    ks.hash_del(b"h", b"f");
    ks.delete(b"gone");
    ks.set_add(b"new", b"m");
    ks.rpush_for_test();
    ks.rollback_undo();
    assert_eq!(ks.digest(), before);
    assert_eq!(ks.expiry(b"a"), Some(Some(500)));
    assert!(!ks.exists(b"new"));
    assert_eq!(ks.dbsize(), 3);
    // Commit keeps the writes.
    ks.start_undo();
    ks.delete(b"a");
    ks.commit_undo();
    ks.rollback_undo();
    assert!(!ks.exists(b"a"));
}

trait Push {
    fn rpush_for_test(&mut self);
}
impl Push for Keyspace {
    fn rpush_for_test(&mut self) {
        for i in 0..3 {
            self.list_insert(b"l", i, vec![b'x']);
        }
    }
}

/// A string is stored once (the register's bytes live in the string view): a view dropped by
/// active expiry, restored by a later PERSIST from a peer, a snapshot of either state and an
/// undo rollback all still see the value.
#[test]
fn string_bytes_survive_expiry_snapshot_and_rollback() {
    use marekvs::effects::{Effect, Op, Stamp};
    let strings = |ks: &Keyspace| -> Vec<Vec<u8>> {
        ks.state_effects(|_| true)
            .into_iter()
            .filter_map(|e| match e.op {
                Op::Str(v) => Some(v),
                _ => None,
            })
            .collect()
    };
    let mut ks = Keyspace::new();
    ks.set_now(1_000);
    ks.set_string(b"k", k("hello"));
    ks.set_string(b"k", k("world"));
    assert!(ks.set_expiry(b"k", Some(2_000)));
    assert_eq!(strings(&ks), vec![k("world")]);
    ks.set_now(3_000);
    assert_eq!(ks.active_expire(3_000, 100), 1);
    assert!(!ks.exists(b"k"));
    assert_eq!(strings(&ks), vec![k("world")]);
    // A peer's PERSIST stamped after the expiry: the value is back.
    assert!(ks.merge_apply(
        &Effect {
            stamp: Stamp::new(5_000, 0, 9),
            key: k("k"),
            op: Op::Expire(None),
        }
        .as_view()
    ));
    assert_eq!(ks.get_string(b"k"), Ok(Some(&k("world"))));
    assert_eq!(strings(&ks), vec![k("world")]);
    // A losing write changes nothing; a rolled-back one is undone.
    assert!(!ks.merge_apply(
        &Effect {
            stamp: Stamp::new(1, 0, 9),
            key: k("k"),
            op: Op::Str(k("old")),
        }
        .as_view()
    ));
    ks.start_undo();
    ks.set_string(b"k", k("other"));
    ks.hash_set(b"k", b"f", k("v"));
    ks.rollback_undo();
    assert_eq!(ks.get_string(b"k"), Ok(Some(&k("world"))));
    assert_eq!(strings(&ks), vec![k("world")]);
    // A type change keeps nothing of the string; a new string starts afresh.
    ks.hash_set(b"k", b"f", k("v"));
    assert!(strings(&ks).is_empty());
    ks.set_string(b"k", k("again"));
    assert_eq!(ks.get_string(b"k"), Ok(Some(&k("again"))));
    assert_eq!(strings(&ks), vec![k("again")]);
}
