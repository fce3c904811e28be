import socket, sys
class C:
    def __init__(s, port=6399):
        s.s = socket.create_connection(("127.0.0.1", port)); s.f = s.s.makefile('rb')
    def cmd(s, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.s.sendall(out); return s.read()
    def read(s):
        line = s.f.readline()[:-2]; t = line[:1]; r = line[1:]
        if t == b'+': return ('status', r.decode())
        if t == b'-': return ('err', r.decode())
        if t == b':': return int(r)
        if t == b'$':
            n = int(r)
            if n < 0: return None
            d = s.f.read(n+2)[:-2]; return d
        if t in (b'*', b'~', b'>'):
            n = int(r)
            if n < 0: return ('nilarray',)
            l = [s.read() for _ in range(n)]
            return ('set', l) if t == b'~' else l
        if t == b'%':
            n = int(r); return ('map', [(s.read(), s.read()) for _ in range(n)])
        if t == b'_': return ('null',)
        if t == b',': return ('double', r.decode())
        if t == b'#': return ('bool', r)
        if t == b'(': return ('big', r)
        if t == b'=':
            n = int(r); d = s.f.read(n+2)[:-2]; return ('verb', d)
        raise Exception(line)
if __name__ == '__main__':
    c = C()
    args = sys.argv[1:]
    if args and args[0] == '-3':
        print(c.cmd('hello','3') and None); args = args[1:]
    print(repr(c.cmd(*args)))
