//! An append-only arena of fixed-size chunks, indexed by `u32`.
//!
//! A `Vec` that grows by doubling copies its whole content at every doubling and leaves up to
//! half of its capacity untouched; for the element arena of a list with millions of elements
//! (≈ 100 B each) that is a copy of hundreds of megabytes into freshly faulted pages. Chunks
//! of [`CHUNK`] elements never move: an element is written once. The first chunk grows like a
//! `Vec` up to [`CHUNK`], so a short list holds no more than a `Vec` would.

/// Elements per chunk (a power of two).
const CHUNK: usize = 1 << 10;

/// Append-only storage: `push` returns the element's index, which stays valid.
#[derive(Debug, Clone)]
pub struct Arena<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Arena<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `v`; returns its index.
    pub fn push(&mut self, v: T) -> u32 {
        let i = self.len;
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(v),
            _ => {
                // Later chunks are allocated at their full size once, so they never move.
                let mut c = Vec::with_capacity(if self.chunks.is_empty() { 4 } else { CHUNK });
                c.push(v);
                self.chunks.push(c);
            }
        }
        self.len += 1;
        i as u32
    }

    pub fn get(&self, i: u32) -> Option<&T> {
        let i = i as usize;
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    pub fn get_mut(&mut self, i: u32) -> Option<&mut T> {
        let i = i as usize;
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    /// Removes and returns the last element pushed (an insert undone).
    pub fn pop(&mut self) -> Option<T> {
        let c = self.chunks.last_mut()?;
        let v = c.pop()?;
        if c.is_empty() {
            self.chunks.pop();
        }
        self.len -= 1;
        Some(v)
    }

    /// The last element pushed.
    pub fn last(&self) -> Option<&T> {
        self.chunks.last()?.last()
    }

    /// Every element, in push order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_stay_valid_across_chunks() {
        let mut a = Arena::default();
        for i in 0..3 * CHUNK + 5 {
            assert_eq!(a.push(i), i as u32);
        }
        assert_eq!(a.len(), 3 * CHUNK + 5);
        assert_eq!(a.get(0), Some(&0));
        assert_eq!(a.get(CHUNK as u32), Some(&CHUNK));
        assert_eq!(a.get((3 * CHUNK + 4) as u32), Some(&(3 * CHUNK + 4)));
        assert_eq!(a.get((3 * CHUNK + 5) as u32), None);
        assert_eq!(a.last(), Some(&(3 * CHUNK + 4)));
        *a.get_mut(7).unwrap() = 70;
        assert_eq!(a.iter().nth(7), Some(&70));
        assert_eq!(a.iter().count(), 3 * CHUNK + 5);
        // Only the first chunk ever reallocated: the others hold exactly CHUNK.
        assert!(a.chunks[1..].iter().all(|c| c.capacity() == CHUNK));
    }

    #[test]
    fn pop_undoes_push_across_chunks() {
        let mut a = Arena::default();
        for i in 0..CHUNK + 2 {
            a.push(i);
        }
        assert_eq!(a.pop(), Some(CHUNK + 1));
        assert_eq!(a.pop(), Some(CHUNK));
        assert_eq!(a.chunks.len(), 1);
        assert_eq!(a.len(), CHUNK);
        assert_eq!(a.push(7), CHUNK as u32);
        assert_eq!(a.get(CHUNK as u32), Some(&7));
        assert_eq!(a.last(), Some(&7));
        let mut b: Arena<u8> = Arena::default();
        assert_eq!(b.pop(), None);
        b.push(1);
        assert_eq!(b.pop(), Some(1));
        assert!(b.is_empty());
        assert_eq!(b.push(2), 0);
    }
}
