//! Property tests: no panics on arbitrary input, split-invariance, encode/decode round trips.

use super::*;
use crate::reply::Reply;
use proptest::prelude::*;

/// Feed `input` in chunks cut at `cuts` (positions taken modulo the length).
fn parse_split(input: &[u8], cuts: &[usize]) -> (Vec<Command>, Option<ProtocolError>) {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| if input.is_empty() { 0 } else { c % input.len() })
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut p = RequestParser::new();
    let mut out = Vec::new();
    let mut last = 0;
    for pt in points.into_iter().chain(std::iter::once(input.len())) {
        let (mut cmds, e) = p.parse(input.get(last..pt).unwrap_or(&[]));
        out.append(&mut cmds);
        if e.is_some() {
            return (out, e);
        }
        last = pt;
    }
    (out, None)
}

fn decode_split(input: &[u8], cuts: &[usize]) -> (Vec<Reply>, bool) {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| if input.is_empty() { 0 } else { c % input.len() })
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut d = ReplyDecoder::new();
    let mut out = Vec::new();
    let mut last = 0;
    for pt in points.into_iter().chain(std::iter::once(input.len())) {
        d.feed(input.get(last..pt).unwrap_or(&[]));
        loop {
            match d.next_reply() {
                Ok(Some(r)) => out.push(r),
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
        last = pt;
    }
    (out, false)
}

/// Bytes biased towards protocol-significant characters.
fn protocolish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => prop::sample::select(b"*$\r\n0123456789-+ \"'\\x:_,#(=%~>|!tfab".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..300)
}

fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40),
        "[a-z]{1,8}".prop_map(String::into_bytes),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop::collection::vec(arg(), 1..6)
}

/// Encode a command inline when every argument survives sdssplitargs unquoted, else as a
/// quoted inline line, else multibulk.
fn encode_request(c: &Command, style: u8, out: &mut Vec<u8>) {
    let plain = c.iter().all(|a| {
        !a.is_empty()
            && a.iter()
                .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'')
    });
    if style % 3 == 1 && plain && c.first().and_then(|a| a.first()) != Some(&b'*') {
        for (i, a) in c.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(a);
        }
        out.extend_from_slice(if style.is_multiple_of(2) {
            b"\r\n"
        } else {
            b"\n"
        });
    } else if style % 3 == 2 && c.first().and_then(|a| a.first()).is_some() {
        // Double-quoted with \xHH escapes for everything non-alphanumeric.
        for (i, a) in c.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'"');
            for &b in a {
                if b.is_ascii_alphanumeric() {
                    out.push(b);
                } else {
                    out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
                }
            }
            out.push(b'"');
        }
        out.extend_from_slice(b"\r\n");
    } else {
        encode_command(c, out);
    }
}

fn leaf_reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        ".{0,12}".prop_map(Reply::Status),
        ".{0,12}".prop_map(Reply::Error),
        any::<i64>().prop_map(Reply::Integer),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Reply::Bulk),
        Just(Reply::Nil),
        Just(Reply::NilArray),
        any::<f64>().prop_map(Reply::Double),
        any::<bool>().prop_map(Reply::Bool),
        "-?[0-9]{1,30}".prop_map(Reply::BigNumber),
        ("[a-z]{3}", prop::collection::vec(any::<u8>(), 0..10))
            .prop_map(|(f, c)| Reply::Verbatim(f, c)),
    ]
}

fn reply() -> impl Strategy<Value = Reply> {
    leaf_reply().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Reply::Array),
            prop::collection::vec(inner.clone(), 0..6).prop_map(Reply::Set),
            prop::collection::vec((inner.clone(), inner), 0..4).prop_map(Reply::Map),
        ]
    })
}

