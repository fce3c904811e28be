//! One sort for the engine's cold paths: HSCAN/SSCAN/ZSCAN's visiting order, the input and
//! result order of ZUNION/ZINTER/ZDIFF(STORE), and the keyspace's byte orders (snapshot export,
//! system records, DEBUG DIGEST's sorted-set members). Each call site sorts `(key, bytes, index)`
//! entries and then reorders its own elements by index, so the wasm module links one
//! instantiation of the std sort instead of one per element type and comparator (≈ 5–6 KB
//! raw each; docs/edge.md, "Sizes").

/// A sort entry: the primary key, the secondary key and the element's index, the last
/// tie-break, which makes every entry distinct.
pub(crate) type Keyed<'a> = (u64, &'a [u8], usize);

/// Sort ascending by `(key, bytes, index)`. The entries are distinct (their indexes are), so
/// the unstable sort yields the one ascending order, and equal `(key, bytes)` pairs keep their
/// index order as a stable sort would.
#[inline(never)]
pub(crate) fn sort_keyed(v: &mut [Keyed<'_>]) {
    v.sort_unstable();
}

/// The indexes of sorted entries, in order.
pub(crate) fn sorted_indexes(mut v: Vec<Keyed<'_>>) -> Vec<usize> {
    sort_keyed(&mut v);
    v.into_iter().map(|(_, _, i)| i).collect()
}

/// `items` in the order of the indexes in `order` (an index out of range or seen before is
/// skipped; items not named are dropped).
pub(crate) fn take_in_order<T>(items: Vec<T>, order: Vec<usize>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// An order-preserving `u64` image of a non-NaN double. `-0.0` and `0.0` map to the same key
/// (they compare equal, so ties fall to the next key exactly as with `partial_cmp`).
pub(crate) fn score_key(d: f64) -> u64 {
    let b = (d + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_keys_order_like_the_doubles() {
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            1.0,
            2.5,
            1e300,
            f64::INFINITY,
        ];
        for a in xs {
            for b in xs {
                let by_key = score_key(a).cmp(&score_key(b));
                assert_eq!(Some(by_key), a.partial_cmp(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn equal_keys_keep_index_order() {
        let v: Vec<Keyed<'_>> = vec![
            (2, b"", 0),
            (1, b"", 1),
            (2, b"", 2),
            (1, b"", 3),
            (0, b"b", 4),
            (0, b"a", 5),
        ];
        assert_eq!(sorted_indexes(v), vec![5, 4, 1, 3, 0, 2]);
        let items = vec!["a", "b", "c"];
        assert_eq!(take_in_order(items, vec![2, 0, 2, 9]), vec!["c", "a"]);
    }
}
