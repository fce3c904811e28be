// Shareable state in the URL fragment: #script=...&keys=...&args=...&on=B. The fragment never
// reaches the server, and URLSearchParams does the escaping.
import { NAMES } from './cluster.mjs';

export function readUrlState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (!params.has('script')) return null;
  const on = NAMES.indexOf(params.get('on') ?? 'A');
  return {
    script: params.get('script'),
    keys: params.get('keys') ?? '',
    args: params.get('args') ?? '',
    replica: on < 0 ? 0 : on,
  };
}

export function writeUrlState({ script, keys, args, replica }) {
  const params = new URLSearchParams({ script, keys, args, on: NAMES[replica] });
  return '#' + params.toString();
}
