//! Connection and server commands: PING ECHO TIME HELLO SELECT INFO CONFIG COMMAND CLIENT
//! QUIT DEBUG.

use super::{
    arg, command_table, flags, int_arg, is, key_positions, lookup, resolve, CallCtx, CmdResult,
    CommandSpec, Shard,
};
use crate::keyspace::glob::glob_match;
use crate::reply::Reply;

/// The Redis version we report (clients use it for feature detection).
pub const REDIS_VERSION: &str = "7.0.15";

fn text_reply(cx: &CallCtx, s: String) -> Reply {
    if cx.proto >= 3 {
        Reply::Verbatim("txt".to_string(), s.into_bytes())
    } else {
        Reply::Bulk(s.into_bytes())
    }
}

fn status_lines(lines: &[&str]) -> Reply {
    Reply::Array(lines.iter().map(|l| Reply::Status(l.to_string())).collect())
}

pub(super) fn ping(_sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    match argv.len() {
        1 => Ok(Reply::Status("PONG".into())),
        2 => Ok(Reply::bulk(arg(argv, 1))),
        _ => Err(super::wrong_arity("ping")),
    }
}

pub(super) fn echo(_sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::bulk(arg(argv, 1)))
}

pub(super) fn time(_sh: &mut Shard, cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    let secs = cx.now_ms.div_euclid(1000);
    let micros = cx.now_ms.rem_euclid(1000) * 1000;
    Ok(Reply::Array(vec![
        Reply::Bulk(secs.to_string().into_bytes()),
        Reply::Bulk(micros.to_string().into_bytes()),
    ]))
}

fn valid_client_name(n: &[u8]) -> bool {
    n.iter().all(|&c| (b'!'..=b'~').contains(&c))
}

const ERR_CLIENT_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";

pub(super) fn hello(_sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let mut proto = cx.proto;
    let mut name: Option<Vec<u8>> = None;
    if let Some(v) = argv.get(1) {
        let v = super::numfmt::parse_i64(v)
            .ok_or_else(|| Reply::err("ERR Protocol version is not an integer or out of range"))?;
        if !(2..=3).contains(&v) {
            return Err(Reply::err("NOPROTO unsupported protocol version"));
        }
        proto = v as u8;
        let mut i = 2;
        while let Some(o) = argv.get(i) {
            let more = argv.len() - i - 1;
            if is(o, "auth") && more >= 2 {
                if arg(argv, i + 1) != b"default" {
                    return Err(Reply::err(
                        "WRONGPASS invalid username-password pair or user is disabled.",
                    ));
                }
                i += 3;
            } else if is(o, "setname") && more >= 1 {
                let n = arg(argv, i + 1);
                if !valid_client_name(n) {
                    return Err(Reply::err(ERR_CLIENT_NAME));
                }
                name = Some(n.to_vec());
                i += 2;
            } else {
                return Err(Reply::err(format!(
                    "ERR Syntax error in HELLO option '{}'",
                    String::from_utf8_lossy(o)
                )));
            }
        }
    }
    cx.proto = proto;
    if let Some(n) = name {
        cx.client_name = if n.is_empty() { None } else { Some(n) };
    }
    let id = i64::try_from(cx.client_id).unwrap_or(i64::MAX);
    Ok(cx.map(vec![
        (Reply::bulk("server"), Reply::bulk("redis")),
        (Reply::bulk("version"), Reply::bulk(REDIS_VERSION)),
        (Reply::bulk("proto"), Reply::Integer(i64::from(proto))),
        (Reply::bulk("id"), Reply::Integer(id)),
        (Reply::bulk("mode"), Reply::bulk("standalone")),
        (Reply::bulk("role"), Reply::bulk("master")),
        (Reply::bulk("modules"), Reply::Array(Vec::new())),
    ]))
}

pub(super) fn select(_sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let db = int_arg(arg(argv, 1))?;
    if db != 0 {
        return Err(Reply::err("ERR DB index is out of range"));
    }
    Ok(Reply::ok())
}

