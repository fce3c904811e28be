// Redis Cluster key slots (CRC16-XMODEM of the hash tag, mod 16384) and the partition map of
// the shards (partition p owns slots [p*16384/n, (p+1)*16384/n)), as src/router.rs.
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  TABLE[i] = c & 0xffff;
}

const enc = new TextEncoder();

/** The part of the key that is hashed: the first non-empty {...}, else the whole key. */
export function hashTag(key) {
  const open = key.indexOf(0x7b);
  if (open < 0) return key;
  const close = key.indexOf(0x7d, open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

export function keySlot(key) {
  const bytes = typeof key === 'string' ? enc.encode(key) : key;
  let crc = 0;
  for (const b of hashTag(bytes)) crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ b) & 0xff]) & 0xffff;
  return crc & 16383;
}

/** Partition of `slot` in a map of `n` partitions (the last p with p*16384/n <= slot). */
export function partitionOfSlot(slot, n) {
  let p = Math.floor(((slot + 1) * n - 1) / 16384);
  while (p > 0 && Math.floor((p * 16384) / n) > slot) p--;
  while (p + 1 < n && Math.floor(((p + 1) * 16384) / n) <= slot) p++;
  return p;
}
