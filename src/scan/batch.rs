//! How many inputs a batch takes: as many as fit the bytes a batch may hold.
//!
//! A batch's reports are held until the batch is written, and up to three batches are in
//! flight (one being written, one waiting, one being analysed). Ordinary reports are a few
//! KiB, so a batch is `ScanOptions::batch` inputs; a mailbox of crafted 4 MiB headers makes
//! reports of megabytes, and the batch shrinks to what fits `ScanOptions::batch_bytes`. The
//! first batch is small and batches double while they fit, so a scan finds out before it
//! holds much.

/// The size of the next batch, learnt from the bytes of the last one.
#[derive(Debug, Clone)]
pub struct BatchSize {
    next: usize,
    max: usize,
    budget: usize,
}

impl BatchSize {
    /// Batches of at most `max` inputs holding about `budget` bytes of reports.
    pub fn new(max: usize, budget: usize) -> Self {
        let max = max.max(1);
        let start = (2 * rayon::current_num_threads()).clamp(1, max);
        BatchSize {
            next: start,
            max,
            budget: budget.max(1),
        }
    }

    /// Inputs to take for the next batch.
    pub fn next(&self) -> usize {
        self.next
    }

    /// The last batch of `inputs` inputs made `bytes` bytes of output.
    pub fn observe(&mut self, inputs: usize, bytes: usize) {
        let per_input = (bytes / inputs.max(1)).max(1);
        let fits = (self.budget / per_input).max(1);
        self.next = fits.min(self.next.saturating_mul(2)).clamp(1, self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_while_small_and_shrinks_on_large_reports() {
        let mut size = BatchSize::new(512, 32 << 20);
        let first = size.next();
        assert!(first <= 2 * rayon::current_num_threads());
        for _ in 0..20 {
            let n = size.next();
            size.observe(n, n * 4096);
        }
        assert_eq!(size.next(), 512);
        size.observe(512, 512 * (4 << 20));
        assert_eq!(size.next(), 8);
        size.observe(8, 8 * (64 << 20));
        assert_eq!(size.next(), 1);
    }
}
