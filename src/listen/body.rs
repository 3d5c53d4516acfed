//! Reads a request body without ever holding more than `--max-body` of it.
//! A declared `Content-Length` over the limit is refused before reading; a body
//! that grows past it while arriving is refused as soon as it does. Either way
//! the rest is read and thrown away (bounded) so the sender sees the 413 rather
//! than a reset connection.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Body;

use crate::server::RequestBody;

/// How much of an oversized body is read and discarded so the 413 reaches the sender.
const DRAIN_MAX: u64 = 16 << 20;
/// How long draining may take.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Why no body came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Over the limit. `drained` says whether the connection can be kept.
    TooLarge {
        /// The declared or observed size so far.
        seen: u64,
        /// Whether the rest was read, so the connection can stay open.
        drained: bool,
    },
    /// The connection ended before the body did.
    Incomplete {
        /// Bytes received before it ended.
        got: u64,
    },
}

/// Reads the whole body if it fits in `max` bytes. `expects_continue` means the
/// sender waits for `100 Continue` before sending: an oversized body is then
/// refused without reading any of it.
pub async fn read(mut body: RequestBody, max: u64, expects_continue: bool) -> Result<Bytes, BodyError> {
    let declared = body.size_hint().exact();
    if let Some(len) = declared
        && super::classify::size(len, max).is_err()
    {
        let drained = !expects_continue && len <= DRAIN_MAX && drain(&mut body, len).await;
        return Err(BodyError::TooLarge { seen: len, drained });
    }
    let mut first: Option<Bytes> = None;
    let mut buf: Option<BytesMut> = None;
    let mut got: u64 = 0;
    loop {
        let frame = match body.frame().await {
            None => break,
            Some(Ok(f)) => f,
            Some(Err(_)) => return Err(BodyError::Incomplete { got }),
        };
        let Ok(data) = frame.into_data() else { continue };
        got += data.len() as u64;
        if super::classify::size(got, max).is_err() {
            let drained = drain(&mut body, DRAIN_MAX.saturating_sub(got)).await;
            return Err(BodyError::TooLarge { seen: got, drained });
        }
        // The usual case is one frame holding the whole body: keep it without copying.
        match (&mut first, &mut buf) {
            (None, None) => first = Some(data),
            (Some(f), None) => {
                let cap = declared.unwrap_or(got).min(max) as usize;
                let mut b = BytesMut::with_capacity(cap.max(f.len() + data.len()));
                b.extend_from_slice(f);
                b.extend_from_slice(&data);
                first = None;
                buf = Some(b);
            }
            (_, Some(b)) => b.extend_from_slice(&data),
        }
    }
    Ok(match (first, buf) {
        (_, Some(b)) => b.freeze(),
        (Some(f), None) => f,
        (None, None) => Bytes::new(),
    })
}

/// Reads and throws away a body the answer does not depend on (404, 405), so
/// the connection can be kept; false when more than `max` bytes came.
pub async fn discard(mut body: RequestBody, max: u64) -> bool {
    if body.is_end_stream() {
        return true;
    }
    drain(&mut body, max.min(DRAIN_MAX)).await
}

/// Reads and discards up to `limit` more bytes within [`DRAIN_TIME`]; true when the body ended.
async fn drain(body: &mut RequestBody, limit: u64) -> bool {
    let work = async {
        let mut left = limit;
        loop {
            match body.frame().await {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(f)) => {
                    let n = f.data_ref().map_or(0, |d| d.len() as u64);
                    if n > left {
                        return false;
                    }
                    left -= n;
                }
            }
        }
    };
    tokio::time::timeout(DRAIN_TIME, work).await.unwrap_or(false)
}
