//! The reply model: every value a command or a script can answer with, covering all RESP2 and
//! RESP3 types. Encoding to bytes lives in `resp`; conversion to JS values in the wasm layer.

/// A command reply. RESP3-only variants are downgraded by the encoder when the client speaks
/// RESP2 (map → flat array, set → array, double → bulk string, bool → integer, null → nil bulk).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK` — a status line (no CR/LF inside).
    Status(String),
    /// `-ERR ...` — the full error line without the leading `-` (code first, e.g. `WRONGTYPE ...`).
    Error(String),
    /// `:n`
    Integer(i64),
    /// `$n` — binary-safe bulk string.
    Bulk(Vec<u8>),
    /// `$-1` in RESP2, `_` in RESP3: a missing value.
    Nil,
    /// `*-1` in RESP2, `_` in RESP3: a missing array (e.g. `LPOP nokey 2`).
    NilArray,
    /// `*n`
    Array(Vec<Reply>),
    /// RESP3 `%n` map (ordered pairs).
    Map(Vec<(Reply, Reply)>),
    /// RESP3 `~n` set.
    Set(Vec<Reply>),
    /// RESP3 `,` double.
    Double(f64),
    /// RESP3 `#t` / `#f`.
    Bool(bool),
    /// RESP3 `(` big number, as decimal text.
    BigNumber(String),
    /// RESP3 `=` verbatim string: format (3 bytes, e.g. `txt`) and content.
    Verbatim(String, Vec<u8>),
}

impl Reply {
    /// `+OK`
    pub fn ok() -> Reply {
        Reply::Status("OK".to_string())
    }

    /// An error reply; `msg` must start with its code (`ERR`, `WRONGTYPE`, ...).
    pub fn err(msg: impl Into<String>) -> Reply {
        Reply::Error(msg.into())
    }

    /// A bulk reply from anything byte-like.
    pub fn bulk(b: impl AsRef<[u8]>) -> Reply {
        Reply::Bulk(b.as_ref().to_vec())
    }

    /// True for `Reply::Error`.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}
