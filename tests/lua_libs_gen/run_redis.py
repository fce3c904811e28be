import subprocess, sys, json
prelude = open('/tmp/libcases/prelude.lua').read()
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
