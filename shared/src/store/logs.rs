//! Archived execution logs (`execution_logs`): every line an attempt printed, up to a limit,
//! stored gzip-compressed when the attempt ends and served by the API afterwards.

use std::io::{Read as _, Write as _};

use anyhow::Context as _;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::domain::{Attempt, TaskId};

use super::Store;

/// Collects an attempt's lines, compressing as it goes; keeps the first `limit` bytes.
pub struct LogArchive {
    gz: GzEncoder<Vec<u8>>,
    bytes: u64,
    lines: u64,
    limit: u64,
    truncated: bool,
}

impl LogArchive {
    /// An empty archive keeping up to `limit` uncompressed bytes.
    pub fn new(limit: usize) -> LogArchive {
        LogArchive {
            gz: GzEncoder::new(Vec::new(), Compression::fast()),
            bytes: 0,
            lines: 0,
            limit: limit as u64,
            truncated: false,
        }
    }

    /// Adds one line.
    pub fn push(&mut self, line: &str) {
        let len = line.len() as u64 + 1;
        if self.bytes + len > self.limit {
            self.truncated = true;
            return;
        }
        // Writing into a Vec cannot fail.
        let _ = self.gz.write_all(line.as_bytes());
        let _ = self.gz.write_all(b"\n");
        self.bytes += len;
        self.lines += 1;
    }

    /// Whether nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.lines == 0 && !self.truncated
    }
}

impl Store {
    /// Stores an attempt's log (a rerun of the same write replaces it).
    pub async fn save_log(&self, task: TaskId, attempt: Attempt, log: LogArchive) -> anyhow::Result<()> {
        let (bytes, lines, truncated) = (log.bytes, log.lines, log.truncated);
        let gz = log.gz.finish().context("compressing the log")?;
        sqlx::query(
            "INSERT INTO execution_logs (task_id, attempt, gz, bytes, lines, truncated) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (task_id, attempt) DO UPDATE SET gz = excluded.gz, bytes = excluded.bytes, \
               lines = excluded.lines, truncated = excluded.truncated",
        )
        .bind(task.as_uuid())
        .bind(attempt.0)
        .bind(gz)
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .bind(i64::try_from(lines).unwrap_or(i64::MAX))
        .bind(truncated)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An attempt's archived log, decompressed, with whether it was cut at the limit.
    pub async fn load_log(&self, task: TaskId, attempt: Attempt) -> anyhow::Result<Option<(String, bool)>> {
        let row: Option<(Vec<u8>, bool)> =
            sqlx::query_as("SELECT gz, truncated FROM execution_logs WHERE task_id = $1 AND attempt = $2")
                .bind(task.as_uuid())
                .bind(attempt.0)
                .fetch_optional(&self.pool)
                .await?;
        let Some((gz, truncated)) = row else {
            return Ok(None);
        };
        let mut text = String::new();
        GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .context("decompressing the archived log")?;
        Ok(Some((text, truncated)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_keeps_whole_lines_up_to_the_limit() {
        let mut a = LogArchive::new(11);
        a.push("12345");
        a.push("6789");
        a.push("x");
        assert_eq!((a.lines, a.bytes, a.truncated), (2, 11, true));
        let gz = a.gz.finish().unwrap_or_default();
        let mut text = String::new();
        GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .unwrap_or_default();
        assert_eq!(text, "12345\n6789\n");
    }
}
