//! A map that holds at most `cap` keys, forgetting the oldest first, so that what the server
//! remembers per token (used refresh tokens, revoked families and access tokens, tokens seen)
//! stays bounded however long it runs and however many tokens a client burns.
//!
//! Forgetting is safe in the direction that matters: a forgotten refresh token or family is
//! unknown, so presenting it is refused (`token_not_valid` / `TOKEN_REVOKED`); only the
//! family-wide revocation of a *reuse* of a long-forgotten token is lost. A forgotten revoked
//! access token (`jti`) lives at most until its short expiry.

use std::collections::{HashMap, VecDeque};

pub struct Bounded<V> {
    map: HashMap<String, V>,
    order: VecDeque<String>,
    cap: usize,
}

impl<V> Bounded<V> {
    pub fn new(cap: usize) -> Self {
        Bounded { map: HashMap::new(), order: VecDeque::new(), cap: cap.max(1) }
    }

    /// Inserts or replaces; returns whether the key was new. A new key beyond the cap evicts
    /// the oldest one.
    pub fn insert(&mut self, key: String, value: V) -> bool {
        if let Some(slot) = self.map.get_mut(&key) {
            *slot = value;
            return false;
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
        while self.map.len() > self.cap {
            match self.order.pop_front() {
                Some(oldest) => self.map.remove(&oldest),
                None => break,
            };
        }
        true
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_at_most_cap_keys_forgetting_the_oldest() {
        let mut b = Bounded::new(3);
        for i in 0..10 {
            assert!(b.insert(i.to_string(), i));
        }
        assert_eq!(b.len(), 3);
        assert!(!b.contains("6") && b.contains("7") && b.contains("9"));
        assert!(!b.insert("9".into(), 90), "a known key is replaced, not added");
        assert_eq!(b.get("9"), Some(&90));
        assert_eq!(b.len(), 3);
    }
}
