//! Unit tests for the RESP codec. Expected protocol-error texts and double formats were
//! checked against redis-server 7.0.15.

use super::*;
use crate::reply::Reply;

fn cmd(args: &[&str]) -> Command {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

fn parse_all(input: &[u8]) -> (Vec<Command>, Option<String>) {
    let (cmds, e) = RequestParser::new().parse(input);
    (cmds, e.map(|e| e.message()))
}

fn parse_err(input: &[u8]) -> String {
    parse_all(input).1.unwrap_or_else(|| "no error".into())
}

#[test]
fn multibulk_basic_and_pipelined() {
    let (cmds, e) = parse_all(b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    assert_eq!(e, None);
    assert_eq!(cmds, vec![cmd(&["PING"]), cmd(&["SET", "k", ""])]);
}

#[test]
fn multibulk_binary_payload() {
    let (cmds, _) = parse_all(b"*2\r\n$4\r\necho\r\n$4\r\na\r\nb\r\n");
    assert_eq!(cmds, vec![vec![b"echo".to_vec(), b"a\r\nb".to_vec()]]);
}

#[test]
fn empty_multibulk_is_skipped() {
    for input in [
        &b"*0\r\nPING\r\n"[..],
        b"*-1\r\nPING\r\n",
        b"*-5\r\nPING\r\n",
    ] {
        assert_eq!(parse_all(input), (vec![cmd(&["PING"])], None));
    }
}

#[test]
fn trailing_bytes_after_payload_are_not_checked() {
    // redis-server 7.0.15 answers +PONG twice to this.
    let (cmds, e) = parse_all(b"*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n");
    assert_eq!(e, None);
    assert_eq!(cmds, vec![cmd(&["PING"]), cmd(&["PING"])]);
    // and the byte after '\r' of a header is skipped unchecked
    let (cmds, _) = parse_all(b"*1\rX$4\r\nPING\r\n");
    assert_eq!(cmds, vec![cmd(&["PING"])]);
}

#[test]
fn protocol_errors_have_redis_texts() {
    let inv_mb = "ERR Protocol error: invalid multibulk length";
    let inv_b = "ERR Protocol error: invalid bulk length";
    assert_eq!(parse_err(b"*2147483648\r\n"), inv_mb);
    assert_eq!(parse_err(b"*abc\r\n"), inv_mb);
    assert_eq!(parse_err(b"*\r\n"), inv_mb);
    assert_eq!(parse_err(b"*+1\r\n"), inv_mb);
    assert_eq!(parse_err(b"*01\r\n"), inv_mb);
    assert_eq!(parse_err(b"*1 \r\n"), inv_mb);
    assert_eq!(parse_err(b"*1\r\n$536870913\r\n"), inv_b);
    assert_eq!(parse_err(b"*1\r\n$-1\r\n"), inv_b);
    assert_eq!(parse_err(b"*1\r\n$abc\r\n"), inv_b);
    assert_eq!(parse_err(b"*1\r\n$\r\n"), inv_b);
    assert_eq!(parse_err(b"*1\r\n$4 \r\n"), inv_b);
    assert_eq!(parse_err(b"*1\r\n$99999999999999999999\r\n"), inv_b);
    assert_eq!(
        parse_err(b"*1\r\nx3\r\nfoo\r\n"),
        "ERR Protocol error: expected '$', got 'x'"
    );
    assert_eq!(
        parse_err(b"echo \"abc\"d\r\n"),
        "ERR Protocol error: unbalanced quotes in request"
    );
    assert_eq!(
        parse_err(b"echo \"abc\r\n"),
        "ERR Protocol error: unbalanced quotes in request"
    );
    assert_eq!(
        parse_err(b"echo \"a\\\"\r\n"),
        "ERR Protocol error: unbalanced quotes in request"
    );
}

#[test]
fn accepted_limits_wait_for_data() {
    // Declared sizes at the limits are accepted and just wait (no huge allocation).
    for input in [
        &b"*2147483647\r\n"[..],
        b"*1048577\r\n",
        b"*1\r\n$536870912\r\n",
    ] {
        let mut p = RequestParser::new();
        let (cmds, e) = p.parse(input);
        assert!(cmds.is_empty() && e.is_none());
        assert!(p.capacity() < 1 << 20);
    }
}

#[test]
fn too_big_errors() {
    assert_eq!(parse_err(&[b'a'; 65536]), "no error");
    assert_eq!(
        parse_err(&[b'a'; 65537]),
        "ERR Protocol error: too big inline request"
    );
    let mut mb = vec![b'*'];
    mb.extend(std::iter::repeat_n(b'1', 70000));
    assert_eq!(
        parse_err(&mb),
        "ERR Protocol error: too big mbulk count string"
    );
    let mut b = b"*1\r\n$".to_vec();
    b.extend(std::iter::repeat_n(b'1', 70000));
    assert_eq!(
        parse_err(&b),
        "ERR Protocol error: too big bulk count string"
    );
    // A long inline line that arrives with its newline is accepted, as in Redis.
    let mut long = b"echo ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 70000));
    long.extend_from_slice(b"\r\n");
    let (cmds, e) = parse_all(&long);
    assert_eq!(e, None);
    assert_eq!(
        cmds.first().and_then(|c| c.get(1)).map(Vec::len),
        Some(70000)
    );
}

#[test]
fn commands_before_error_are_returned_and_parser_is_poisoned() {
    let mut p = RequestParser::new();
    let (cmds, e) = p.parse(b"PING\r\n*x\r\nPING\r\n");
    assert_eq!(cmds, vec![cmd(&["PING"])]);
    assert_eq!(e, Some(ProtocolError::InvalidMultibulkLength));
    let (cmds, e) = p.parse(b"PING\r\n");
    assert!(cmds.is_empty());
    assert_eq!(e, Some(ProtocolError::InvalidMultibulkLength));
}

#[test]
fn inline_rules() {
    let p = |s: &[u8]| parse_all(s).0;
    assert_eq!(p(b"PING\n"), vec![cmd(&["PING"])]);
    assert_eq!(p(b"  PING   \r\n"), vec![cmd(&["PING"])]);
    assert_eq!(p(b"\r\n\r\n\n   \r\nPING\r\n"), vec![cmd(&["PING"])]);
    assert_eq!(p(b"echo \"a\\x41\\n\"\r\n"), vec![cmd(&["echo", "aA\n"])]);
    assert_eq!(p(b"echo 'a\\'b\\n'\r\n"), vec![cmd(&["echo", "a'b\\n"])]);
    assert_eq!(p(b"echo \"\\xzz\"\r\n"), vec![cmd(&["echo", "xzz"])]);
    assert_eq!(p(b"echo \"\"\r\n"), vec![cmd(&["echo", ""])]);
    assert_eq!(p(b"echo\t\"x y\"\r\n"), vec![cmd(&["echo", "x y"])]);
    assert_eq!(p(b"echo a\rb\r\n"), vec![cmd(&["echo", "a", "b"])]);
    assert_eq!(p(b"echo a\x0bb\r\n"), vec![cmd(&["echo", "a\x0bb"])]);
    assert_eq!(p(b"echo \"a\"\x0bx\r\n"), vec![cmd(&["echo", "a", "x"])]);
    assert_eq!(p(b"echo +1 \"\\x4\"\r\n"), vec![cmd(&["echo", "+1", "x4"])]);
    assert_eq!(p(b"set k\"v w\"\r\n"), vec![cmd(&["set", "kv w"])]);
    assert_eq!(
        p(b"x \"\\t\\r\\b\\a\\\\\\\"\"\n"),
        vec![cmd(&["x", "\t\r\x08\x07\\\""])]
    );
    // NUL ends the C string sdssplitargs sees.
    assert_eq!(
        p(b"echo a\0b\r\nPING\r\n"),
        vec![cmd(&["echo", "a"]), cmd(&["PING"])]
    );
}

#[test]
fn byte_by_byte_equals_whole() {
    let input = b"*2\r\n$4\r\necho\r\n$5\r\nhello\r\nset a 'b c'\r\n*0\r\n\r\nPING\r\n";
    let whole = parse_all(input);
    let mut p = RequestParser::new();
    let mut cmds = Vec::new();
    for b in input {
        let (mut c, e) = p.parse(std::slice::from_ref(b));
        assert_eq!(e, None);
        cmds.append(&mut c);
    }
    assert_eq!((cmds, None), whole);
    assert_eq!(p.pending(), 0);
}

#[test]
fn string2ll_is_strict() {
    use parser::string2ll;
    assert_eq!(string2ll(b"0"), Some(0));
    assert_eq!(string2ll(b"-0"), None);
    assert_eq!(string2ll(b"007"), None);
    assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
    assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
    assert_eq!(string2ll(b"9223372036854775808"), None);
    assert_eq!(string2ll(b""), None);
    assert_eq!(string2ll(b"-"), None);
}

#[test]
fn double_format_matches_redis_7_0() {
    let cases: &[(f64, &str)] = &[
        (1.1, "1.1000000000000001"),
        (3.0, "3"),
        (1e300, "1.0000000000000001e+300"),
        (0.0001, "0.0001"),
        (1e-5, "1.0000000000000001e-05"),
        (123456789012345678.0, "1.2345678901234568e+17"),
        (0.0, "0"),
        (-0.0, "-0"),
        (1e16, "10000000000000000"),
        (1e17, "1e+17"),
        (0.1, "0.10000000000000001"),
        (100.0, "100"),
        (5e-324, "4.9406564584124654e-324"),
        (1.2000000000000002, "1.2000000000000002"),
        (3.5, "3.5"),
        (-2.5, "-2.5"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (f64::MAX, "1.7976931348623157e+308"),
    ];
    for (d, want) in cases {
        assert_eq!(format_double(*d), *want, "{d:?}");
    }
}

fn enc(r: &Reply, proto: u8) -> String {
    String::from_utf8_lossy(&encode_to_vec(r, proto)).into_owned()
}

#[test]
fn encode_resp2_and_resp3() {
    let b = |s: &str| Reply::bulk(s);
    assert_eq!(enc(&Reply::ok(), 2), "+OK\r\n");
    assert_eq!(enc(&Reply::err("ERR x\r\ny"), 2), "-ERR x  y\r\n");
    assert_eq!(enc(&Reply::Status("a\nb".into()), 3), "+a b\r\n");
    assert_eq!(enc(&Reply::Integer(-5), 2), ":-5\r\n");
    assert_eq!(enc(&b("hi"), 3), "$2\r\nhi\r\n");
    assert_eq!(enc(&Reply::Nil, 2), "$-1\r\n");
    assert_eq!(enc(&Reply::Nil, 3), "_\r\n");
    assert_eq!(enc(&Reply::NilArray, 2), "*-1\r\n");
    assert_eq!(enc(&Reply::NilArray, 3), "_\r\n");
    let map = Reply::Map(vec![(b("a"), Reply::Integer(1))]);
    assert_eq!(enc(&map, 2), "*2\r\n$1\r\na\r\n:1\r\n");
    assert_eq!(enc(&map, 3), "%1\r\n$1\r\na\r\n:1\r\n");
    let set = Reply::Set(vec![b("a")]);
    assert_eq!(enc(&set, 2), "*1\r\n$1\r\na\r\n");
    assert_eq!(enc(&set, 3), "~1\r\n$1\r\na\r\n");
    assert_eq!(enc(&Reply::Double(1.1), 2), "$18\r\n1.1000000000000001\r\n");
    assert_eq!(enc(&Reply::Double(3.5), 3), ",3.5\r\n");
    assert_eq!(enc(&Reply::Double(f64::INFINITY), 2), "$3\r\ninf\r\n");
    assert_eq!(enc(&Reply::Double(f64::NEG_INFINITY), 3), ",-inf\r\n");
    assert_eq!(enc(&Reply::Bool(true), 2), ":1\r\n");
    assert_eq!(enc(&Reply::Bool(false), 2), ":0\r\n");
    assert_eq!(enc(&Reply::Bool(true), 3), "#t\r\n");
    assert_eq!(enc(&Reply::BigNumber("12345".into()), 2), "$5\r\n12345\r\n");
    assert_eq!(enc(&Reply::BigNumber("12345".into()), 3), "(12345\r\n");
    let v = Reply::Verbatim("txt".into(), b"hi".to_vec());
    assert_eq!(enc(&v, 2), "$2\r\nhi\r\n");
    assert_eq!(enc(&v, 3), "=6\r\ntxt:hi\r\n");
    let nested = Reply::Array(vec![Reply::Array(vec![]), Reply::Nil, b("x")]);
    assert_eq!(enc(&nested, 2), "*3\r\n*0\r\n$-1\r\n$1\r\nx\r\n");
}

#[test]
fn deep_reply_encodes_without_recursion() {
    let mut r = Reply::Integer(1);
    for _ in 0..100_000 {
        r = Reply::Array(vec![r]);
    }
    let out = encode_to_vec(&r, 3);
    assert_eq!(out.len(), 100_000 * 4 + 4);
    // Tear down iteratively (the derived Drop would recurse).
    let mut cur = Some(r);
    while let Some(Reply::Array(mut v)) = cur {
        cur = v.pop();
    }
}

#[test]
fn decode_resp3_types() {
    let input = b"+OK\r\n-ERR x\r\n:42\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n_\r\n,1.5\r\n,inf\r\n#t\r\n(123\r\n=6\r\ntxt:hi\r\n%1\r\n$1\r\nk\r\n:1\r\n~1\r\n:2\r\n>2\r\n$1\r\na\r\n$1\r\nb\r\n!3\r\nERR\r\n|1\r\n$1\r\nx\r\n:0\r\n:7\r\n*0\r\n";
    let got = decode_all(input).unwrap_or_default();
    assert_eq!(
        got,
        vec![
            Reply::ok(),
            Reply::err("ERR x"),
            Reply::Integer(42),
            Reply::bulk("foo"),
            Reply::Nil,
            Reply::NilArray,
            Reply::Nil,
            Reply::Double(1.5),
            Reply::Double(f64::INFINITY),
            Reply::Bool(true),
            Reply::BigNumber("123".into()),
            Reply::Verbatim("txt".into(), b"hi".to_vec()),
            Reply::Map(vec![(Reply::bulk("k"), Reply::Integer(1))]),
            Reply::Set(vec![Reply::Integer(2)]),
            Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")]),
            Reply::err("ERR"),
            Reply::Integer(7),
            Reply::Array(vec![]),
        ]
    );
}

#[test]
fn decode_errors_and_partial() {
    assert!(decode_all(b"?x\r\n").is_err());
    assert!(decode_all(b":1x\r\n").is_err());
    assert!(decode_all(b"$3\r\nfooXY").is_err());
    assert!(decode_all(b"*2\r\n:1\r\n").is_err()); // incomplete
    assert!(decode_all(b"$-2\r\n").is_err());
    assert!(decode_all(b",infinity\r\n").is_err());
    assert!(decode_all(b"+a\rb\r\n").is_err());
    let mut deep = Vec::new();
    for _ in 0..2000 {
        deep.extend_from_slice(b"*1\r\n");
    }
    deep.extend_from_slice(b":1\r\n");
    assert!(decode_all(&deep).is_err());
    let mut d = ReplyDecoder::new();
    d.feed(b"*2\r\n$5\r\nhel");
    assert_eq!(d.next_reply(), Ok(None));
    d.feed(b"lo\r\n:1");
    assert_eq!(d.next_reply(), Ok(None));
    d.feed(b"\r\n");
    assert_eq!(
        d.next_reply(),
        Ok(Some(Reply::Array(vec![
            Reply::bulk("hello"),
            Reply::Integer(1)
        ])))
    );
}

#[test]
fn encode_command_roundtrips_through_parser() {
    let mut buf = Vec::new();
    encode_command(&["SET", "k", "v\r\n"], &mut buf);
    let (cmds, e) = parse_all(&buf);
    assert_eq!(e, None);
    assert_eq!(cmds, vec![cmd(&["SET", "k", "v\r\n"])]);
}
