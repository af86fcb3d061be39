//! Bounded waiting for the compute drivers (IAM, Lambda, Cognito): polling until AWS
//! reports a usable state, and retrying the few errors that clear by themselves (IAM
//! propagation). Every loop ends at the component timeout, so a stuck resource becomes an
//! error instead of a hung apply.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::aws::DriverError;

/// First pause between polls: moto and fast AWS calls settle within a few hundred ms.
const FIRST_DELAY: Duration = Duration::from_millis(100);
/// Longest pause: keeps slow convergence (Lambda updates, IAM) polled without throttling.
const MAX_DELAY: Duration = Duration::from_secs(5);

fn next_delay(delay: Duration) -> Duration {
    (delay * 2).min(MAX_DELAY)
}

/// Calls `check` until it returns `Some`, pausing longer each time; fails after `timeout`
/// with a message naming `what` was awaited. Errors from `check` end the wait at once.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T, DriverError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, DriverError>>,
{
    let deadline = Instant::now() + timeout;
    let mut delay = FIRST_DELAY;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(DriverError::new(format!(
                "timed out after {} s waiting for {what}",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = next_delay(delay);
    }
}

/// Runs `op` again while it fails with an error `retryable` accepts, pausing longer each
/// time, until `timeout`; then the last error is returned as it is.
pub async fn retry_while<T, E, F, Fut, R>(timeout: Duration, retryable: R, mut op: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    R: Fn(&E) -> bool,
{
    let deadline = Instant::now() + timeout;
    let mut delay = FIRST_DELAY;
    loop {
        match op().await {
            Ok(value) => return Ok(value),
            Err(err) => {
                let now = Instant::now();
                if now >= deadline || !retryable(&err) {
                    return Err(err);
                }
                tokio::time::sleep(delay.min(deadline - now)).await;
                delay = next_delay(delay);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

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
}
