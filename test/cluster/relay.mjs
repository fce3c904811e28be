// A faulty transport for Node links (tests): each shard pair gets two MessageChannels with a
// relay in this thread between their inner ends, which duplicates some frames and delays
// others (so they arrive out of order), and can drop everything ("blackhole": a network that
// loses packets while both sides believe the link is up). Runs in Node and in browsers.

/** A small seeded PRNG (mulberry32): reproducible fault patterns for a given seed. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A relay controller for one NodeLink: pass `relay.channel` as `node.link(other, { channel })`.
 * `relay.blackhole = true` drops every frame (both ways) until set back to false.
 */
export function faultyRelay({ rng, dup = 0.05, delay = 0.1, maxDelayMs = 20 }) {
  const relay = {
    blackhole: false,
    pending: 0, // frames waiting in a delay timer
    stats: { forwarded: 0, duplicated: 0, delayed: 0, dropped: 0 },
    channel,
  };

  function channel() {
    const sides = [new MessageChannel(), new MessageChannel()];
    const st = { closed: false, deaf: [false, false] };

    const deliver = (to, frame) => {
      if (st.closed) {
        relay.stats.dropped++;
        return;
      }
      to.postMessage(frame); // copied: the same frame may go twice
      relay.stats.forwarded++;
    };

    // Frames arriving on side k's inner port go out on the other side's inner port.
    sides.forEach((ch, k) => {
      const from = ch.port2;
      const to = sides[1 - k].port2;
      from.addEventListener('message', (e) => {
        if (st.closed || relay.blackhole || st.deaf[1 - k]) {
          relay.stats.dropped++;
          return;
        }
        const frame = e.data;
        const copies = rng() < dup ? 2 : 1;
        if (copies === 2) relay.stats.duplicated++;
        for (let c = 0; c < copies; c++) {
          if (rng() < delay) {
            relay.stats.delayed++;
            relay.pending++;
            setTimeout(() => {
              relay.pending--;
              deliver(to, frame);
            }, Math.floor(rng() * maxDelayMs));
          } else {
            deliver(to, frame);
          }
        }
      });
      from.start?.();
    });

    const shutPorts = () => {
      st.closed = true;
      for (const ch of sides) ch.port2.close();
    };

    return {
      ports: [sides[0].port1, sides[1].port1],
      // cut: everything in the relay is lost
      close: shutPorts,
      // side `dead` was terminated: what it sent before dying still reaches the survivor
      // (delayed frames included), nothing goes to it any more; then close.
      retire(dead) {
        st.deaf[dead] = true;
        setTimeout(shutPorts, maxDelayMs + 3000);
      },
    };
  }

  return relay;
}
