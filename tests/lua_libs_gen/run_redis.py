# Runs each case of cases.lua on a redis-server at port 6401:
#   python3 run_redis.py cases.lua redis.json && python3 gen.py
import subprocess, sys, json, os
prelude = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'prelude.lua')).read()
cases = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip() and not l.startswith('--')]
out = []
for c in cases:
    script = prelude + "\nlocal r = {n = 0}\nlocal function cap(ok, ...) if not ok then return 'ERR ' .. tostring((...)) end return show(...) end\nreturn cap(pcall(function() return " + c + "\nend))"
    res = subprocess.run(['redis-cli', '-p', '6401', '--raw', 'EVAL', script, '0'], capture_output=True, text=True, errors='surrogateescape')
    v = res.stdout
    if v.endswith('\n'): v = v[:-1]
    out.append((c, v))
json.dump(out, open(sys.argv[2], 'w'), indent=0, ensure_ascii=False)
for c, v in out: print(c, ' ==> ', v)
