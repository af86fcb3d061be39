//! Bounded polling and retrying for AWS's eventually consistent APIs (a table becoming
//! ACTIVE, a role becoming visible, a deleted bucket disappearing, a role IAM has not
//! propagated yet).
//!
//! Every wait pauses 100 ms, doubling to 5 s, and ends at its timeout (the component
//! timeout, for drivers), so a stuck resource becomes an error instead of a hung apply.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::DriverError;

/// First pause: moto and fast AWS calls settle within a few hundred ms.
const FIRST_DELAY: Duration = Duration::from_millis(100);
/// Longest pause: slow convergence (CloudFront, Lambda updates) is still polled often
/// enough, without throttling.
const MAX_DELAY: Duration = Duration::from_secs(5);

/// The backoff and deadline of one wait, for loops that do more than [`until`] expresses.
/// A loop checks, then calls [`Waiter::pause`].
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

    /// Sleeps before the next check; an error once the deadline has passed.
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

/// Calls `check` until it returns `Some`, and returns that. Errors from `check` end the wait
/// at once.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T, DriverError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, DriverError>>,
{
    let mut waiter = Waiter::new(what, timeout);
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        waiter.pause().await?;
    }
}

/// Calls `find` (a lookup that answers `None` for a resource that does not exist) until the
/// resource is gone: how every delete makes sure a re-create will not collide with it.
pub async fn until_gone<T, F, Fut>(what: &str, timeout: Duration, mut find: F) -> Result<(), DriverError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, DriverError>>,
{
    let mut waiter = Waiter::new(what, timeout);
    while find().await?.is_some() {
        waiter.pause().await?;
    }
    Ok(())
}

/// Runs `op` again while it fails with an error `retryable` accepts; once `timeout` has
/// passed, or for any other error, the last error is returned as it is.
pub async fn retry_while<T, E, F, Fut, R>(timeout: Duration, retryable: R, mut op: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    R: Fn(&E) -> bool,
{
    let mut waiter = Waiter::new("a retryable error to clear", timeout);
    loop {
        match op().await {
            Ok(value) => return Ok(value),
            Err(err) => {
                if !retryable(&err) || waiter.pause().await.is_err() {
                    return Err(err);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

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

    #[tokio::test]
    async fn until_returns_the_first_some() {
        let calls = Cell::new(0);
        let got = until("three calls", Duration::from_secs(5), || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { Ok((n == 3).then_some(n)) }
        })
        .await;
        assert_eq!(got, Ok(3));
    }

    #[tokio::test]
    async fn until_times_out_with_what_it_waited_for() {
        let got: Result<(), _> = until("the role", Duration::from_millis(250), || async { Ok(None) }).await;
        let err = got.expect_err("never ready");
        assert!(err.message.contains("waiting for the role"), "{err}");
    }

    #[tokio::test]
    async fn until_gone_waits_for_none() {
        let calls = Cell::new(0);
        let got = until_gone("the queue to be deleted", Duration::from_secs(5), || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { Ok((n < 3).then_some(n)) }
        })
        .await;
        assert_eq!(got, Ok(()));
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test]
    async fn retry_while_retries_only_retryable_errors() {
        let calls = Cell::new(0);
        let got: Result<u32, &str> = retry_while(
            Duration::from_secs(5),
            |e: &&str| *e == "propagating",
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move { if n < 3 { Err("propagating") } else { Ok(n) } }
            },
        )
        .await;
        assert_eq!(got, Ok(3));

        let calls = Cell::new(0);
        let got: Result<u32, &str> = retry_while(
            Duration::from_secs(5),
            |e: &&str| *e == "propagating",
            || {
                calls.set(calls.get() + 1);
                async { Err("denied") }
            },
        )
        .await;
        assert_eq!(got, Err("denied"));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test]
    async fn retry_while_gives_up_at_the_timeout_with_the_last_error() {
        let got: Result<(), &str> = retry_while(Duration::from_millis(250), |_| true, || async { Err("busy") }).await;
        assert_eq!(got, Err("busy"));
    }
}
