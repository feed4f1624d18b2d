//! Look-ups that stay cheap on ordinary lists and linear on hostile ones.
//!
//! A message names a handful of recipients; a crafted one names 200,000. Searching a list
//! per item is quadratic on the second, and hashing every item costs the first more than
//! the search did (SipHash per string on every message of a scan). So a map is searched in
//! order while it is small and hashed once it holds [`HASH_FROM`] keys.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// Keys from which a map is hashed.
pub const HASH_FROM: usize = 32;

/// A map from keys to values, searched in order while small, hashed once large.
#[derive(Debug, Clone)]
pub struct SmallMap<K, V> {
    small: Vec<(K, V)>,
    big: Option<HashMap<K, V>>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap {
            small: Vec::new(),
            big: None,
        }
    }
}

impl<K: Eq + Hash, V> SmallMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        SmallMap::default()
    }

    /// The value for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match &self.big {
            Some(big) => big.get(key),
            None => self
                .small
                .iter()
                .find(|(k, _)| k.borrow() == key)
                .map(|(_, v)| v),
        }
    }

    /// True when `key` is in the map.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Adds `key` with `value` unless the key is there already (the first value stays);
    /// true when it was added.
    pub fn insert_new(&mut self, key: K, value: V) -> bool {
        if let Some(big) = &mut self.big {
            if big.contains_key(&key) {
                return false;
            }
            big.insert(key, value);
            return true;
        }
        if self.small.iter().any(|(k, _)| *k == key) {
            return false;
        }
        self.small.push((key, value));
        if self.small.len() >= HASH_FROM {
            self.big = Some(self.small.drain(..).collect());
        }
        true
    }
}

/// A set: a [`SmallMap`] without values.
pub type SmallSet<K> = SmallMap<K, ()>;

impl<K: Eq + Hash> SmallSet<K> {
    /// Adds `key`; true when it was not there.
    pub fn insert(&mut self, key: K) -> bool {
        self.insert_new(key, ())
    }
}

impl<K: Eq + Hash> FromIterator<K> for SmallSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(keys: I) -> Self {
        let mut set = SmallSet::new();
        for k in keys {
            set.insert(k);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_maps_answer_alike() {
        for n in [0, 1, HASH_FROM - 1, HASH_FROM, 10 * HASH_FROM] {
            let mut map = SmallMap::new();
            for i in 0..n {
                assert!(map.insert_new(i.to_string(), i));
                assert!(!map.insert_new(i.to_string(), 0), "the first value stays");
            }
            for i in 0..n {
                assert_eq!(map.get(i.to_string().as_str()), Some(&i));
            }
            assert!(!map.contains_key("absent"));
            let set: SmallSet<usize> = (0..n).chain(0..n).collect();
            assert!((0..n).all(|i| set.contains_key(&i)));
        }
    }
}
