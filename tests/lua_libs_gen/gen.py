import json, os
here = os.path.dirname(os.path.abspath(__file__))
cases = json.load(open(os.path.join(here, 'redis.json')))
def raw(s):
    n = 1
    while ('"' + '#'*n) in s: n += 1
    return 'r' + '#'*n + '"' + s + '"' + '#'*n
lines = []
for c, v in cases:
    lines.append(f"    ({raw(c)}, {raw(v)}),")
body = "\n".join(lines)
head = open(os.path.join(here, 'head.rs')).read()
out = head.replace('@@CASES@@', body).replace('@@COUNT@@', str(len(cases)))
open(os.path.join(here, '..', 'lua_libs.rs'), 'w').write(out)
print(len(cases), 'cases written; run cargo fmt')
