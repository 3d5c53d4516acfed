//! Reading the start of an answer's body. Callers keep a bounded prefix (a
//! report shows the first bytes, a delivery log stores 4 KiB, listen relays at
//! most 4 MiB) and either read the rest to keep the connection reusable or stop.

use std::pin::pin;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Body;

/// What to do with the body past the bytes kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rest {
    /// Read it to the end, counting it (the connection can then carry the next request).
    Drain,
    /// Stop reading once more than the kept bytes have come.
    Stop,
}

/// The start of a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// Its first bytes, up to the limit.
    pub body: Bytes,
    /// How many bytes were read (the whole length once it was read to the end).
    pub len: u64,
    /// Whether the body was read to its end.
    pub complete: bool,
}

/// A body that broke off while being read, and what had come of it.
#[derive(Debug)]
pub struct Cut<E> {
    /// What was read before it broke.
    pub captured: Captured,
    /// Why it broke.
    pub error: E,
}

/// Reads `body`, keeping its first `keep` bytes. A body that fits one frame is
/// kept without copying; `keep` 0 keeps nothing and allocates nothing.
pub async fn capture<B>(body: B, keep: usize, rest: Rest) -> Result<Captured, Cut<B::Error>>
where
    B: Body<Data = Bytes>,
{
    let mut body = pin!(body);
    let mut first = Bytes::new();
    // Only when the kept bytes span frames.
    let mut joined: Option<BytesMut> = None;
    let mut len = 0u64;
    let mut complete = true;
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
            Err(error) => {
                let captured = Captured { body: join(first, joined), len, complete: false };
                return Err(Cut { captured, error });
            }
        };
        let size = data.len();
        len += size as u64;
        let held = joined.as_ref().map_or(first.len(), BytesMut::len);
        let room = keep.saturating_sub(held);
        if room > 0 {
            let take = room.min(size);
            match &mut joined {
                // Moved, not sliced, when whole: no reference count to take.
                None if first.is_empty() && take == size => first = data,
                None if first.is_empty() => first = data.slice(..take),
                None => {
                    let mut both = BytesMut::with_capacity(first.len() + take);
                    both.extend_from_slice(&first);
                    both.extend_from_slice(&data[..take]);
                    joined = Some(both);
                }
                Some(both) => both.extend_from_slice(&data[..take]),
            }
        }
        if rest == Rest::Stop && len > keep as u64 {
            complete = false;
            break;
        }
    }
    Ok(Captured { body: join(first, joined), len, complete })
}

fn join(first: Bytes, joined: Option<BytesMut>) -> Bytes {
    joined.map_or(first, BytesMut::freeze)
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use hyper::body::Frame;

    use super::*;

    /// A body that yields the given frames, then ends.
    struct Frames(VecDeque<Result<Bytes, io::Error>>);

    impl Frames {
        fn of(parts: &[&'static str]) -> Frames {
            Frames(parts.iter().map(|p| Ok(Bytes::from_static(p.as_bytes()))).collect())
        }
    }

    impl Body for Frames {
        type Data = Bytes;
        type Error = io::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
            Poll::Ready(self.0.pop_front().map(|r| r.map(Frame::data)))
        }
    }

    async fn read(body: &mut Frames, keep: usize, rest: Rest) -> Captured {
        capture(body, keep, rest).await.expect("the body reads")
    }

    #[tokio::test]
    async fn keeps_the_first_bytes_and_counts_them_all() {
        let got = read(&mut Frames::of(&["hello ", "world", "!"]), 8, Rest::Drain).await;
        assert_eq!(got, Captured { body: Bytes::from_static(b"hello wo"), len: 12, complete: true });
        let got = read(&mut Frames::of(&["hello ", "world"]), 0, Rest::Drain).await;
        assert_eq!((got.body.len(), got.len, got.complete), (0, 11, true));
        let got = read(&mut Frames::of(&["ab", "cd"]), 100, Rest::Drain).await;
        assert_eq!(got.body, "abcd");
        let got = read(&mut Frames::of(&[]), 10, Rest::Drain).await;
        assert_eq!(got, Captured { body: Bytes::new(), len: 0, complete: true });
    }

    #[tokio::test]
    async fn a_whole_single_frame_is_kept_without_copying() {
        let frame = Bytes::from(vec![b'x'; 64]);
        let mut body = Frames(VecDeque::from([Ok(frame.clone())]));
        let got = read(&mut body, 64, Rest::Drain).await;
        assert_eq!(got.body.as_ptr(), frame.as_ptr());
    }

    #[tokio::test]
    async fn stop_leaves_the_rest_unread() {
        let mut body = Frames::of(&["ab", "cd", "ef", "gh"]);
        let got = read(&mut body, 4, Rest::Stop).await;
        assert_eq!(got, Captured { body: Bytes::from_static(b"abcd"), len: 6, complete: false });
        assert_eq!(body.0.len(), 1, "the last frame was never asked for");
        // Exactly the limit is a whole body.
        let got = read(&mut Frames::of(&["ab", "cd"]), 4, Rest::Stop).await;
        assert_eq!((got.body.len(), got.complete), (4, true));
    }

    #[tokio::test]
    async fn a_body_that_breaks_keeps_what_came() {
        let mut body = Frames::of(&["ab", "cd"]);
        body.0.push_back(Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset")));
        body.0.push_back(Ok(Bytes::from_static(b"never")));
        let cut = capture(&mut body, 3, Rest::Drain).await.expect_err("the body broke");
        assert_eq!(cut.captured, Captured { body: Bytes::from_static(b"abc"), len: 4, complete: false });
        assert_eq!(cut.error.kind(), io::ErrorKind::ConnectionReset);
    }
}
