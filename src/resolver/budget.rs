//! Time budgets: what a slow or silent server may cost.
//!
//! - Per message (`--dns-message-budget`, default 5 s): a batch's lookups end at most
//!   this long after they start, times `ceil(messages / concurrency)` (a batch's messages
//!   are looked up together, `concurrency` lookups at a time). Questions still open then
//!   are `TIMEOUT`, their checks unknown.
//! - Per scan (`--dns-scan-budget`, default 30 s): the time a whole run may spend waiting
//!   on lookups that never answered. A call's wait counts in the share of its lookups that
//!   timed out, so a healthy server spends none of it; once it is spent, every new question
//!   is answered `TIMEOUT` at once, without a query. A 1,000-message scan against a server
//!   that never answers then takes about this budget, not an hour.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The default per-message budget.
pub const MESSAGE_BUDGET: Duration = Duration::from_secs(5);
/// The default per-scan budget for unanswered lookups.
pub const SCAN_BUDGET: Duration = Duration::from_secs(30);

/// The error text of a question not asked because the run's budget is spent.
pub const SCAN_SPENT: &str =
    "not asked: the run's DNS time budget for unanswered lookups is spent (--dns-scan-budget)";
/// The error text of a question still open at its batch's deadline.
pub const MESSAGE_SPENT: &str =
    "no answer within the message's DNS time budget (--dns-message-budget)";

/// The run's budgets and what is left of the scan budget.
#[derive(Debug)]
pub struct Budget {
    message: Duration,
    concurrency: usize,
    scan_left: Mutex<Duration>,
}

impl Budget {
    /// Budgets of `message` per message and `scan` per run, for a resolver asking
    /// `concurrency` questions at once.
    pub fn new(message: Duration, scan: Duration, concurrency: usize) -> Budget {
        Budget {
            message,
            concurrency: concurrency.max(1),
            scan_left: Mutex::new(scan),
        }
    }

    /// When the lookups of a batch of `messages` messages, starting `now`, must end.
    pub fn batch_deadline(&self, now: Instant, messages: usize) -> Instant {
        let rounds = messages.max(1).div_ceil(self.concurrency);
        let rounds = u32::try_from(rounds).unwrap_or(u32::MAX);
        now.checked_add(self.message.saturating_mul(rounds))
            .unwrap_or(now + Duration::from_secs(86_400))
    }

    /// The deadline a call may use: `wanted`, cut to what is left of the scan budget
    /// (`None` when nothing is left: ask nothing).
    pub fn call_deadline(&self, now: Instant, wanted: Instant) -> Option<Instant> {
        let left = *lock(&self.scan_left);
        if left.is_zero() {
            return None;
        }
        Some(wanted.min(now.checked_add(left).unwrap_or(wanted)))
    }

    /// Charges a call that took `elapsed`, of whose `asked` lookups `timed_out` never
    /// answered, to the scan budget.
    pub fn charge(&self, elapsed: Duration, timed_out: usize, asked: usize) {
        if timed_out == 0 || asked == 0 {
            return;
        }
        let share = elapsed.mul_f64(timed_out as f64 / asked as f64);
        let mut left = lock(&self.scan_left);
        *left = left.saturating_sub(share);
    }

    /// What is left of the scan budget.
    pub fn scan_left(&self) -> Duration {
        *lock(&self.scan_left)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unanswered_time_spends_the_scan_budget() {
        let b = Budget::new(Duration::from_secs(5), Duration::from_secs(10), 64);
        let now = Instant::now();
        b.charge(Duration::from_secs(100), 0, 50);
        assert_eq!(
            b.scan_left(),
            Duration::from_secs(10),
            "a healthy call is free"
        );
        b.charge(Duration::from_secs(8), 1, 2);
        assert_eq!(b.scan_left(), Duration::from_secs(6));
        let cut = b.call_deadline(now, now + Duration::from_secs(60)).unwrap();
        assert_eq!(cut, now + Duration::from_secs(6));
        b.charge(Duration::from_secs(7), 3, 3);
        assert_eq!(b.call_deadline(now, now + Duration::from_secs(60)), None);
    }

    #[test]
    fn a_batch_gets_a_message_budget_per_round_of_lookups() {
        let b = Budget::new(Duration::from_secs(5), Duration::from_secs(10), 64);
        let now = Instant::now();
        assert_eq!(b.batch_deadline(now, 1), now + Duration::from_secs(5));
        assert_eq!(b.batch_deadline(now, 64), now + Duration::from_secs(5));
        assert_eq!(b.batch_deadline(now, 512), now + Duration::from_secs(40));
        assert_eq!(b.batch_deadline(now, 0), now + Duration::from_secs(5));
    }
}
