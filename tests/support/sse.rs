//! A minimal server-sent-events client for tests: reads frames off a reqwest response. Every
//! `task` event of `/api/events` is checked against its schema (`TaskEventView`) as it is read.

use futures::StreamExt as _;

/// One frame: an event, or a heartbeat comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// An event with its id, type and data.
    Event {
        /// `id:`.
        id: Option<String>,
        /// `event:`.
        kind: Option<String>,
        /// `data:` lines joined.
        data: String,
    },
    /// A `:` comment (keep-alive).
    Comment,
}

/// An open event stream.
pub struct SseClient {
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
    /// The schema of this stream's `task` events, when it is the task event stream.
    task_schema: Option<&'static str>,
}

impl SseClient {
    /// Connects; panics unless the answer is 200 text/event-stream.
    pub async fn connect(http: &reqwest::Client, url: &str, token: &str, last_event_id: Option<&str>) -> SseClient {
        let mut req = http
            .get(url)
            .bearer_auth(token)
            .timeout(std::time::Duration::from_secs(3600));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = req.send().await.expect("connect SSE");
        assert_eq!(resp.status(), 200);
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(ct.starts_with("text/event-stream"), "{ct}");
        let task_schema = resp.url().path().ends_with("/api/events").then_some("TaskEventView");
        SseClient {
            stream: resp.bytes_stream().boxed(),
            buf: String::new(),
            task_schema,
        }
    }

    /// The next frame.
    pub async fn next(&mut self) -> Frame {
        loop {
            if let Some(pos) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..pos + 2).collect();
                let (mut id, mut kind, mut data, mut comment) = (None, None, Vec::new(), false);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        kind = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
                    } else if line.starts_with(':') {
                        comment = true;
                    }
                }
                if data.is_empty() && comment {
                    return Frame::Comment;
                }
                if !data.is_empty() || kind.is_some() {
                    if let (Some(schema), Some("task")) = (self.task_schema, kind.as_deref()) {
                        let value: serde_json::Value = serde_json::from_str(&data.join("\n")).expect("task event JSON");
                        if let Err(e) = crate::contract::contract().check_component(schema, &value) {
                            panic!("API contract violation in /api/events: {e}");
                        }
                    }
                    return Frame::Event {
                        id,
                        kind,
                        data: data.join("\n"),
                    };
                }
                continue;
            }
            let chunk = self.stream.next().await.expect("stream ended").expect("stream error");
            self.buf
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }

    /// The next event's data as JSON, skipping heartbeats.
    pub async fn next_event(&mut self) -> serde_json::Value {
        loop {
            if let Frame::Event { data, .. } = self.next().await {
                return serde_json::from_str(&data).expect("event JSON");
            }
        }
    }
}
