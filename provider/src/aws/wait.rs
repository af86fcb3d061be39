//! Bounded polling for AWS's eventually consistent APIs (a table becoming ACTIVE, a queue's
//! attributes propagating, a deleted bucket disappearing).
//!
//! A driver's loop checks, then calls [`Waiter::pause`], which sleeps with backoff and fails
//! once the component timeout has passed, so every wait ends.

use std::time::Duration;

use tokio::time::Instant;

use super::DriverError;

const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

pub struct Waiter {
    what: String,
    timeout: Duration,
    deadline: Instant,
    delay: Duration,
}

impl Waiter {
    /// A wait for `what` (`"table orders to become ACTIVE"`) of at most `timeout`.
    pub fn new(what: impl Into<String>, timeout: Duration) -> Self {
        Waiter {
            what: what.into(),
            timeout,
            deadline: Instant::now() + timeout,
            delay: FIRST_DELAY,
        }
    }

    /// An error once the deadline has passed, for long loops that make progress on every
    /// turn (emptying a bucket page by page) and so never pause.
    pub fn check(&self) -> Result<(), DriverError> {
        if Instant::now() >= self.deadline {
            return Err(self.timed_out());
        }
        Ok(())
    }

    fn timed_out(&self) -> DriverError {
        DriverError::new(format!(
            "timed out after {}s waiting for {}",
            self.timeout.as_secs(),
            self.what
        ))
    }

    /// Sleeps before the next check (100 ms, doubling to 5 s); an error once the deadline
    /// has passed.
    pub async fn pause(&mut self) -> Result<(), DriverError> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(self.timed_out());
        }
        tokio::time::sleep(self.delay.min(self.deadline - now)).await;
        self.delay = (self.delay * 2).min(MAX_DELAY);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_ends_with_an_error_naming_what_it_waited_for() {
        let started = Instant::now();
        let mut waiter = Waiter::new("table t to become ACTIVE", Duration::from_secs(1));
        let mut pauses = 0;
        let err = loop {
            match waiter.pause().await {
                Ok(()) => pauses += 1,
                Err(e) => break e,
            }
            assert!(pauses < 100, "the wait must end");
        };
        assert_eq!(err.message, "timed out after 1s waiting for table t to become ACTIVE");
        // 0.1 + 0.2 + 0.4 s, then the 0.3 s left.
        assert_eq!(pauses, 4);
        assert!(started.elapsed() >= Duration::from_secs(1));
    }
}
