//! Redis's Lua libraries (`cjson`, `cmsgpack`, `bit`, `struct`) against Redis 7.0.
//!
//! `REDIS_CASES` holds 462 expressions with the output a real `redis-server` 7.0.15
//! (Debian) gave for them: every expected value below was produced by running the same script
//! text (prelude + case) through `redis-cli EVAL` and is not hand-written. The script renders
//! values portably between Lua 5.1 and 5.4 (numbers with `%.17g`, strings with `\ddd`
//! escapes, tables with sorted keys) and errors as `ERR <message>`, so the comparison covers
//! error texts including their `user_script:<line>:` position. The cases run in order on one
//! state, as they did on the server (the cjson configuration persists between them).
//!
//! The other tests cover what Redis cannot show: Lua 5.4 integer subtypes, and hostile inputs
//! (no panic, bounded work).

use mlua::{Lua, Value};

const PRELUDE: &str = include_str!("lua_libs_gen/prelude.lua");

/// (Lua expression, output of redis-server 7.0.15)
const REDIS_CASES: &[(&str, &str)] = &[
    (r#"cjson.encode({1,2,3})"#, r#""[1,2,3]""#),
    (r#"cjson.encode(3)"#, r#""3""#),
    (r#"cjson.encode(3.0)"#, r#""3""#),
    (r#"cjson.encode(0.1)"#, r#""0.1""#),
    (r#"cjson.encode(1/3)"#, r#""0.33333333333333""#),
    (r#"cjson.encode(1e14)"#, r#""1e+14""#),
    (
        r#"cjson.encode(123456789012345)"#,
        r#""1.2345678901234e+14""#,
    ),
    (r#"cjson.encode(-0.0)"#, r#""-0""#),
    (r#"cjson.encode(2^53)"#, r#""9.007199254741e+15""#),
    (r#"cjson.encode(2^63)"#, r#""9.2233720368548e+18""#),
    (r#"cjson.encode(1e300)"#, r#""1e+300""#),
    (r#"cjson.encode(1e-300)"#, r#""1e-300""#),
    (r#"cjson.encode(math.pi)"#, r#""3.1415926535898""#),
    (r#"cjson.encode(-1.5e-7)"#, r#""-1.5e-07""#),
    (r#"cjson.encode(100)"#, r#""100""#),
    (r#"cjson.encode(0.0001)"#, r#""0.0001""#),
    (
        r#"cjson.encode(1/0)"#,
        r#"ERR user_script:34: Cannot serialise number: must not be NaN or Inf"#,
    ),
    (
        r#"cjson.encode(-1/0)"#,
        r#"ERR user_script:34: Cannot serialise number: must not be NaN or Inf"#,
    ),
    (
        r#"cjson.encode(0/0)"#,
        r#"ERR user_script:34: Cannot serialise number: must not be NaN or Inf"#,
    ),
    (
        r#"cjson.encode('a/b"c\\d\n\t\1\127\128\r\8\12\11\31 ')"#,
        r#"""a\/b\"c\\d\n\t\u0001\u007f\128\r\b\f\u000b\u001f """#,
    ),
    (r#"cjson.encode('a\0b')"#, r#"""a\u0000b"""#),
    (r#"cjson.encode({})"#, r#""{}""#),
    (r#"cjson.encode({a=1})"#, r#""{"a":1}""#),
    (
        r#"cjson.encode({a={b={c={1,'x'}}}})"#,
        r#""{"a":{"b":{"c":[1,"x"]}}}""#,
    ),
    (r#"cjson.encode({[1]=1,[2]=2,[4]=4})"#, r#""[1,2,null,4]""#),
    (
        r#"cjson.encode({[1]=1,[11]=2})"#,
        r#"ERR user_script:34: Cannot serialise table: excessively sparse array"#,
    ),
    (
        r#"cjson.encode({[11]=1})"#,
        r#"ERR user_script:34: Cannot serialise table: excessively sparse array"#,
    ),
    (
        r#"cjson.encode({[10]=1})"#,
        r#""[null,null,null,null,null,null,null,null,null,1]""#,
    ),
    (r#"cjson.encode({[0]=1})"#, r#""{"0":1}""#),
    (r#"cjson.encode({[-1]=1})"#, r#""{"-1":1}""#),
    (r#"cjson.encode({[1.5]='a'})"#, r#""{"1.5":"a"}""#),
    (r#"cjson.encode({[2^31]=1})"#, r#""{"2147483648":1}""#),
    (r#"cjson.encode({[3e9]=1})"#, r#""{"3000000000":1}""#),
    (
        r#"cjson.encode({[2^53]=1})"#,
        r#""{"9.007199254741e+15":1}""#,
    ),
    (r#"cjson.encode({[1e100]=1})"#, r#""{"1e+100":1}""#),
    (
        r#"cjson.encode({[1/0]=1})"#,
        r#"ERR user_script:34: Cannot serialise number: must not be NaN or Inf"#,
    ),
    (
        r#"cjson.decode(cjson.encode({1,2,x=3}))"#,
        r#"{"1"=1,"2"=2,"x"=3}"#,
    ),
    (
        r#"cjson.encode({[true]=1})"#,
        r#"ERR user_script:34: Cannot serialise boolean: table key must be a number or string"#,
    ),
    (
        r#"cjson.encode({f=function() end})"#,
        r#"ERR user_script:34: Cannot serialise function: type not supported"#,
    ),
    (
        r#"cjson.encode(function() end)"#,
        r#"ERR user_script:34: Cannot serialise function: type not supported"#,
    ),
    (
        r#"cjson.encode(coroutine.create(function() end))"#,
        r#"ERR user_script:34: Cannot serialise thread: type not supported"#,
    ),
    (r#"cjson.encode(nil)"#, r#""null""#),
    (
        r#"cjson.encode()"#,
        r#"ERR user_script:34: bad argument #1 to 'encode' (expected 1 argument)"#,
    ),
    (
        r#"cjson.encode(1, 2)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode' (expected 1 argument)"#,
    ),
    (r#"cjson.encode(cjson.null)"#, r#""null""#),
    (r#"cjson.encode({cjson.null, 1})"#, r#""[null,1]""#),
    (r#"cjson.encode(true)"#, r#""true""#),
    (r#"cjson.encode({false})"#, r#""[false]""#),
    (r#"cjson.encode('')"#, r#""""""#),
    (r#"cjson.encode({''})"#, r#""[""]""#),
    (r#"cjson.encode({{}})"#, r#""[{}]""#),
    (
        r#"(function() local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end return #cjson.encode(t) end)()"#,
        r#"2000"#,
    ),
    (
        r#"(function() local t = {} local c = t for i = 1, 1000 do c[1] = {} c = c[1] end return cjson.encode(t) end)()"#,
        r#"ERR user_script:34: Cannot serialise, excessive nesting (1001)"#,
    ),
    (
        r#"(function() local t = {} local c = t for i = 1, 1000 do c.a = {} c = c.a end return cjson.encode(t) end)()"#,
        r#"ERR user_script:34: Cannot serialise, excessive nesting (1001)"#,
    ),
    (
        r#"(function() local t = {} t[1] = t return cjson.encode(t) end)()"#,
        r#"ERR user_script:34: Cannot serialise, excessive nesting (1001)"#,
    ),
    (r#"cjson.encode_max_depth()"#, r#"1000"#),
    (r#"cjson.encode_max_depth(2)"#, r#"2"#),
    (r#"cjson.encode({{1}})"#, r#""[[1]]""#),
    (
        r#"cjson.encode({{{1}}})"#,
        r#"ERR user_script:34: Cannot serialise, excessive nesting (3)"#,
    ),
    (r#"cjson.encode_max_depth(1000)"#, r#"1000"#),
    (
        r#"cjson.encode_max_depth(0)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)"#,
    ),
    (
        r#"cjson.encode_max_depth(1, 2)"#,
        r#"ERR user_script:34: bad argument #2 to 'encode_max_depth' (found too many arguments)"#,
    ),
    (
        r#"cjson.encode_max_depth('x')"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_max_depth' (number expected, got string)"#,
    ),
    (r#"cjson.encode_max_depth('7')"#, r#"7"#),
    (r#"cjson.encode_max_depth(1000)"#, r#"1000"#),
    (r#"cjson.encode_number_precision()"#, r#"14"#),
    (r#"cjson.encode_number_precision(5)"#, r#"5"#),
    (r#"cjson.encode(math.pi)"#, r#""3.1416""#),
    (r#"cjson.encode({[math.pi]=1})"#, r#""{"3.1416":1}""#),
    (
        r#"cjson.encode_number_precision(0)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"#,
    ),
    (
        r#"cjson.encode_number_precision(15)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"#,
    ),
    (r#"cjson.encode_number_precision(14)"#, r#"14"#),
    (r#"cjson.encode_invalid_numbers()"#, r#"false"#),
    (r#"cjson.encode_invalid_numbers(true)"#, r#"true"#),
    (r#"cjson.encode({0/0, 1/0, -1/0})"#, r#""[nan,inf,-inf]""#),
    (r#"cjson.encode_invalid_numbers('null')"#, r#""null""#),
    (r#"cjson.encode({0/0, 1/0, -1/0})"#, r#""[null,null,null]""#),
    (
        r#"cjson.encode_invalid_numbers('bogus')"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_invalid_numbers' (invalid option 'bogus')"#,
    ),
    (
        r#"cjson.encode_invalid_numbers({})"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_invalid_numbers' (string expected, got table)"#,
    ),
    (r#"cjson.encode_invalid_numbers('off')"#, r#"false"#),
    (r#"cjson.encode_invalid_numbers()"#, r#"false"#),
    (r#"cjson.encode_sparse_array()"#, r#"false, 2, 10"#),
    (r#"cjson.encode_sparse_array(true)"#, r#"true, 2, 10"#),
    (
        r#"cjson.decode(cjson.encode({[1]=1,[20]=2}))"#,
        r#"{"1"=1,"20"=2}"#,
    ),
    (r#"cjson.encode_sparse_array(false, 0)"#, r#"false, 0, 10"#),
    (
        r#"cjson.encode({[1]=1,[20]=2})"#,
        r#""[1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,2]""#,
    ),
    (
        r#"cjson.encode_sparse_array(false, 2, 10)"#,
        r#"false, 2, 10"#,
    ),
    (
        r#"cjson.encode_sparse_array(false, 1, 0)"#,
        r#"false, 1, 0"#,
    ),
    (
        r#"cjson.encode({[1]=1,[3]=3})"#,
        r#"ERR user_script:34: Cannot serialise table: excessively sparse array"#,
    ),
    (r#"cjson.encode({1,2})"#, r#""[1,2]""#),
    (
        r#"cjson.encode_sparse_array(false, 2, 10)"#,
        r#"false, 2, 10"#,
    ),
    (
        r#"cjson.encode_sparse_array(1)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_sparse_array' (invalid option '1')"#,
    ),
    (
        r#"cjson.encode_sparse_array(false, -1)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)"#,
    ),
    (r#"cjson.encode_keep_buffer()"#, r#"true"#),
    (r#"cjson.encode_keep_buffer(false)"#, r#"false"#),
    (r#"cjson.encode_keep_buffer('on')"#, r#"true"#),
    (
        r#"cjson.encode_keep_buffer('x')"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_keep_buffer' (invalid option 'x')"#,
    ),
    (
        r#"cjson.encode_keep_buffer(5)"#,
        r#"ERR user_script:34: bad argument #1 to 'encode_keep_buffer' (invalid option '5')"#,
    ),
    (r#"cjson.decode_invalid_numbers()"#, r#"true"#),
    (r#"cjson.decode_max_depth()"#, r#"1000"#),
    (r#"cjson.decode_max_depth(3)"#, r#"3"#),
    (r#"cjson.decode('[[[1]]]')"#, r#"{1={1={1=1}}}"#),
    (
        r#"cjson.decode('[[[[1]]]]')"#,
        r#"ERR user_script:34: Found too many nested data structures (4) at character 4"#,
    ),
    (
        r#"cjson.decode('{"a":{"b":{"c":{}}}}')"#,
        r#"ERR user_script:34: Found too many nested data structures (4) at character 16"#,
    ),
    (r#"cjson.decode_max_depth(1000)"#, r#"1000"#),
    (r#"cjson.decode('[1,2.5]')"#, r#"{1=1,2=2.5}"#),
    (r#"cjson.decode('3')"#, r#"3"#),
    (r#"cjson.decode('-0')"#, r#"-0"#),
    (r#"cjson.decode('1e3')"#, r#"1000"#),
    (r#"cjson.decode('1E+2')"#, r#"100"#),
    (r#"cjson.decode('0.1')"#, r#"0.10000000000000001"#),
    (
        r#"cjson.decode('12345678901234567890')"#,
        r#"1.2345678901234567e+19"#,
    ),
    (r#"cjson.decode('9007199254740993')"#, r#"9007199254740992"#),
    (
        r#"cjson.decode('-9223372036854775808')"#,
        r#"-9.2233720368547758e+18"#,
    ),
    (r#"cjson.decode('1e400')"#, r#"inf"#),
    (r#"cjson.decode('-1e400')"#, r#"-inf"#),
    (r#"cjson.decode('1.5e-400')"#, r#"0"#),
    (r#"cjson.decode('"abc"')"#, r#""abc""#),
    (
        r#"cjson.decode('"a\\/b\\"\\\\\\b\\f\\n\\r\\t"')"#,
        r#""a/b"\\008\012\010\013\009""#,
    ),
    (
        r#"cjson.decode('"\\u00e9\\u0041\\u20AC"')"#,
        r#""\195\169A\226\130\172""#,
    ),
    (
        r#"cjson.decode('"\\ud83d\\ude00"')"#,
        r#""\240\159\152\128""#,
    ),
    (r#"cjson.decode('"\\u0000"')"#, r#""\000""#),
    (
        r#"cjson.decode('"\\ud83d"')"#,
        r#"ERR user_script:34: Expected value but found invalid unicode escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"\\ud83dx"')"#,
        r#"ERR user_script:34: Expected value but found invalid unicode escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"\\ud83d\\u0041"')"#,
        r#"ERR user_script:34: Expected value but found invalid unicode escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"\\udc00"')"#,
        r#"ERR user_script:34: Expected value but found invalid unicode escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"\\u12"')"#,
        r#"ERR user_script:34: Expected value but found invalid unicode escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"\\u12g4"')"#,
        r#"ERR user_script:34: Expected value but found invalid unicode escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"\\x"')"#,
        r#"ERR user_script:34: Expected value but found invalid escape code at character 2"#,
    ),
    (
        r#"cjson.decode('"abc')"#,
        r#"ERR user_script:34: Expected value but found unexpected end of string at character 5"#,
    ),
    (r#"cjson.decode('"a\1\200b"')"#, r#""a\001\200b""#),
    (r#"cjson.decode('true')"#, r#"true"#),
    (r#"cjson.decode('false')"#, r#"false"#),
    (r#"cjson.decode('null')"#, r#"null"#),
    (
        r#"cjson.decode('nul')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (
        r#"cjson.decode('tru')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (
        r#"cjson.decode('[true,false,null]')"#,
        r#"{1=true,2=false,3=null}"#,
    ),
    (
        r#"cjson.decode('')"#,
        r#"ERR user_script:34: Expected value but found T_END at character 1"#,
    ),
    (
        r#"cjson.decode('   ')"#,
        r#"ERR user_script:34: Expected value but found T_END at character 4"#,
    ),
    (
        r#"cjson.decode('x')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (
        r#"cjson.decode('[1,]')"#,
        r#"ERR user_script:34: Expected value but found T_ARR_END at character 4"#,
    ),
    (
        r#"cjson.decode('[1 2]')"#,
        r#"ERR user_script:34: Expected comma or array end but found T_NUMBER at character 4"#,
    ),
    (
        r#"cjson.decode('{"a" 1}')"#,
        r#"ERR user_script:34: Expected colon but found T_NUMBER at character 6"#,
    ),
    (
        r#"cjson.decode('{1:2}')"#,
        r#"ERR user_script:34: Expected object key string but found T_NUMBER at character 2"#,
    ),
    (
        r#"cjson.decode('{"a":1,}')"#,
        r#"ERR user_script:34: Expected object key string but found T_OBJ_END at character 8"#,
    ),
    (
        r#"cjson.decode('{"a":1 "b"}')"#,
        r#"ERR user_script:34: Expected comma or object end but found T_STRING at character 8"#,
    ),
    (
        r#"cjson.decode('{"a":}')"#,
        r#"ERR user_script:34: Expected value but found T_OBJ_END at character 6"#,
    ),
    (
        r#"cjson.decode('[1] x')"#,
        r#"ERR user_script:34: Expected the end but found invalid token at character 5"#,
    ),
    (
        r#"cjson.decode('[1]]')"#,
        r#"ERR user_script:34: Expected the end but found T_ARR_END at character 4"#,
    ),
    (
        r#"cjson.decode('[')"#,
        r#"ERR user_script:34: Expected value but found T_END at character 2"#,
    ),
    (
        r#"cjson.decode('{')"#,
        r#"ERR user_script:34: Expected object key string but found T_END at character 2"#,
    ),
    (
        r#"cjson.decode('{"a"')"#,
        r#"ERR user_script:34: Expected colon but found T_END at character 5"#,
    ),
    (r#"cjson.decode(' [ 1 , 2 ] ')"#, r#"{1=1,2=2}"#),
    (r#"cjson.decode('\t\n\r[1]')"#, r#"{1=1}"#),
    (
        r#"cjson.decode('\12[1]')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (r#"cjson.decode('01')"#, r#"1"#),
    (r#"cjson.decode('-01')"#, r#"-1"#),
    (r#"cjson.decode('+1')"#, r#"1"#),
    (r#"cjson.decode('0x10')"#, r#"16"#),
    (r#"cjson.decode('-0x10')"#, r#"-16"#),
    (r#"cjson.decode('0x1p4')"#, r#"16"#),
    (r#"cjson.decode('inf')"#, r#"inf"#),
    (r#"cjson.decode('Infinity')"#, r#"inf"#),
    (r#"cjson.decode('-Infinity')"#, r#"-inf"#),
    (r#"cjson.decode('-inf')"#, r#"-inf"#),
    (r#"cjson.decode('nan')"#, r#"nan"#),
    (r#"cjson.decode('NaN')"#, r#"nan"#),
    (r#"cjson.decode('-nan')"#, r#"nan"#),
    (
        r#"cjson.decode('infx')"#,
        r#"ERR user_script:34: Expected the end but found invalid token at character 4"#,
    ),
    (
        r#"cjson.decode('.5')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (
        r#"cjson.decode('-')"#,
        r#"ERR user_script:34: Expected value but found invalid number at character 1"#,
    ),
    (
        r#"cjson.decode('+')"#,
        r#"ERR user_script:34: Expected value but found invalid number at character 1"#,
    ),
    (r#"cjson.decode('1.')"#, r#"1"#),
    (r#"cjson.decode('1.e5')"#, r#"100000"#),
    (
        r#"cjson.decode('1e')"#,
        r#"ERR user_script:34: Expected the end but found invalid token at character 2"#,
    ),
    (
        r#"cjson.decode('1e+')"#,
        r#"ERR user_script:34: Expected the end but found invalid token at character 2"#,
    ),
    (
        r#"cjson.decode('--1')"#,
        r#"ERR user_script:34: Expected value but found invalid number at character 1"#,
    ),
    (r#"cjson.decode('[1,2]\0garbage')"#, r#"{1=1,2=2}"#),
    (
        r#"cjson.decode('\0')"#,
        r#"ERR user_script:34: Expected value but found T_END at character 1"#,
    ),
    (
        r#"cjson.decode('a\0')"#,
        r#"ERR user_script:34: JSON parser does not support UTF-16 or UTF-32"#,
    ),
    (
        r#"cjson.decode('\0a')"#,
        r#"ERR user_script:34: JSON parser does not support UTF-16 or UTF-32"#,
    ),
    (
        r#"cjson.decode('"a\0b"')"#,
        r#"ERR user_script:34: Expected value but found unexpected end of string at character 3"#,
    ),
    (r#"cjson.decode('{"a":1,"a":2}')"#, r#"{"a"=2}"#),
    (r#"cjson.decode('{"a":null}')"#, r#"{"a"=null}"#),
    (r#"cjson.decode('[null,1]')"#, r#"{1=null,2=1}"#),
    (r#"cjson.decode('{"1":1,"2":2}')"#, r#"{"1"=1,"2"=2}"#),
    (r#"cjson.decode('[[],{}]')"#, r#"{1={},2={}}"#),
    (r#"cjson.decode_invalid_numbers(false)"#, r#"false"#),
    (
        r#"cjson.decode('01')"#,
        r#"ERR user_script:34: Expected value but found invalid number at character 1"#,
    ),
    (
        r#"cjson.decode('+1')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (
        r#"cjson.decode('nan')"#,
        r#"ERR user_script:34: Expected value but found invalid token at character 1"#,
    ),
    (
        r#"cjson.decode('-inf')"#,
        r#"ERR user_script:34: Expected value but found invalid number at character 1"#,
    ),
    (
        r#"cjson.decode('0x1')"#,
        r#"ERR user_script:34: Expected value but found invalid number at character 1"#,
    ),
    (r#"cjson.decode('1.5')"#, r#"1.5"#),
    (r#"cjson.decode_invalid_numbers(true)"#, r#"true"#),
    (
        r#"(function() local t = cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)) local d = 0 while type(t) == 'table' do d = d + 1 t = t[1] end return d end)()"#,
        r#"1000"#,
    ),
    (
        r#"cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"#,
        r#"ERR user_script:34: Found too many nested data structures (1001) at character 1001"#,
    ),
    (
        r#"cjson.decode(string.rep('{"a":', 1001))"#,
        r#"ERR user_script:34: Found too many nested data structures (1001) at character 5001"#,
    ),
    (
        r#"cjson.decode(string.rep('[', 100000))"#,
        r#"ERR user_script:34: Found too many nested data structures (1001) at character 1001"#,
    ),
    (
        r#"cjson.decode(string.rep('[1,', 10) .. '2' .. string.rep(']', 10))"#,
        r#"{1=1,2={1=1,2={1=1,2={1=1,2={1=1,2={1=1,2={1=1,2={1=1,2={1=1,2={1=1,2=2}}}}}}}}}}"#,
    ),
    (
        r#"cjson.decode()"#,
        r#"ERR user_script:34: bad argument #1 to 'decode' (expected 1 argument)"#,
    ),
    (r#"cjson.decode(123)"#, r#"123"#),
    (
        r#"cjson.decode({})"#,
        r#"ERR user_script:34: bad argument #1 to 'decode' (string expected, got table)"#,
    ),
    (
        r#"cjson.decode(nil)"#,
        r#"ERR user_script:34: bad argument #1 to 'decode' (string expected, got nil)"#,
    ),
    (
        r#"cjson.decode('1', '2')"#,
        r#"ERR user_script:34: bad argument #1 to 'decode' (expected 1 argument)"#,
    ),
    (
        r#"cjson.encode(cjson.decode('[1,2.5,"x",true,null,{"a":[]}]'))"#,
        r#""[1,2.5,"x",true,null,{"a":{}}]""#,
    ),
    (
        r#"cjson.encode(cjson.decode('"\\u00e9/"'))"#,
        r#"""\195\169\/"""#,
    ),
    (r#"cjson.null == cjson.decode('null')"#, r#"true"#),
    (r#"type(cjson.null)"#, r#""userdata""#),
    (
        r#"cjson._NAME .. ' ' .. cjson._VERSION"#,
        r#""cjson 2.1.0""#,
    ),
    (r#"type(cjson.new())"#, r#""table""#),
    (r#"cjson.new().encode({1, 'a'})"#, r#""[1,"a"]""#),
    (
        r#"(function() local c = cjson.new() c.encode_max_depth(1) return c.encode_max_depth(), cjson.encode_max_depth() end)()"#,
        r#"1, 1000"#,
    ),
    (
        r#"H(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536))"#,
        r#""00017fcc80ccffcd0100cdffffce00010000""#,
    ),
    (
        r#"H(cmsgpack.pack(2^32 - 1, 2^32, 2^53, 2^62))"#,
        r#""ceffffffffcf0000000100000000cf0020000000000000cf4000000000000000""#,
    ),
    (
        r#"H(cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769))"#,
        r#""ffe0d0dfd080d1ff7fd18000d2ffff7fff""#,
    ),
    (
        r#"H(cmsgpack.pack(-2^31, -2^31 - 1, -2^53, -2^63))"#,
        r#""d280000000d3ffffffff7fffffffd3ffe0000000000000d38000000000000000""#,
    ),
    (
        r#"H(cmsgpack.pack(0.5, 0.1, 1.5, 1e300, -2.25))"#,
        r#""ca3f000000cb3fb999999999999aca3fc00000cb7e37e43c8800759ccac0100000""#,
    ),
    (
        r#"H(cmsgpack.pack(1/0, -1/0, 3.0, -0.0, 2^63, 2^64))"#,
        r#""ca7f800000caff8000000300ca5f000000ca5f800000""#,
    ),
    (r#"H(cmsgpack.pack(''))"#, r#""a0""#),
    (r#"H(cmsgpack.pack('a'))"#, r#""a161""#),
    (
        r#"H(cmsgpack.pack(string.rep('x', 31)):sub(1, 6))"#,
        r#""bf7878787878""#,
    ),
    (
        r#"H(cmsgpack.pack(string.rep('x', 32)):sub(1, 6))"#,
        r#""d92078787878""#,
    ),
    (
        r#"H(cmsgpack.pack(string.rep('x', 255)):sub(1, 6))"#,
        r#""d9ff78787878""#,
    ),
    (
        r#"H(cmsgpack.pack(string.rep('x', 256)):sub(1, 8))"#,
        r#""da01007878787878""#,
    ),
    (
        r#"H(cmsgpack.pack(string.rep('x', 65535)):sub(1, 8))"#,
        r#""daffff7878787878""#,
    ),
    (
        r#"H(cmsgpack.pack(string.rep('x', 65536)):sub(1, 12))"#,
        r#""db0001000078787878787878""#,
    ),
    (r#"H(cmsgpack.pack(true, false, nil, 1))"#, r#""c3c2c001""#),
    (
        r#"H(cmsgpack.pack(function() end, cjson.null))"#,
        r#""c0c0""#,
    ),
    (r#"H(cmsgpack.pack({}))"#, r#""90""#),
    (r#"H(cmsgpack.pack({1, 2, 3}))"#, r#""93010203""#),
    (r#"H(cmsgpack.pack({a = 1}))"#, r#""81a16101""#),
    (r#"H(cmsgpack.pack({[2] = 1}))"#, r#""810201""#),
    (r#"H(cmsgpack.pack({[1.5] = 1}))"#, r#""81ca3fc0000001""#),
    (r#"H(cmsgpack.pack({[0] = 1}))"#, r#""810001""#),
    (r#"H(cmsgpack.pack({[-1] = 1}))"#, r#""81ff01""#),
    (
        r#"H(cmsgpack.pack({{1}, {a = {true}}}))"#,
        r#""92910181a16191c3""#,
    ),
    (
        r#"H(cmsgpack.pack({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))"#,
        r#""dc00100102030405060708090a0b0c0d0e0f10""#,
    ),
    (
        r#"H(cmsgpack.pack({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}))"#,
        r#""9f0102030405060708090a0b0c0d0e0f""#,
    ),
    (
        r#"(function() local t = {} for i = 1, 70000 do t[i] = 1 end return H(cmsgpack.pack(t):sub(1, 6)) end)()"#,
        r#""dd0001117001""#,
    ),
    (
        r#"(function() local t = {} for i = 1, 16 do t['k' .. i] = 1 end return H(cmsgpack.pack(t):sub(1, 3)) end)()"#,
        r#""de0010""#,
    ),
    (
        r#"(function() local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return H(cmsgpack.pack(t)) end)()"#,
        r#""91919191919191919191919191919191c0""#,
    ),
    (
        r#"(function() local t = {} t[1] = t return H(cmsgpack.pack(t)) end)()"#,
        r#""91919191919191919191919191919191c0""#,
    ),
    (
        r#"cmsgpack.pack()"#,
        r#"ERR user_script:34: bad argument #0 to 'pack' (MessagePack pack needs input.)"#,
    ),
    (
        r#"cmsgpack.unpack(cmsgpack.pack(1, 'a', {1, 2}, {a = 1}, true, false, 0.5, -7))"#,
        r#"1, "a", {1=1,2=2}, {"a"=1}, true, false, 0.5, -7"#,
    ),
    (
        r#"cmsgpack.unpack(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 2^32, -1, -33, -129, -32769, -2^31 - 1))"#,
        r#"0, 1, 127, 128, 255, 256, 65535, 65536, 4294967296, -1, -33, -129, -32769, -2147483649"#,
    ),
    (
        r#"cmsgpack.unpack(cmsgpack.pack(0.1, 1e300, 1/0))"#,
        r#"0.10000000000000001, 1.0000000000000001e+300, inf"#,
    ),
    (r#"select('#', cmsgpack.unpack('\192'))"#, r#"1"#),
    (r#"cmsgpack.unpack('\192\1')"#, r#"nil, 1"#),
    (r#"cmsgpack.unpack('\146\192\1')"#, r#"{2=1}"#),
    (r#"cmsgpack.unpack('\130\1\192\2\3')"#, r#"{2=3}"#),
    (
        r#"cmsgpack.unpack('\129\192\1')"#,
        r#"ERR table index is nil"#,
    ),
    (
        r#"cmsgpack.unpack('\129\202\127\192\0\0\1')"#,
        r#"ERR table index is NaN"#,
    ),
    (r#"select('#', cmsgpack.unpack(''))"#, r#"0"#),
    (
        r#"cmsgpack.unpack('\205\1')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\219\255\255\255\255abc')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\218\0\5abc')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\221\255\255\255\255')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\223\255\255\255\255')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\223\255\255\255\255\1')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\221\255\255\255\255\1\2\3')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack('\193')"#,
        r#"ERR user_script:34: Bad data format in input."#,
    ),
    (
        r#"cmsgpack.unpack('\196\1a')"#,
        r#"ERR user_script:34: Bad data format in input."#,
    ),
    (
        r#"cmsgpack.unpack('\212\1\1')"#,
        r#"ERR user_script:34: Bad data format in input."#,
    ),
    (
        r#"cmsgpack.unpack('\1\193')"#,
        r#"ERR user_script:34: Bad data format in input."#,
    ),
    (
        r#"cmsgpack.unpack('\207\255\255\255\255\255\255\255\255')"#,
        r#"-1"#,
    ),
    (
        r#"cmsgpack.unpack('\207\128\0\0\0\0\0\0\0')"#,
        r#"-9.2233720368547758e+18"#,
    ),
    (
        r#"cmsgpack.unpack('\211\128\0\0\0\0\0\0\0')"#,
        r#"-9.2233720368547758e+18"#,
    ),
    (r#"cmsgpack.unpack('\211\0\0\0\0\0\0\0\5')"#, r#"5"#),
    (
        r#"cmsgpack.unpack('\208\128\209\128\0\210\128\0\0\0')"#,
        r#"-128, -32768, -2147483648"#,
    ),
    (
        r#"cmsgpack.unpack('\204\255\205\255\255\206\255\255\255\255')"#,
        r#"255, 65535, 4294967295"#,
    ),
    (r#"cmsgpack.unpack('\203\63\240\0\0\0\0\0\0')"#, r#"1"#),
    (r#"cmsgpack.unpack('\217\3abc\160')"#, r#""abc", """#),
    (r#"cmsgpack.unpack('\220\0\2\1\2')"#, r#"{1=1,2=2}"#),
    (r#"cmsgpack.unpack('\222\0\1\161a\1')"#, r#"{"a"=1}"#),
    (r#"cmsgpack.unpack(5)"#, r#"53"#),
    (
        r#"cmsgpack.unpack()"#,
        r#"ERR user_script:34: bad argument #1 to 'unpack' (string expected, got no value)"#,
    ),
    (
        r#"cmsgpack.unpack({})"#,
        r#"ERR user_script:34: bad argument #1 to 'unpack' (string expected, got table)"#,
    ),
    (r#"cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))"#, r#"1, 1"#),
    (
        r#"cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)"#,
        r#"2, 2"#,
    ),
    (
        r#"cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)"#,
        r#"-1, 3"#,
    ),
    (r#"cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)"#, r#"-1"#),
    (
        r#"cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)"#,
        r#"ERR user_script:34: Start offset 4 greater than input length 3."#,
    ),
    (
        r#"cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)"#,
        r#"ERR user_script:34: Invalid request to unpack with offset of -1 and limit of 3."#,
    ),
    (r#"cmsgpack.unpack_one('')"#, r#"-1"#),
    (
        r#"cmsgpack.unpack_one('\205\1')"#,
        r#"ERR user_script:34: Missing bytes in input."#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)"#,
        r#"2, 1, 2"#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)"#,
        r#"1, 2, 3"#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)"#,
        r#"1"#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)"#,
        r#"-1, 2, 3"#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -1)"#,
        r#"ERR user_script:34: Invalid request to unpack with offset of 0 and limit of 3."#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack_limit' (number expected, got no value)"#,
    ),
    (
        r#"cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 'x')"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack_limit' (number expected, got string)"#,
    ),
    (
        r#"(function() local t = cmsgpack.unpack(string.rep('\145', 3999) .. '\1') local d = 0 while type(t) == 'table' do d = d + 1 t = t[1] end return d end)()"#,
        r#"3999"#,
    ),
    (
        r#"cmsgpack.unpack(string.rep('\145', 4000) .. '\1')"#,
        r#"ERR user_script:34: stack overflow (in function mp_decode_to_lua_array)"#,
    ),
    (
        r#"cmsgpack.unpack(string.rep('\145', 100000))"#,
        r#"ERR user_script:34: stack overflow (in function mp_decode_to_lua_array)"#,
    ),
    (
        r#"select('#', cmsgpack.unpack(string.rep('\1', 7999)))"#,
        r#"7999"#,
    ),
    (
        r#"cmsgpack.unpack(string.rep('\1', 8000))"#,
        r#"ERR user_script:34: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)"#,
    ),
    (
        r#"select('#', cmsgpack.unpack_limit(string.rep('\1', 9000), 7998))"#,
        r#"7999"#,
    ),
    (
        r#"(function() local t = cmsgpack.unpack(string.rep('\129\1', 3000) .. '\1') local d = 0 while type(t) == 'table' do d = d + 1 t = t[1] end return d end)()"#,
        r#"3000"#,
    ),
    (
        r#"cmsgpack.unpack(string.rep('\129\1', 4000) .. '\1')"#,
        r#"ERR user_script:34: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)"#,
    ),
    (
        r#"cmsgpack._NAME .. ' ' .. cmsgpack._VERSION"#,
        r#""cmsgpack lua-cmsgpack 0.4.0""#,
    ),
    (r#"bit.tobit(0xffffffff)"#, r#"-1"#),
    (r#"bit.tobit(2^32 + 5)"#, r#"5"#),
    (r#"bit.tobit(1.5)"#, r#"2"#),
    (r#"bit.tobit(2.5)"#, r#"2"#),
    (r#"bit.tobit(-1.5)"#, r#"-2"#),
    (r#"bit.tobit(0.5000001)"#, r#"1"#),
    (r#"bit.tobit('10')"#, r#"10"#),
    (r#"bit.tobit('0x10')"#, r#"16"#),
    (
        r#"bit.tobit('x')"#,
        r#"ERR user_script:34: bad argument #1 to 'tobit' (number expected, got string)"#,
    ),
    (
        r#"bit.tobit({})"#,
        r#"ERR user_script:34: bad argument #1 to 'tobit' (number expected, got table)"#,
    ),
    (
        r#"bit.tobit()"#,
        r#"ERR user_script:34: bad argument #1 to 'tobit' (number expected, got no value)"#,
    ),
    (r#"bit.tobit(2^52)"#, r#"0"#),
    (r#"bit.tobit(2^52 + 3)"#, r#"2"#),
    (r#"bit.tobit(2^60 + 2^40 + 7)"#, r#"0"#),
    (r#"bit.tobit(-2^60)"#, r#"0"#),
    (r#"bit.tobit(1/0)"#, r#"0"#),
    (r#"bit.tobit(-1/0)"#, r#"0"#),
    (r#"bit.tobit(0/0)"#, r#"0"#),
    (r#"bit.tobit(-2^31)"#, r#"-2147483648"#),
    (r#"bit.tobit(2^31)"#, r#"-2147483648"#),
    (r#"bit.tobit(-2^31 - 1)"#, r#"2147483647"#),
    (r#"bit.bnot(0)"#, r#"-1"#),
    (r#"bit.bnot(-1)"#, r#"0"#),
    (r#"bit.band(0xff, 0x0f, 0x3)"#, r#"3"#),
    (r#"bit.bor(1, 2, 4)"#, r#"7"#),
    (r#"bit.bxor(1, 3)"#, r#"2"#),
    (r#"bit.bxor(1, 3, 7, 15)"#, r#"10"#),
    (
        r#"bit.band()"#,
        r#"ERR user_script:34: bad argument #1 to 'band' (number expected, got no value)"#,
    ),
    (r#"bit.band(1)"#, r#"1"#),
    (
        r#"bit.band(1, nil)"#,
        r#"ERR user_script:34: bad argument #2 to 'band' (number expected, got nil)"#,
    ),
    (
        r#"bit.bor(1, 'z')"#,
        r#"ERR user_script:34: bad argument #2 to 'bor' (number expected, got string)"#,
    ),
    (r#"bit.lshift(1, 31)"#, r#"-2147483648"#),
    (r#"bit.lshift(1, 32)"#, r#"1"#),
    (r#"bit.lshift(1, -1)"#, r#"-2147483648"#),
    (r#"bit.lshift(3, 30)"#, r#"-1073741824"#),
    (r#"bit.rshift(-1, 28)"#, r#"15"#),
    (r#"bit.rshift(-1, 0)"#, r#"-1"#),
    (r#"bit.arshift(-256, 4)"#, r#"-16"#),
    (r#"bit.arshift(256, 4)"#, r#"16"#),
    (r#"bit.rol(0x12345678, 8)"#, r#"878082066"#),
    (r#"bit.ror(0x12345678, 8)"#, r#"2014458966"#),
    (r#"bit.rol(0x12345678, 0)"#, r#"305419896"#),
    (r#"bit.ror(1, 1)"#, r#"-2147483648"#),
    (r#"bit.bswap(0x12345678)"#, r#"2018915346"#),
    (r#"bit.bswap(-1)"#, r#"-1"#),
    (r#"bit.tohex(255)"#, r#""000000ff""#),
    (r#"bit.tohex(255, 2)"#, r#""ff""#),
    (r#"bit.tohex(255, -2)"#, r#""FF""#),
    (r#"bit.tohex(-1)"#, r#""ffffffff""#),
    (r#"bit.tohex(1, 0)"#, r#""""#),
    (r#"bit.tohex(1, 20)"#, r#""00000001""#),
    (r#"bit.tohex(0x12345678, -8)"#, r#""12345678""#),
    (r#"bit.tohex(0xabcdef, -3)"#, r#""DEF""#),
    (r#"bit.tohex(1, -2^31)"#, r#""00000001""#),
    (
        r#"bit.lshift(1)"#,
        r#"ERR user_script:34: bad argument #2 to 'lshift' (number expected, got no value)"#,
    ),
    (r#"H(struct.pack('>i', 1))"#, r#""00000001""#),
    (r#"H(struct.pack('<i', 1))"#, r#""01000000""#),
    (r#"H(struct.pack('i', -2))"#, r#""feffffff""#),
    (r#"H(struct.pack('bB', -1, 255))"#, r#""ffff""#),
    (r#"H(struct.pack('>hH', -2, 65535))"#, r#""fffeffff""#),
    (
        r#"H(struct.pack('>lLT', -1, 1, 2))"#,
        r#""ffffffffffffffff00000000000000010000000000000002""#,
    ),
    (
        r#"H(struct.pack('>i2i8', 258, -3))"#,
        r#""0102fffffffffffffffd""#,
    ),
    (
        r#"H(struct.pack('<i16', -1))"#,
        r#""ffffffffffffffff0000000000000000""#,
    ),
    (
        r#"H(struct.pack('>i16', -1))"#,
        r#""0000000000000000ffffffffffffffff""#,
    ),
    (r#"H(struct.pack('>i3I1', -1, 513))"#, r#""ffffff01""#),
    (r#"H(struct.pack('>i0', 5))"#, r#""""#),
    (
        r#"H(struct.pack('>d<d', 1.5, 1.5))"#,
        r#""3ff8000000000000000000000000f83f""#,
    ),
    (
        r#"H(struct.pack('>f<f', 0.1, -2))"#,
        r#""3dcccccd000000c0""#,
    ),
    (r#"H(struct.pack('x'))"#, r#""00""#),
    (r#"H(struct.pack('s', 'abc'))"#, r#""61626300""#),
    (r#"H(struct.pack('c3', 'abcdef'))"#, r#""616263""#),
    (r#"H(struct.pack('c0', 'ab'))"#, r#""6162""#),
    (r#"H(struct.pack('c', 'ab'))"#, r#""61""#),
    (
        r#"struct.pack('c5', 'ab')"#,
        r#"ERR user_script:34: bad argument #3 to 'pack' (string too short)"#,
    ),
    (r#"H(struct.pack('!4 b i', 1, 2))"#, r#""0100000002000000""#),
    (
        r#"H(struct.pack('!bd', 1, 0))"#,
        r#""01000000000000000000000000000000""#,
    ),
    (r#"H(struct.pack('!2 b i', 1, 2))"#, r#""010002000000""#),
    (r#"H(struct.pack('b!4xi', 1, 2))"#, r#""0100000002000000""#),
    (
        r#"H(struct.pack('bc2i', 1, 'xy', 2))"#,
        r#""01787902000000""#,
    ),
    (
        r#"struct.pack('!3 b', 1)"#,
        r#"ERR user_script:34: alignment 3 is not a power of 2"#,
    ),
    (
        r#"struct.pack('!0 b', 1)"#,
        r#"ERR user_script:34: alignment 0 is not a power of 2"#,
    ),
    (
        r#"struct.pack('i', 'x')"#,
        r#"ERR user_script:34: bad argument #2 to 'pack' (number expected, got string)"#,
    ),
    (
        r#"struct.pack('i')"#,
        r#"ERR user_script:34: bad argument #2 to 'pack' (number expected, got nil)"#,
    ),
    (r#"struct.pack('i', '12')"#, r#""\012\000\000\000""#),
    (r#"H(struct.pack('>I', -1))"#, r#""ffffffff""#),
    (r#"H(struct.pack('>I', 2^32))"#, r#""00000000""#),
    (r#"H(struct.pack('>l', 2^63))"#, r#""8000000000000000""#),
    (r#"H(struct.pack('>L', 2^63))"#, r#""8000000000000000""#),
    (r#"H(struct.pack('>L', 2^64))"#, r#""0000000000000000""#),
    (r#"H(struct.pack('>L', 2^70))"#, r#""0000000000000000""#),
    (r#"H(struct.pack('>l', -2^64))"#, r#""8000000000000000""#),
    (r#"H(struct.pack('>l', 0/0))"#, r#""8000000000000000""#),
    (r#"H(struct.pack('>L', 1/0))"#, r#""0000000000000000""#),
    (r#"H(struct.pack('>l', -1/0))"#, r#""8000000000000000""#),
    (r#"H(struct.pack('>i', 1.9))"#, r#""00000001""#),
    (r#"H(struct.pack('>i', -1.9))"#, r#""ffffffff""#),
    (
        r#"struct.pack('q', 1)"#,
        r#"ERR user_script:34: bad argument #1 to 'pack' (invalid format option 'q')"#,
    ),
    (
        r#"struct.pack('i33', 1)"#,
        r#"ERR user_script:34: integral size 33 is larger than limit of 32"#,
    ),
    (
        r#"struct.pack('c99999999999', 'x')"#,
        r#"ERR user_script:34: integral size overflow"#,
    ),
    (
        r#"struct.pack('c2000000000', 'x')"#,
        r#"ERR user_script:34: bad argument #3 to 'pack' (string too short)"#,
    ),
    (r#"#struct.pack(string.rep('x', 100))"#, r#"100"#),
    (r#"H(struct.pack(' b ', 1))"#, r#""01""#),
    (
        r#"struct.pack()"#,
        r#"ERR user_script:34: bad argument #1 to 'pack' (string expected, got no value)"#,
    ),
    (
        r#"struct.pack(5)"#,
        r#"ERR user_script:34: bad argument #1 to 'pack' (invalid format option '5')"#,
    ),
    (r#"struct.size('!4 b i')"#, r#"8"#),
    (r#"struct.size('bhlTdfi')"#, r#"35"#),
    (r#"struct.size('!bhlTdfi')"#, r#"40"#),
    (r#"struct.size('!4 bhlTdfi')"#, r#"36"#),
    (r#"struct.size('c10')"#, r#"10"#),
    (
        r#"struct.size('s')"#,
        r#"ERR user_script:34: bad argument #1 to 'size' (option 's' has no fixed size)"#,
    ),
    (
        r#"struct.size('c0')"#,
        r#"ERR user_script:34: bad argument #1 to 'size' (option 'c0' has no fixed size)"#,
    ),
    (r#"struct.size('z')"#, r#"0"#),
    (
        r#"struct.size('i33')"#,
        r#"ERR user_script:34: integral size 33 is larger than limit of 32"#,
    ),
    (
        r#"struct.size('c99999999999')"#,
        r#"ERR user_script:34: integral size overflow"#,
    ),
    (
        r#"struct.size('&')"#,
        r#"ERR user_script:34: bad argument #1 to 'size' (invalid format option '&')"#,
    ),
    (r#"struct.size('>')"#, r#"0"#),
    (
        r#"struct.size()"#,
        r#"ERR user_script:34: bad argument #1 to 'size' (string expected, got no value)"#,
    ),
    (r#"struct.unpack('>i', '\0\0\1\0')"#, r#"256, 5"#),
    (r#"struct.unpack('<h', '\255\255')"#, r#"-1, 3"#),
    (r#"struct.unpack('B', '\200')"#, r#"200, 2"#),
    (r#"struct.unpack('b', '\200')"#, r#"-56, 2"#),
    (
        r#"struct.unpack('>L', '\255\255\255\255\255\255\255\255')"#,
        r#"1.8446744073709552e+19, 9"#,
    ),
    (
        r#"struct.unpack('>L', '\127\255\255\255\255\255\255\255')"#,
        r#"9.2233720368547758e+18, 9"#,
    ),
    (
        r#"struct.unpack('>l', '\255\255\255\255\255\255\255\255')"#,
        r#"-1, 9"#,
    ),
    (r#"struct.unpack('>I3', '\255\255\255')"#, r#"16777215, 4"#),
    (r#"struct.unpack('>i3', '\255\255\255')"#, r#"-1, 4"#),
    (
        r#"struct.unpack('>i16', string.rep('\255', 16))"#,
        r#"-1, 17"#,
    ),
    (
        r#"struct.unpack('>I16', string.rep('\255', 16))"#,
        r#"1.8446744073709552e+19, 17"#,
    ),
    (
        r#"struct.unpack('>i16', '\128' .. string.rep('\0', 15))"#,
        r#"0, 17"#,
    ),
    (r#"struct.unpack('>i0', '')"#, r#"0, 1"#),
    (r#"struct.unpack('>I0', 'a')"#, r#"0, 1"#),
    (r#"struct.unpack('s', 'abc\0def')"#, r#""abc", 5"#),
    (r#"struct.unpack('ss', 'abc\0\0')"#, r#""abc", "", 6"#),
    (
        r#"struct.unpack('s', 'abc')"#,
        r#"ERR user_script:34: unfinished string in data"#,
    ),
    (
        r#"struct.unpack('c0', 'abc')"#,
        r#"ERR user_script:34: format 'c0' needs a previous size"#,
    ),
    (r#"struct.unpack('Bc0', '\3abcd')"#, r#""abc", 5"#),
    (r#"struct.unpack('c1c0', '3abcd')"#, r#""abc", 5"#),
    (
        r#"struct.unpack('c1c0', 'xabcd')"#,
        r#"ERR user_script:34: format 'c0' needs a previous size"#,
    ),
    (
        r#"struct.unpack('Bc0', '\9abc')"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (data string too short)"#,
    ),
    (
        r#"struct.unpack('>d', struct.pack('>d', 1.5))"#,
        r#"1.5, 9"#,
    ),
    (
        r#"struct.unpack('<f', struct.pack('<f', 0.1))"#,
        r#"0.10000000149011612, 5"#,
    ),
    (
        r#"struct.unpack('>d', struct.pack('>d', 2^53 + 1))"#,
        r#"9007199254740992, 9"#,
    ),
    (
        r#"struct.unpack('i', 'ab')"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (data string too short)"#,
    ),
    (r#"struct.unpack('b', 'ab', 2)"#, r#"98, 3"#),
    (
        r#"struct.unpack('b', 'ab', 3)"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (data string too short)"#,
    ),
    (
        r#"struct.unpack('b', 'ab', 0)"#,
        r#"ERR user_script:34: bad argument #3 to 'unpack' (offset must be 1 or greater)"#,
    ),
    (
        r#"struct.unpack('b', 'ab', -1)"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (data string too short)"#,
    ),
    (r#"struct.unpack('b', 'ab', 2.7)"#, r#"98, 3"#),
    (r#"struct.unpack('>', 'ab', 3)"#, r#"3"#),
    (
        r#"struct.unpack('>', 'ab', 4)"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (data string too short)"#,
    ),
    (
        r#"struct.unpack('!4 b i', struct.pack('!4 b i', 7, 9))"#,
        r#"7, 9, 9"#,
    ),
    (r#"struct.unpack('x b', 'ab')"#, r#"98, 3"#),
    (
        r#"struct.unpack('c2147483647', 'x')"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (data string too short)"#,
    ),
    (
        r#"struct.unpack('c4294967295', 'x')"#,
        r#"ERR user_script:34: integral size overflow"#,
    ),
    (
        r#"select('#', struct.unpack(string.rep('b', 7990), string.rep('\1', 7990)))"#,
        r#"7991"#,
    ),
    (
        r#"struct.unpack(string.rep('b', 9000), string.rep('\1', 9000))"#,
        r#"ERR user_script:34: stack overflow (too many results)"#,
    ),
    (
        r#"struct.unpack('q', 'a')"#,
        r#"ERR user_script:34: bad argument #1 to 'unpack' (invalid format option 'q')"#,
    ),
    (
        r#"struct.unpack('i', nil)"#,
        r#"ERR user_script:34: bad argument #2 to 'unpack' (string expected, got nil)"#,
    ),
    (
        r#"struct.unpack(nil, 'a')"#,
        r#"ERR user_script:34: bad argument #1 to 'unpack' (string expected, got nil)"#,
    ),
    (r#"struct.unpack('b', 5)"#, r#"53, 2"#),
];

fn state() -> Lua {
    let lua = Lua::new();
    marekvs::lua::libs::install(&lua).unwrap();
    let errtext = lua
        .create_function(|lua, v: Value| {
            Ok(match v {
                Value::Error(e) => marekvs::lua::error_text(&e),
                other => lua
                    .coerce_string(other)?
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default(),
            })
        })
        .unwrap();
    lua.globals().set("errtext", errtext).unwrap();
    lua
}

fn run_case(lua: &Lua, expr: &str) -> String {
    let script = format!(
        "{PRELUDE}\nlocal r = {{n = 0}}\nlocal function cap(ok, ...) if not ok then return 'ERR ' .. errtext((...)) end return show(...) end\nreturn cap(pcall(function() return {expr}\nend))"
    );
    match lua
        .load(&script)
        .set_name("@user_script")
        .eval::<mlua::LuaString>()
    {
        Ok(s) => s.to_string_lossy(),
        Err(e) => format!("HOST ERROR {}", marekvs::lua::error_text(&e)),
    }
}

#[test]
fn matches_redis_7_0() {
    let lua = state();
    let mut bad = Vec::new();
    for (expr, want) in REDIS_CASES {
        let got = run_case(&lua, expr);
        if got != *want {
            bad.push(format!("{expr}\n   redis: {want}\n     got: {got}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn eval<T: mlua::FromLuaMulti>(lua: &Lua, code: &str) -> T {
    lua.load(code)
        .eval::<T>()
        .unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn eval_err(lua: &Lua, code: &str) -> String {
    match lua.load(code).set_name("@user_script").exec() {
        Ok(()) => panic!("{code}: expected an error"),
        Err(e) => marekvs::lua::error_text(&e),
    }
}

/// Lua 5.4 subtypes: integral values come back as integers (so `tostring` prints what Redis
/// prints), fractional ones as floats.
#[test]
fn integer_subtypes() {
    let lua = state();
    let cases: &[(&str, &str)] = &[
        ("math.type(cjson.decode('3'))", "integer"),
        ("math.type(cjson.decode('1e3'))", "integer"),
        ("math.type(cjson.decode('2.5'))", "float"),
        ("math.type(cjson.decode('-0'))", "float"),
        ("math.type(cjson.decode('1e300'))", "float"),
        ("tostring(cjson.decode('[1,2.5]')[1])", "1"),
        (
            "tostring(cjson.decode('-9223372036854775808'))",
            "-9223372036854775808",
        ),
        ("cjson.encode({3, 3.0, -0.0})", "[3,3,-0]"),
        ("math.type(bit.tobit(5))", "integer"),
        ("tostring(bit.band(7, 3.0))", "3"),
        ("math.type(struct.unpack('>i', '\\0\\0\\0\\1'))", "integer"),
        (
            "math.type(struct.unpack('>L', string.rep('\\255', 8)))",
            "float",
        ),
        ("math.type(select(2, struct.unpack('b', 'a')))", "integer"),
        ("math.type(cmsgpack.unpack(cmsgpack.pack(7)))", "integer"),
        ("math.type(cmsgpack.unpack(cmsgpack.pack(3.0)))", "integer"),
        ("math.type(cmsgpack.unpack(cmsgpack.pack(0.5)))", "float"),
        (
            "tostring(cmsgpack.unpack('\\211\\127\\255\\255\\255\\255\\255\\255\\255'))",
            "9223372036854775807",
        ),
        (
            "tostring(struct.unpack('>l', '\\127\\255\\255\\255\\255\\255\\255\\255'))",
            "9223372036854775807",
        ),
    ];
    for (code, want) in cases {
        let got: String = eval(&lua, &format!("return tostring({code})"));
        assert_eq!(&got, want, "{code}");
    }
}

/// A deterministic byte generator for the no-panic sweeps.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u8
    }
    fn bytes(&mut self, n: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..n)
            .map(|_| {
                let b = self.next();
                if alphabet.is_empty() {
                    b
                } else {
                    alphabet[b as usize % alphabet.len()]
                }
            })
            .collect()
    }
}

#[test]
fn hostile_inputs_error_without_panicking() {
    let lua = state();
    // Declared sizes far beyond the input: errors, nothing allocated for them.
    for code in [
        "cmsgpack.unpack('\\219\\255\\255\\255\\255')",
        "cmsgpack.unpack('\\219\\127\\255\\255\\255xyz')",
        "cmsgpack.unpack('\\221\\255\\255\\255\\255')",
        "cmsgpack.unpack('\\223\\255\\255\\255\\255\\1')",
        "cmsgpack.unpack_one('\\221\\255\\255\\255\\255', 0)",
        "cmsgpack.unpack(string.rep('\\223\\255\\255\\255\\255', 5000))",
        "cmsgpack.unpack(string.rep('\\145', 1000000))",
        "cmsgpack.unpack(string.rep('\\129\\1', 1000000))",
        "cmsgpack.unpack(string.rep('\\1', 100000))",
        "struct.unpack('c2147483647', 'x')",
        "struct.unpack('c2147483647c2147483647', string.rep('x', 100))",
        "struct.pack('c2147483647', 'x')",
        "struct.unpack('i32i32', 'x')",
        "struct.unpack(string.rep('c0', 100000), 'x')",
        "struct.unpack('s', string.rep('x', 100000))",
        "cjson.decode(string.rep('[', 1000000))",
        "cjson.decode(string.rep('{\"a\":', 1000000))",
        "cjson.decode(string.rep('\"\\\\u', 1000))",
        "cjson.decode('\"\\\\ud800\\\\u')",
        "cjson.decode('\"\\\\')",
        "cjson.decode('0x')",
    ] {
        let _ = eval_err(&lua, &format!("local x = {code}"));
    }
    assert_eq!(eval::<String>(&lua, "return bit.tohex(1, 2^40)"), "");
    let msg = eval_err(&lua, "cmsgpack.unpack('\\219\\255\\255\\255\\255')");
    assert_eq!(msg, "user_script:1: Missing bytes in input.");

    // Depth limits raised far beyond what a native stack could recurse through: the encoder
    // and decoders use explicit stacks.
    let n: i64 = eval(
        &lua,
        "cjson.encode_max_depth(2^30) cjson.decode_max_depth(2^30)
         local t = {} local c = t for i = 1, 200000 do c[1] = {} c = c[1] end
         local s = cjson.encode(t)
         local d = cjson.decode(s)
         local n = 0 while type(d) == 'table' do n = n + 1 d = d[1] end
         cjson.encode_max_depth(1000) cjson.decode_max_depth(1000)
         return n",
    );
    assert_eq!(n, 200001);

    // Every prefix of a valid message either decodes or errors.
    let packed: mlua::LuaString = eval(
        &lua,
        "return cmsgpack.pack({1, 'abc', {x = {0.5, 2^40, -2^40}, [true] = false}, string.rep('z', 300)}, 7)",
    );
    let packed = packed.as_bytes().to_vec();
    let unpack: mlua::Function = eval(&lua, "return cmsgpack.unpack");
    let decode: mlua::Function = eval(&lua, "return cjson.decode");
    let sunpack: mlua::Function = eval(&lua, "return struct.unpack");
    for cut in 0..packed.len() {
        let s = lua.create_string(&packed[..cut]).unwrap();
        let _ = unpack.call::<mlua::MultiValue>(s);
    }
    // Random inputs.
    let mut rng = Lcg(42);
    for i in 0..3000 {
        let len = (rng.next() as usize) % 64;
        let bytes = rng.bytes(len, &[]);
        let s = lua.create_string(&bytes).unwrap();
        let _ = unpack.call::<mlua::MultiValue>(s.clone());
        let json = rng.bytes(len, b"[]{}:,\"\\u0123456789abcdefxtrunl-+.eE \t");
        let _ = decode.call::<mlua::Value>(lua.create_string(&json).unwrap());
        let fmt = rng.bytes(len % 16, b"<>!=0123456789xbBhHlLTiIfdcs ");
        let _ = sunpack.call::<mlua::MultiValue>((lua.create_string(&fmt).unwrap(), s, 1 + i % 5));
    }
}

#[test]
fn installed_by_the_engine_with_positions() {
    use marekvs::lua::{Engine, Limits, ScriptError};
    let engine = Engine::new(Limits::default()).unwrap();
    let out = engine
        .eval(b"return cjson.encode({1,2,3}), bit.tohex(255, -2), #struct.pack('>I', 1), #cmsgpack.pack({1})", "user_script")
        .unwrap();
    let v: Vec<String> = out.iter().map(|v| v.to_string().unwrap()).collect();
    assert_eq!(v, ["[1,2,3]", "FF", "4", "2"]);
    match engine.eval(b"return cjson.decode('x')", "user_script") {
        Err(ScriptError::Runtime(m)) => assert_eq!(
            m,
            "user_script:1: Expected value but found invalid token at character 1"
        ),
        other => panic!("{other:?}"),
    }
}
