//! Delivering one Web Push message: the RFC 8030 request and what the push service's answer
//! means for the caller (delivered, delete the subscription, retry later, or give up). The
//! cryptography lives in `shared::push`.
//!
//! Endpoint URLs are bearer capabilities, so errors name only their origin.

use std::time::Duration;

use anyhow::{Context, ensure};
pub use shared::push::*;

/// Wait after a 429 or 5xx that named no `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(10);
const MAX_ERROR_BODY_CHARS: usize = 512;

/// What the push service's answer means for the subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted (201): the push service will deliver it.
    Delivered,
    /// 404 or 410: the subscription expired or the user unsubscribed; delete it.
    Gone,
    /// 429 or 5xx: try again after this long (`Retry-After` when given, else
    /// [`DEFAULT_RETRY_AFTER`]).
    RetryAfter(Duration),
    /// Any other answer (400, 401/403 VAPID trouble, 413 too large, ...): retrying the same
    /// request will not help. Status and the start of the response body.
    Rejected(u16, String),
}

/// Sends one encrypted message (from [`encrypt`]) to a subscription's endpoint with the
/// `Authorization` value from [`vapid_header`]. Transport failures are errors; every HTTP answer
/// is a [`SendOutcome`]. The client's timeouts apply.
pub async fn send(
    http: &reqwest::Client,
    endpoint: &str,
    body: Vec<u8>,
    msg: &PushMessage,
    vapid: &str,
) -> anyhow::Result<SendOutcome> {
    let origin = origin(endpoint)?;
    let mut req = http
        .post(endpoint)
        .header("TTL", msg.ttl_secs.to_string())
        .header("Urgency", msg.urgency.as_str())
        .header(reqwest::header::CONTENT_ENCODING, "aes128gcm")
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .header(reqwest::header::AUTHORIZATION, vapid)
        .body(body);
    if let Some(topic) = &msg.topic {
        // A malformed Topic earns a 400 from the push service; catch it here where it is a bug.
        ensure!(is_valid_topic(topic), "push Topic must be 1 to 32 base64url characters");
        req = req.header("Topic", topic);
    }
    let resp = req.send().await.with_context(|| format!("push to {origin}"))?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = if resp.status().is_client_error() && !matches!(status, 404 | 410 | 429) {
        resp.text().await.unwrap_or_default()
    } else {
        String::new()
    };
    Ok(classify(status, retry_after.as_deref(), &text, chrono::Utc::now()))
}

fn classify(status: u16, retry_after: Option<&str>, body: &str, now: chrono::DateTime<chrono::Utc>) -> SendOutcome {
    match status {
        200..=299 => SendOutcome::Delivered,
        404 | 410 => SendOutcome::Gone,
        429 | 500..=599 => SendOutcome::RetryAfter(
            retry_after
                .and_then(|v| shared::domain::retry::parse_retry_after(v, now))
                .unwrap_or(DEFAULT_RETRY_AFTER),
        ),
        _ => SendOutcome::Rejected(status, body.chars().take(MAX_ERROR_BODY_CHARS).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_sorted_into_what_to_do_next() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(classify(201, None, "", now), SendOutcome::Delivered);
        assert_eq!(classify(404, None, "", now), SendOutcome::Gone);
        assert_eq!(classify(410, None, "", now), SendOutcome::Gone);
        assert_eq!(
            classify(429, Some("3"), "", now),
            SendOutcome::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            classify(503, Some("Wed, 21 Oct 2015 07:30:00 GMT"), "", now),
            SendOutcome::RetryAfter(Duration::from_secs(120))
        );
        assert_eq!(
            classify(500, None, "", now),
            SendOutcome::RetryAfter(DEFAULT_RETRY_AFTER)
        );
        assert_eq!(
            classify(429, Some("soon"), "", now),
            SendOutcome::RetryAfter(DEFAULT_RETRY_AFTER)
        );
        assert_eq!(
            classify(400, None, "bad", now),
            SendOutcome::Rejected(400, "bad".into())
        );
        let long = "é".repeat(2000);
        match classify(413, None, &long, now) {
            SendOutcome::Rejected(413, b) => assert_eq!(b.chars().count(), MAX_ERROR_BODY_CHARS),
            other => panic!("{other:?}"),
        }
    }
}
