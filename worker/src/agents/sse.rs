//! A small server-sent-events decoder (the part of the SSE spec model servers use): events are
//! separated by a blank line, `data:` lines of one event are joined with `\n`, lines starting
//! with `:` are comments (keep-alives), `\r\n` and `\n` both end lines.

/// Feeds bytes in, takes complete events' data out.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: String,
    data: Vec<String>,
}

impl SseDecoder {
    /// Adds a chunk; returns the data of every event it completed.
    pub fn push(&mut self, chunk: &str) -> Vec<String> {
        self.buf.push_str(chunk);
        let mut out = Vec::new();
        while let Some(pos) = self.buf.find('\n') {
            let line: String = self.buf.drain(..=pos).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    out.push(self.data.join("\n"));
                    self.data.clear();
                }
            } else if let Some(rest) = line.strip_prefix("data:") {
                self.data.push(rest.strip_prefix(' ').unwrap_or(rest).to_owned());
            }
            // `:` comments, `event:`, `id:` and `retry:` lines carry nothing we use.
        }
        out
    }

    /// The last event when the stream ended without a blank line.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        for line in rest.lines() {
            if let Some(d) = line.strip_prefix("data:") {
                self.data.push(d.strip_prefix(' ').unwrap_or(d).to_owned());
            }
        }
        (!self.data.is_empty()).then(|| std::mem::take(&mut self.data).join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_events_across_chunks_and_ignores_comments() {
        let mut d = SseDecoder::default();
        assert!(d.push(": keep-alive\r\n\r\ndata: {\"a\"").is_empty());
        assert_eq!(
            d.push(":1}\r\n\r\ndata: x\ndata: y\n\ndata: [DONE]\n\n"),
            ["{\"a\":1}", "x\ny", "[DONE]"]
        );
        assert!(d.push("data: tail").is_empty());
        assert_eq!(d.finish().as_deref(), Some("tail"));
    }
}
