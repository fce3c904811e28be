//! The replication state's partitions by id: a vector indexed by partition id (ids are
//! `0..count` of the partition map, at most 16,384) plus the system pseudo-partition apart.
//!
//! Every collected effect finds its partition here, so this is on the write path of each
//! command: a `BTreeMap<u16, _>` search was ≈ 50 instructions per lookup (two per effect).
//! Iteration is in increasing id order with the system partition last, as the map's was
//! (batches list their groups in that order).

use super::SYSTEM_PARTITION;

#[derive(Debug, Clone)]
pub(crate) struct PartMap<T> {
    dense: Vec<Option<T>>,
    system: Option<T>,
}

impl<T> Default for PartMap<T> {
    fn default() -> Self {
        PartMap {
            dense: Vec::new(),
            system: None,
        }
    }
}

impl<T: Default> PartMap<T> {
    /// The entry of `p`, created empty if absent.
    pub(crate) fn get_or_default(&mut self, p: u16) -> &mut T {
        if p == SYSTEM_PARTITION {
            return self.system.get_or_insert_with(T::default);
        }
        let i = usize::from(p);
        if i >= self.dense.len() {
            self.dense.resize_with(i + 1, || None);
        }
        // In bounds: resized above.
        let slot = &mut self.dense[i];
        slot.get_or_insert_with(T::default)
    }
}

impl<T> PartMap<T> {
    pub(crate) fn get(&self, p: u16) -> Option<&T> {
        if p == SYSTEM_PARTITION {
            self.system.as_ref()
        } else {
            self.dense.get(usize::from(p)).and_then(Option::as_ref)
        }
    }

    /// Present entries in increasing id order (the system partition last).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u16, &T)> {
        self.dense
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i as u16, s.as_ref()?)))
            .chain(self.system.as_ref().map(|s| (SYSTEM_PARTITION, s)))
    }

    /// [`PartMap::iter`], mutably.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (u16, &mut T)> {
        self.dense
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| Some((i as u16, s.as_mut()?)))
            .chain(self.system.as_mut().map(|s| (SYSTEM_PARTITION, s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_order_with_the_system_partition_last() {
        let mut m: PartMap<u32> = PartMap::default();
        *m.get_or_default(SYSTEM_PARTITION) = 9;
        *m.get_or_default(5) = 5;
        *m.get_or_default(0) = 1;
        assert_eq!(m.get(5), Some(&5));
        assert_eq!(m.get(3), None);
        assert_eq!(m.get(700), None);
        let ids: Vec<(u16, u32)> = m.iter().map(|(p, v)| (p, *v)).collect();
        assert_eq!(ids, vec![(0, 1), (5, 5), (SYSTEM_PARTITION, 9)]);
        for (_, v) in m.iter_mut() {
            *v += 1;
        }
        assert_eq!(m.get(SYSTEM_PARTITION), Some(&10));
    }
}
