import json
cases = json.load(open('/tmp/libcases/redis.json'))
prelude = open('/tmp/libcases/prelude.lua').read()
def raw(s):
    n = 1
    while ('"' + '#'*n) in s: n += 1
    return 'r' + '#'*n + '"' + s + '"' + '#'*n
lines = []
for c, v in cases:
    lines.append(f"    ({raw(c)}, {raw(v)}),")
body = "\n".join(lines)
head = open('/tmp/libcases/head.rs').read()
out = head.replace('@@PRELUDE@@', raw(prelude)).replace('@@CASES@@', body).replace('@@COUNT@@', str(len(cases)))
open('/work/main/tests/lua_libs.rs', 'w').write(out)
print(len(cases))