fn info_section(sh: &Shard, cx: &CallCtx, name: &str) -> Option<String> {
    let mut s = String::new();
    match name {
        "server" => {
            let uptime_ms = sh
                .started_ms
                .map_or(0, |t| cx.now_ms.saturating_sub(t).max(0));
            s.push_str("# Server\r\n");
            s.push_str(&format!("redis_version:{REDIS_VERSION}\r\n"));
            s.push_str("redis_mode:standalone\r\n");
            s.push_str("marekvs_version:");
            s.push_str(env!("CARGO_PKG_VERSION"));
            s.push_str("\r\n");
            s.push_str(&format!("partitions:{}\r\n", sh.partition_map().count()));
            s.push_str(&format!(
                "owned_partitions:{}\r\n",
                (0..sh.partition_map().count())
                    .filter(|p| sh.owns(*p))
                    .count()
            ));
            s.push_str(&format!("uptime_in_seconds:{}\r\n", uptime_ms / 1000));
            s.push_str(&format!("uptime_in_days:{}\r\n", uptime_ms / 86_400_000));
            s.push_str(&format!(
                "lua_time_limit:{}\r\n",
                sh.config.lua_time_limit_ms
            ));
        }
        "memory" => {
            s.push_str("# Memory\r\n");
            s.push_str(&format!("maxmemory:{}\r\n", sh.config.maxmemory));
            s.push_str(&format!(
                "maxmemory_policy:{}\r\n",
                sh.config.maxmemory_policy
            ));
        }
        "stats" => {
            let st = &sh.stats;
            s.push_str("# Stats\r\n");
            s.push_str(&format!(
                "total_commands_processed:{}\r\n",
                st.commands_processed
            ));
            s.push_str(&format!("expired_keys:{}\r\n", st.expired_keys));
            s.push_str(&format!("keyspace_hits:{}\r\n", st.keyspace_hits));
            s.push_str(&format!("keyspace_misses:{}\r\n", st.keyspace_misses));
        }
        "keyspace" => {
            s.push_str("# Keyspace\r\n");
            let keys = sh.ks.dbsize();
            if keys > 0 {
                s.push_str(&format!(
                    "db0:keys={keys},expires={},avg_ttl=0\r\n",
                    sh.ks.volatile_count()
                ));
            }
        }
        _ => return None,
    }
    Some(s)
}

const INFO_SECTIONS: [&str; 4] = ["server", "memory", "stats", "keyspace"];

pub(super) fn info(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let mut wanted: Vec<&str> = Vec::new();
    if argv.len() == 1 {
        wanted.extend(INFO_SECTIONS);
    }
    for a in argv.iter().skip(1) {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        if a == "all" || a == "everything" || a == "default" {
            wanted.extend(INFO_SECTIONS);
        } else if let Some(s) = INFO_SECTIONS.iter().find(|s| **s == a) {
            wanted.push(s);
        }
    }
    let mut out = Vec::new();
    for w in INFO_SECTIONS {
        if wanted.contains(&w) {
            if let Some(s) = info_section(sh, cx, w) {
                out.push(s);
            }
        }
    }
    Ok(text_reply(cx, out.join("\r\n")))
}

// ------------------------------------------------------------------ CONFIG

/// Parse a Redis memory value (`100`, `1kb`, `5mb`, `1G`...).
fn parse_memory(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?.to_ascii_lowercase();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    if num.is_empty() {
        return None;
    }
    let n: u64 = num.parse().ok()?;
    let mul: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1_000_000,
        "mb" => 1024 * 1024,
        "g" => 1_000_000_000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mul)
}

const POLICIES: [&str; 8] = [
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

fn config_params(sh: &Shard) -> Vec<(&'static str, String)> {
    vec![
        ("lua-time-limit", sh.config.lua_time_limit_ms.to_string()),
        (
            "busy-reply-threshold",
            sh.config.lua_time_limit_ms.to_string(),
        ),
        ("maxmemory", sh.config.maxmemory.to_string()),
        ("maxmemory-policy", sh.config.maxmemory_policy.clone()),
        ("databases", "1".to_string()),
        ("appendonly", "no".to_string()),
        ("save", String::new()),
    ]
}

pub(super) fn config_subcommand(
    _sh: &mut Shard,
    _cx: &mut CallCtx,
    _argv: &[Vec<u8>],
) -> CmdResult {
    Err(super::wrong_arity("config"))
}

pub(super) fn config_get(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let params = config_params(sh);
    let mut out = Vec::new();
    for (name, value) in params {
        if argv
            .iter()
            .skip(2)
            .any(|p| glob_match(&p.to_ascii_lowercase(), name.as_bytes()))
        {
            out.push((Reply::bulk(name), Reply::bulk(value)));
        }
    }
    Ok(cx.map(out))
}

pub(super) fn config_set(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let args = argv.get(2..).unwrap_or(&[]);
    if !args.len().is_multiple_of(2) {
        return Err(super::syntax());
    }
    let mut new = sh.config.clone();
    for pair in args.chunks_exact(2) {
        let [name, value] = pair else { continue };
        let lname = String::from_utf8_lossy(name).to_ascii_lowercase();
        let fail = |why: &str| {
            Reply::err(format!(
                "ERR CONFIG SET failed (possibly related to argument '{lname}') - {why}"
            ))
        };
        match lname.as_str() {
            "lua-time-limit" | "busy-reply-threshold" => {
                let v = super::numfmt::parse_i64(value)
                    .ok_or_else(|| fail("argument couldn't be parsed into an integer"))?;
                new.lua_time_limit_ms = u64::try_from(v).map_err(|_| {
                    fail("argument must be between 0 and 9223372036854775807 inclusive")
                })?;
            }
            "maxmemory" => {
                new.maxmemory =
                    parse_memory(value).ok_or_else(|| fail("argument must be a memory value"))?;
            }
            "maxmemory-policy" => {
                let v = String::from_utf8_lossy(value).to_ascii_lowercase();
                if !POLICIES.contains(&v.as_str()) {
                    return Err(fail(&format!(
                        "argument(s) must be one of the following: {}",
                        POLICIES.join(", ")
                    )));
                }
                new.maxmemory_policy = v;
            }
            "databases" | "appendonly" | "save" => {
                return Err(fail("can't set immutable config"));
            }
            _ => {
                return Err(Reply::err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(name)
                )))
            }
        }
    }
    sh.config = new;
    Ok(Reply::ok())
}

