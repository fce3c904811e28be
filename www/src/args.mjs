// Splits a command line (or a KEYS/ARGV field) into arguments the way redis-cli does:
// whitespace separates; "double quotes" take \n \r \t \b \a \" \\ and \xHH escapes;
// 'single quotes' are literal except \'. Returns { args } or { error }.
const ESC = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07', '"': '"', '\\': '\\' };

export function splitArgs(line) {
  const args = [];
  let i = 0;
  const n = line.length;
  while (true) {
    while (i < n && /\s/.test(line[i])) i++;
    if (i >= n) return { args };
    let cur = '';
    let quote = null;
    for (; i < n; i++) {
      const c = line[i];
      if (quote === '"') {
        if (c === '\\' && i + 3 < n && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          cur += ESC[line[i]] ?? line[i];
        } else if (c === '"') {
          quote = null;
          if (i + 1 < n && !/\s/.test(line[i + 1])) return { error: 'closing quote must be followed by a space' };
        } else cur += c;
      } else if (quote === "'") {
        if (c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          quote = null;
          if (i + 1 < n && !/\s/.test(line[i + 1])) return { error: 'closing quote must be followed by a space' };
        } else cur += c;
      } else if (/\s/.test(c)) break;
      else if ((c === '"' || c === "'") && cur === '') quote = c;
      else cur += c;
    }
    if (quote) return { error: 'unbalanced quotes' };
    args.push(cur);
  }
}

/** One argument as it would be typed: bare when safe, else double-quoted with escapes. */
export function quoteArg(s) {
  if (s !== '' && /^[^\s"'\\]+$/.test(s)) return s;
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
}

export const joinArgs = (args) => args.map(quoteArg).join(' ');
