import os, sys, json, shlex, subprocess
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import C
def esc(b):
    return ''.join(chr(c) if 0x20 <= c < 0x7f and c != 0x5c else '\\x%02x' % c for c in b)
def fmt(r):
    if r is None: return '(nil)'
    if isinstance(r, int): return ':%d' % r
    if isinstance(r, bytes): return '$' + esc(r)
    if isinstance(r, list): return '[' + ', '.join(fmt(x) for x in r) + ']'
    t = r[0]
    if t == 'status': return '+' + r[1]
    if t == 'err': return '-' + r[1]
    if t == 'nilarray': return '(nilarray)'
    if t == 'null': return '(nil)'
    if t == 'set': return '~[' + ', '.join(fmt(x) for x in r[1]) + ']'
    if t == 'map': return '%[' + ', '.join(fmt(k) + ': ' + fmt(v) for k, v in r[1]) + ']'
    if t == 'double': return ',' + r[1]
    if t == 'verb': return '=' + esc(r[1][:3]) + ':' + esc(r[1][4:])
    return repr(r)
def norm(s, sort):
    return s
def main():
    lines = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
    cmds = []
    for l in lines:
        flag = ''
        if l.startswith('~ '): flag, l = '~', l[2:]
        cmds.append((flag, shlex.split(l)))
    c = C(); c.cmd('flushall'); c.cmd('hello', '2')
    theirs = []
    for flag, a in cmds:
        r = c.cmd(*a)
        theirs.append(r)
    p = subprocess.run([os.environ.get('DIFFRUN', '/work/target-core/debug/diffrun')], input='\n'.join(json.dumps(a) for _, a in cmds) + '\n', capture_output=True, text=True)
    ours = p.stdout.splitlines()
    if p.stderr: print(p.stderr[-2000:])
    bad = 0
    def sortkey(s):
        return s
    for (flag, a), t, o in zip(cmds, theirs, ours):
        ft = fmt(t)
        if flag == '~':
            # compare as multisets of top-level elements
            def elems(x):
                if isinstance(x, list): return sorted(fmt(e) for e in x)
                if isinstance(x, tuple) and x[0] == 'set': return sorted(fmt(e) for e in x[1])
                return [fmt(x)]
            ok = None
        if ft != o:
            if flag == '~' and sorted(ft.strip('~[]').split(', ')) == sorted(o.strip('~[]').split(', ')):
                continue
            bad += 1
            print('CMD ', ' '.join(a)); print('  redis:', ft); print('  ours: ', o)
    print('%d commands, %d differences' % (len(cmds), bad))
if __name__ == '__main__':
    main()
