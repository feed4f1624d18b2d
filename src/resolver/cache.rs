//! The answer cache: entries live until their TTL runs out, and the oldest go first when
//! the cache is full, so a scan of millions of messages keeps bounded memory.

use crate::dns::{Answer, Question};
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// A TTL-respecting cache with a size cap (first in, first out).
#[derive(Debug)]
pub struct Cache {
    entries: HashMap<Question, (Answer, Instant)>,
    order: VecDeque<Question>,
    cap: usize,
}

impl Cache {
    /// A cache holding at most `cap` answers (0 disables it).
    pub fn new(cap: usize) -> Cache {
        Cache {
            entries: HashMap::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    /// The answer to `q`, when cached and not yet expired at `now`.
    pub fn get(&self, q: &Question, now: Instant) -> Option<Answer> {
        self.entries
            .get(q)
            .filter(|(_, until)| *until > now)
            .map(|(a, _)| a.clone())
    }

    /// Keeps `answer` until `until`; an answer already expired is not kept.
    pub fn insert(&mut self, q: Question, answer: Answer, until: Instant) {
        if self.cap == 0 || until <= Instant::now() {
            return;
        }
        if self.entries.insert(q.clone(), (answer, until)).is_none() {
            self.order.push_back(q);
        }
        while self.entries.len() > self.cap {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        // Replaced entries leave stale names in `order`; compact when they pile up.
        if self.order.len() > 2 * self.cap.max(16) {
            let entries = &self.entries;
            self.order.retain(|q| entries.contains_key(q));
        }
    }

    /// Number of answers held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::Rcode;
    use std::time::Duration;

    fn q(i: usize) -> Question {
        Question::address(&format!("h{i}.example.com"), false).unwrap()
    }

    #[test]
    fn expires_and_caps() {
        let mut c = Cache::new(3);
        let now = Instant::now();
        let later = now + Duration::from_secs(60);
        for i in 0..5 {
            c.insert(q(i), Answer::empty(&q(i), Rcode::NoError, None, 0), later);
        }
        assert_eq!(c.len(), 3);
        assert!(c.get(&q(0), now).is_none(), "oldest evicted");
        assert!(c.get(&q(4), now).is_some());
        assert!(c.get(&q(4), later).is_none(), "expired at its TTL");
        c.insert(q(9), Answer::empty(&q(9), Rcode::NoError, None, 0), now);
        assert!(c.get(&q(9), now).is_none(), "a zero TTL is not cached");
    }

    #[test]
    fn replacing_does_not_grow_the_order_without_bound() {
        let mut c = Cache::new(2);
        let later = Instant::now() + Duration::from_secs(60);
        for _ in 0..1000 {
            c.insert(q(1), Answer::empty(&q(1), Rcode::NoError, None, 0), later);
        }
        assert_eq!(c.len(), 1);
        assert!(c.order.len() <= 32);
    }
}