fn sanitize(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// What decoding the encoding should give: the reply as seen on the wire.
fn expected(r: &Reply, proto: u8) -> Reply {
    let resp3 = proto == 3;
    match r {
        Reply::Status(s) => Reply::Status(sanitize(s)),
        Reply::Error(s) => Reply::Error(sanitize(s)),
        Reply::Nil => Reply::Nil,
        Reply::NilArray if resp3 => Reply::Nil,
        Reply::Array(v) => Reply::Array(v.iter().map(|x| expected(x, proto)).collect()),
        Reply::Set(v) if resp3 => Reply::Set(v.iter().map(|x| expected(x, proto)).collect()),
        Reply::Set(v) => Reply::Array(v.iter().map(|x| expected(x, proto)).collect()),
        Reply::Map(p) if resp3 => Reply::Map(
            p.iter()
                .map(|(k, v)| (expected(k, proto), expected(v, proto)))
                .collect(),
        ),
        Reply::Map(p) => Reply::Array(
            p.iter()
                .flat_map(|(k, v)| [expected(k, proto), expected(v, proto)])
                .collect(),
        ),
        // NaN != NaN: compare a canonical NaN through the bit pattern below.
        Reply::Double(d) if resp3 => Reply::Double(*d),
        Reply::Double(d) => Reply::Bulk(format_double(*d).into_bytes()),
        Reply::Bool(b) if !resp3 => Reply::Integer(i64::from(*b)),
        Reply::BigNumber(s) if !resp3 => Reply::Bulk(s.clone().into_bytes()),
        Reply::Verbatim(_, c) if !resp3 => Reply::Bulk(c.clone()),
        other => other.clone(),
    }
}

/// Equality that treats all NaNs as equal.
fn same(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Double(x), Reply::Double(y)) => (x.is_nan() && y.is_nan()) || x == y,
        (Reply::Array(x), Reply::Array(y)) | (Reply::Set(x), Reply::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| same(k1, k2) && same(v1, v2))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn parser_random_bytes_split_invariant(
        input in protocolish_bytes(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let whole = RequestParser::new().parse(&input);
        let split = parse_split(&input, &cuts);
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn parser_valid_streams_roundtrip(
        cmds in prop::collection::vec((command(), any::<u8>()), 0..8),
        cuts in prop::collection::vec(any::<usize>(), 0..10),
    ) {
        let mut input = Vec::new();
        for (c, style) in &cmds {
            encode_request(c, *style, &mut input);
        }
        let want: Vec<Command> = cmds.into_iter().map(|(c, _)| c).collect();
        let (got, e) = parse_split(&input, &cuts);
        prop_assert_eq!(e, None);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn split_args_never_panics(line in protocolish_bytes()) {
        let _ = split_args(&line);
    }

    #[test]
    fn decoder_random_bytes_split_invariant(
        input in protocolish_bytes(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let whole = decode_split(&input, &[]);
        let split = decode_split(&input, &cuts);
        prop_assert_eq!(whole.1, split.1);
        prop_assert!(whole.0.len() == split.0.len()
            && whole.0.iter().zip(&split.0).all(|(a, b)| same(a, b)));
    }

    #[test]
    fn encode_decode_roundtrip(
        replies in prop::collection::vec(reply(), 1..5),
        proto in prop_oneof![Just(2u8), Just(3u8)],
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut buf = Vec::new();
        for r in &replies {
            encode(r, proto, &mut buf);
        }
        let (got, failed) = decode_split(&buf, &cuts);
        prop_assert!(!failed);
        prop_assert_eq!(got.len(), replies.len());
        for (g, r) in got.iter().zip(&replies) {
            let want = expected(r, proto);
            prop_assert!(same(g, &want), "got {:?} want {:?}", g, want);
        }
    }

    #[test]
    fn double_format_roundtrips(d in any::<f64>()) {
        let s = format_double(d);
        if d.is_nan() {
            prop_assert!(s.ends_with("nan"));
        } else if d.is_infinite() {
            prop_assert_eq!(s, if d > 0.0 { "inf" } else { "-inf" });
        } else {
            prop_assert_eq!(s.parse::<f64>().ok(), Some(d));
        }
    }
}
