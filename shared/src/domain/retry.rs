//! Retry policy: how long to wait before the next attempt, and reading `Retry-After`.
//!
//! Backoff is exponential with full jitter (AWS architecture blog's "full jitter"): the delay is
//! uniform in `[0, min(cap, base * 2^n)]`, which spreads retries of many tasks apart. A
//! `Retry-After` from a rate-limited service is a floor, never reduced by jitter; a little jitter
//! is added on top so a fleet that hit the same limit does not wake in lockstep.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Delay scale of the first retry.
    pub base: Duration,
    /// Largest delay.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// Delay before retry number `retry` (1-based), given a uniform sample `unit` in `[0, 1)`.
    /// The sample is an argument so the policy is deterministic under test.
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX));
        let ceiling = exp.min(self.cap);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Delay to honour after a rate-limited attempt: the server's reset time as a floor, plus up to
/// `jitter` on top (never subtracted), clamped to `max`.
pub fn rate_limit_delay(retry_after: Duration, jitter: Duration, unit: f64, max: Duration) -> Duration {
    retry_after
        .saturating_add(jitter.mul_f64(unit.clamp(0.0, 1.0)))
        .min(max)
}

const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Reads an HTTP `Retry-After` value: delay-seconds (floats tolerated) or an HTTP-date
/// (IMF-fixdate, RFC 850 or asctime). Negative or past values become zero; garbage is `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(secs) = v.parse::<f64>() {
        // Absurd values (1e20) must not panic: clamp to a century; callers cap further.
        return secs.is_finite().then(|| {
            Duration::try_from_secs_f64(secs.max(0.0))
                .unwrap_or(CENTURY)
                .min(CENTURY)
        });
    }
    let when = DateTime::parse_from_rfc2822(v)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%A, %d-%b-%y %H:%M:%S GMT").map(|n| n.and_utc()))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%a %b %e %H:%M:%S %Y").map(|n| n.and_utc()))
        .ok()?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// Reads the non-standard `retry-after-ms` header (float milliseconds).
pub fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    let ms = value.trim().parse::<f64>().ok()?;
    ms.is_finite().then(|| {
        Duration::try_from_secs_f64(ms.max(0.0) / 1000.0)
            .unwrap_or(CENTURY)
            .min(CENTURY)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps_and_jitters_below_the_ceiling() {
        let b = Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(10),
        };
        assert_eq!(b.delay(1, 0.999_999).as_secs(), 0);
        assert_eq!(b.delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(10, 1.0), Duration::from_secs(10));
        assert_eq!(b.delay(200, 1.0), Duration::from_secs(10));
        assert_eq!(b.delay(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_accepts_both_forms() {
        let now = DateTime::parse_from_rfc3339("1994-11-06T08:49:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("-3", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 1994", now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after_ms("250.5"), Some(Duration::from_micros(250_500)));
        assert_eq!(parse_retry_after("1e20", now), Some(CENTURY));
        assert_eq!(parse_retry_after_ms("1e30"), Some(CENTURY));
    }

    #[test]
    fn rate_limit_delay_never_goes_below_retry_after() {
        let d = rate_limit_delay(
            Duration::from_secs(60),
            Duration::from_secs(5),
            0.5,
            Duration::from_secs(3600),
        );
        assert_eq!(d, Duration::from_millis(62_500));
        let d = rate_limit_delay(
            Duration::from_secs(9000),
            Duration::ZERO,
            0.0,
            Duration::from_secs(3600),
        );
        assert_eq!(d, Duration::from_secs(3600));
    }
}