pub(super) fn config_resetstat(sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    sh.stats = super::Stats::default();
    Ok(Reply::ok())
}

pub(super) fn config_help(_sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(status_lines(&[
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "HELP",
        "    Print this help.",
    ]))
}

// ------------------------------------------------------------------ COMMAND

fn command_info_entry(cx: &CallCtx, c: &CommandSpec) -> Reply {
    let flag_list: Vec<Reply> = flags::NAMES
        .iter()
        .filter(|(f, _)| c.has(*f))
        .map(|(_, n)| Reply::Status(n.to_string()))
        .collect();
    let acl: Vec<Reply> = c
        .acl
        .split_whitespace()
        .map(|a| Reply::Status(a.to_string()))
        .collect();
    let subs: Vec<Reply> = c
        .subcommands
        .iter()
        .map(|s| command_info_entry(cx, s))
        .collect();
    Reply::Array(vec![
        Reply::bulk(c.name),
        Reply::Integer(i64::from(c.arity)),
        cx.set(flag_list),
        Reply::Integer(i64::from(c.first_key)),
        Reply::Integer(i64::from(c.last_key)),
        Reply::Integer(i64::from(c.step)),
        cx.set(acl),
        cx.set(Vec::new()),
        cx.set(key_specs(cx, c)),
        cx.set(subs),
    ])
}

/// Key specs derived from the legacy (first, last, step) triple (or SINTERCARD's numkeys).
fn key_specs(cx: &CallCtx, c: &CommandSpec) -> Vec<Reply> {
    let kv = |k: &str, v: Reply| (Reply::bulk(k), v);
    let flags = if c.has(flags::WRITE) {
        vec![Reply::Status("RW".into()), Reply::Status("update".into())]
    } else {
        vec![Reply::Status("RO".into()), Reply::Status("access".into())]
    };
    if c.has(flags::MOVABLEKEYS) {
        return vec![cx.map(vec![
            kv("flags", cx.set(flags)),
            kv(
                "begin_search",
                cx.map(vec![
                    kv("type", Reply::bulk("index")),
                    kv("spec", cx.map(vec![kv("index", Reply::Integer(1))])),
                ]),
            ),
            kv(
                "find_keys",
                cx.map(vec![
                    kv("type", Reply::bulk("keynum")),
                    kv(
                        "spec",
                        cx.map(vec![
                            kv("keynumidx", Reply::Integer(0)),
                            kv("firstkey", Reply::Integer(1)),
                            kv("keystep", Reply::Integer(1)),
                        ]),
                    ),
                ]),
            ),
        ])];
    }
    if c.first_key <= 0 {
        return Vec::new();
    }
    let lastkey = if c.last_key < 0 {
        i64::from(c.last_key)
    } else {
        i64::from(c.last_key) - i64::from(c.first_key)
    };
    vec![cx.map(vec![
        kv("flags", cx.set(flags)),
        kv(
            "begin_search",
            cx.map(vec![
                kv("type", Reply::bulk("index")),
                kv(
                    "spec",
                    cx.map(vec![kv("index", Reply::Integer(i64::from(c.first_key)))]),
                ),
            ]),
        ),
        kv(
            "find_keys",
            cx.map(vec![
                kv("type", Reply::bulk("range")),
                kv(
                    "spec",
                    cx.map(vec![
                        kv("lastkey", Reply::Integer(lastkey)),
                        kv("keystep", Reply::Integer(i64::from(c.step))),
                        kv("limit", Reply::Integer(0)),
                    ]),
                ),
            ]),
        ),
    ])]
}

pub(super) fn command_subcommand(
    _sh: &mut Shard,
    cx: &mut CallCtx,
    _argv: &[Vec<u8>],
) -> CmdResult {
    Ok(Reply::Array(
        command_table()
            .iter()
            .map(|c| command_info_entry(cx, c))
            .collect(),
    ))
}

pub(super) fn command_count(_sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(
        i64::try_from(command_table().len()).unwrap_or(i64::MAX),
    ))
}

