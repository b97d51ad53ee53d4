//! Request body limit. poem's `SizeLimit` insists on `Content-Length` for every request
//! (GETs included); this one trusts a declared length when present (hyper refuses a body longer
//! than it declares, over HTTP/1.1 and HTTP/2 alike) and otherwise — HTTP/1.1 chunked, or an
//! HTTP/2 stream without `content-length`, which carries no `Transfer-Encoding` header — reads
//! at most the limit from the stream, answering 413 as soon as it is passed, so memory stays
//! bounded by the limit whatever the client sends.

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};
use tokio::io::AsyncReadExt as _;

/// Rejects bodies over `max` bytes with 413.
pub async fn limit_body<E: Endpoint>(ep: &E, mut req: Request, max: usize) -> poem::Result<Response> {
    let too_large = || {
        poem::Error::from_string(
            format!("request body exceeds {max} bytes"),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > max as u64 => return Err(too_large()),
        Some(_) => {}
        None => {
            let mut buf = Vec::new();
            let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
            req.take_body()
                .into_async_read()
                .take(limit)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| poem::Error::from_string(format!("reading body: {e}"), StatusCode::BAD_REQUEST))?;
            if buf.len() > max {
                return Err(too_large());
            }
            req.set_body(buf);
        }
    }
    Ok(ep.call(req).await?.into_response())
}
