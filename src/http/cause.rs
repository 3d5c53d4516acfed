//! Reading an error's chain of causes. Client errors wrap the reason several
//! layers deep ("error sending request" → "client error (Connect)" → "tcp connect
//! error" → the OS's "Connection refused (os error 111)"); what a person needs is
//! the innermost one, tidied to sit in the middle of a sentence.

use std::error::Error as StdError;

use crate::error::without_os_code;

/// The error and each of its causes, outermost first.
pub fn chain<'a>(e: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&cur| cur.source())
}

/// The first error of type `T` in the chain.
pub fn find<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(e).find_map(|cur| cur.downcast_ref::<T>())
}

/// The innermost cause's message, tidied: the OS's " (os error N)" dropped and a
/// capitalised first word lowercased ("connection refused"), while names such as
/// rustls's `UnknownIssuer` keep their case.
pub fn innermost(e: &(dyn StdError + 'static)) -> String {
    let last = chain(e).last().unwrap_or(e);
    tidy(&last.to_string())
}

/// An OS error's text without " (os error N)", in lowercase as it starts.
fn tidy(text: &str) -> String {
    let text = without_os_code(text);
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text[first.len_utf8()..].chars()).collect()
        }
        (None, _) => "unknown error".into(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;
    use std::io;

    /// An error wrapping another, as client libraries nest them.
    #[derive(Debug)]
    struct Wrap(&'static str, Box<dyn StdError + 'static>);

    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&*self.1)
        }
    }

    #[test]
    fn innermost_cause_with_os_text_tidied() {
        let os = io::Error::new(io::ErrorKind::ConnectionRefused, "Connection refused (os error 111)");
        let e = Wrap("error sending request", Box::new(Wrap("tcp connect error", Box::new(os))));
        assert_eq!(innermost(&e), "connection refused");
        assert_eq!(chain(&e).count(), 3);
        assert_eq!(find::<io::Error>(&e).map(io::Error::kind), Some(io::ErrorKind::ConnectionRefused));
        assert!(find::<fmt::Error>(&e).is_none());
    }

    #[test]
    fn names_keep_their_case() {
        for (given, tidied) in [
            ("invalid peer certificate: UnknownIssuer", "invalid peer certificate: UnknownIssuer"),
            ("TLS handshake eof", "TLS handshake eof"),
            ("Connection reset by peer (os error 104)", "connection reset by peer"),
            ("dns error", "dns error"),
            ("", "unknown error"),
        ] {
            assert_eq!(tidy(given), tidied);
        }
        let alone = io::Error::other("Broken pipe");
        assert_eq!(innermost(&alone), "broken pipe");
    }
}