pub(super) fn command_list(_sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Array(
        command_table()
            .iter()
            .map(|c| Reply::bulk(c.name))
            .collect(),
    ))
}

pub(super) fn command_info(_sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() == 2 {
        return command_subcommand(_sh, cx, argv);
    }
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|n| {
                lookup(n)
                    .map(|c| command_info_entry(cx, c))
                    .unwrap_or(Reply::Nil)
            })
            .collect(),
    ))
}

fn doc_entry(cx: &CallCtx, c: &CommandSpec) -> Reply {
    let mut fields = vec![
        (
            Reply::bulk("summary"),
            Reply::bulk(format!("The {} command", c.name.to_ascii_uppercase())),
        ),
        (Reply::bulk("since"), Reply::bulk("1.0.0")),
        (Reply::bulk("group"), Reply::bulk(c.group)),
    ];
    if !c.subcommands.is_empty() {
        let subs = c
            .subcommands
            .iter()
            .map(|s| (Reply::bulk(s.name), doc_entry(cx, s)))
            .collect();
        fields.push((Reply::bulk("subcommands"), cx.map(subs)));
    }
    cx.map(fields)
}

pub(super) fn command_docs(_sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let cmds: Vec<&CommandSpec> = if argv.len() == 2 {
        command_table().iter().collect()
    } else {
        argv.iter().skip(2).filter_map(|n| lookup(n)).collect()
    };
    Ok(cx.map(
        cmds.into_iter()
            .map(|c| (Reply::bulk(c.name), doc_entry(cx, c)))
            .collect(),
    ))
}

pub(super) fn command_getkeys(_sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let sub = argv.get(2..).unwrap_or(&[]);
    let Some(name) = sub.first() else {
        return Err(Reply::err("ERR Invalid command specified"));
    };
    if lookup(name).is_none() {
        return Err(Reply::err("ERR Invalid command specified"));
    }
    let spec = resolve(sub)
        .map_err(|_| Reply::err("ERR Invalid number of arguments specified for command"))?;
    let keys = key_positions(spec, sub.len(), sub);
    if keys.is_empty() {
        return Err(Reply::err("ERR The command has no key arguments"));
    }
    Ok(Reply::Array(
        keys.into_iter()
            .filter_map(|i| sub.get(i).map(Reply::bulk))
            .collect(),
    ))
}

pub(super) fn command_help(_sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(status_lines(&[
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "HELP",
        "    Print this help.",
    ]))
}

// ------------------------------------------------------------------ CLIENT

pub(super) fn client_subcommand(
    _sh: &mut Shard,
    _cx: &mut CallCtx,
    _argv: &[Vec<u8>],
) -> CmdResult {
    Err(super::wrong_arity("client"))
}

pub(super) fn client_setname(_sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let n = arg(argv, 2);
    if !valid_client_name(n) {
        return Err(Reply::err(ERR_CLIENT_NAME));
    }
    cx.client_name = if n.is_empty() { None } else { Some(n.to_vec()) };
    Ok(Reply::ok())
}

pub(super) fn client_getname(_sh: &mut Shard, cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(cx
        .client_name
        .clone()
        .map(Reply::Bulk)
        .unwrap_or(Reply::Nil))
}

pub(super) fn client_id(_sh: &mut Shard, cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(
        i64::try_from(cx.client_id).unwrap_or(i64::MAX),
    ))
}

pub(super) fn client_info(_sh: &mut Shard, cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    let name = cx
        .client_name
        .as_deref()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let s = format!(
        "id={} addr=127.0.0.1:0 laddr=127.0.0.1:0 fd=-1 name={} age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 cmd=client|info user=default redir=-1 resp={}\n",
        cx.client_id, name, cx.proto
    );
    Ok(text_reply(cx, s))
}

pub(super) fn client_help(_sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(status_lines(&[
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "SETNAME <connection-name>",
        "    Assign the name <connection-name> to the current connection.",
        "HELP",
        "    Print this help.",
    ]))
}

pub(super) fn quit(_sh: &mut Shard, cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    cx.quit = true;
    Ok(Reply::ok())
}

fn hex(d: [u8; 20]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn debug(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let sub = arg(argv, 1);
    if is(sub, "digest") && argv.len() == 2 {
        return Ok(Reply::Status(hex(sh.ks.digest())));
    }
    if is(sub, "digest-value") {
        return Ok(Reply::Array(
            argv.iter()
                .skip(2)
                .map(|k| Reply::Status(hex(sh.ks.digest_value(k))))
                .collect(),
        ));
    }
    if is(sub, "help") {
        return Ok(status_lines(&[
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
        ]));
    }
    Err(Reply::err(format!(
        "ERR unknown subcommand '{}'. Try DEBUG HELP.",
        String::from_utf8_lossy(sub)
    )))
}
