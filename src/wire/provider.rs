//! What the listener reads from a provider's delivery (`--scheme`): the
//! event name where that provider keeps it, and the id it deduplicates on.
//!
//! | scheme | event | id |
//! |---|---|---|
//! | `standard` | the body's `type` | `webhook-id` (or `svix-id`) |
//! | `github` | `X-GitHub-Event` | `X-GitHub-Delivery` |
//! | `stripe` | the body's `type` | the body's `id` |
//! | `shopify` | `X-Shopify-Topic` | `X-Shopify-Webhook-Id` |
//! | `slack` | the body's `event.type`, else its `type` | the body's `event_id` |
//!
//! An id that is absent is empty, and an empty id is never deduplicated.

use std::borrow::Cow;

use http::HeaderMap;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::delivery::{EventRef, ParseError, Parsed, classify, parse_delivery};
use crate::signature::{Scheme, standard};

/// Stripe's and Standard Webhooks' envelope. The `id` stays raw: Stripe's is
/// the event id (a string), Standard Webhooks' body may hold any `id` at all.
#[derive(Deserialize)]
struct Typed<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// Slack's Events API envelope.
#[derive(Deserialize)]
struct SlackBody<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    event_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct SlackInner<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn event<'a>(id: Option<Cow<'a, str>>, event: Cow<'a, str>, data: Option<&'a RawValue>) -> Parsed<'a> {
    Parsed::Single(EventRef { id: id.unwrap_or_default(), event, timestamp: None, data, changes: None })
}

/// Reads a delivery as `scheme`'s provider sends it (Scopien's own through [`parse_delivery`]).
pub fn parse_provider<'a>(
    scheme: Scheme,
    headers: &'a HeaderMap,
    body: &'a [u8],
) -> Result<Parsed<'a>, ParseError> {
    let not_json = || classify(body);
    let from_header = |name| header(headers, name).map(Cow::Borrowed);
    match scheme {
        Scheme::Scopien => parse_delivery(body),
        Scheme::Stripe | Scheme::Standard => {
            let t: Typed<'_> = serde_json::from_slice(body).map_err(|_| not_json())?;
            let id = if scheme == Scheme::Stripe {
                t.id.and_then(|raw| serde_json::from_str::<String>(raw.get()).ok()).map(Cow::Owned)
            } else {
                from_header(standard::ID).or_else(|| from_header(standard::SVIX[0]))
            };
            Ok(event(id, t.kind, t.data))
        }
        Scheme::Slack => {
            let s: SlackBody<'_> = serde_json::from_slice(body).map_err(|_| not_json())?;
            let inner = s.event.and_then(|e| serde_json::from_str::<SlackInner<'_>>(e.get()).ok());
            Ok(event(s.event_id, inner.map_or(s.kind, |i| i.kind), s.event))
        }
        Scheme::Github | Scheme::Shopify => {
            let (event_header, id_header) = match scheme {
                Scheme::Github => ("x-github-event", "x-github-delivery"),
                _ => ("x-shopify-topic", "x-shopify-webhook-id"),
            };
            let data: &RawValue = serde_json::from_slice(body).map_err(|_| ParseError::InvalidJson)?;
            let name = from_header(event_header).ok_or(ParseError::NotAnEvent)?;
            Ok(event(from_header(id_header), name, Some(data)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (http::HeaderName::from_static(k), http::HeaderValue::from_static(v)))
            .collect()
    }

    fn one<'a>(p: &'a Parsed<'a>) -> (&'a str, &'a str, Option<&'a str>) {
        let e = &p.events()[0];
        (e.id.as_ref(), e.event.as_ref(), e.data.map(RawValue::get))
    }

    #[test]
    fn stripe_and_standard_read_the_body_type() {
        let none = HeaderMap::new();
        let body =
            br#"{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1"}}}"#;
        let p = parse_provider(Scheme::Stripe, &none, body).unwrap();
        assert_eq!(one(&p), ("evt_1", "invoice.paid", Some(r#"{"object":{"id":"in_1"}}"#)));
        let h = headers(&[("webhook-id", "msg_1")]);
        let body = br#"{"id":7,"type":"user.created","timestamp":"2026-01-22T10:30:00Z","data":{"a":1}}"#;
        let p = parse_provider(Scheme::Standard, &h, body).unwrap();
        assert_eq!(one(&p), ("msg_1", "user.created", Some(r#"{"a":1}"#)));
        let svix = headers(&[("svix-id", "msg_2")]);
        let p = parse_provider(Scheme::Standard, &svix, body).unwrap();
        assert_eq!(one(&p).0, "msg_2");
        assert_eq!(
            parse_provider(Scheme::Stripe, &none, br#"{"id":"evt_1"}"#).unwrap_err(),
            ParseError::NotAnEvent
        );
        assert_eq!(parse_provider(Scheme::Stripe, &none, b"nope").unwrap_err(), ParseError::InvalidJson);
    }

    #[test]
    fn github_and_shopify_read_headers() {
        let h = headers(&[
            ("x-github-event", "push"),
            ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ]);
        let p = parse_provider(Scheme::Github, &h, br#"{"ref":"refs/heads/main"}"#).unwrap();
        assert_eq!(
            one(&p),
            ("72d3162e-cc78-11e3-81ab-4c9367dc0958", "push", Some(r#"{"ref":"refs/heads/main"}"#))
        );
        let h = headers(&[("x-shopify-topic", "orders/create")]);
        let p = parse_provider(Scheme::Shopify, &h, br#"{"id":820982911946154508}"#).unwrap();
        assert_eq!(one(&p).0, "");
        assert_eq!(one(&p).1, "orders/create");
        assert_eq!(
            parse_provider(Scheme::Github, &HeaderMap::new(), b"{}").unwrap_err(),
            ParseError::NotAnEvent
        );
        assert_eq!(parse_provider(Scheme::Github, &h, b"{").unwrap_err(), ParseError::InvalidJson);
    }

    #[test]
    fn slack_reads_the_inner_event_type() {
        let none = HeaderMap::new();
        let body =
            br#"{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"hi"}}"#;
        let p = parse_provider(Scheme::Slack, &none, body).unwrap();
        assert_eq!(one(&p), ("Ev1", "app_mention", Some(r#"{"type":"app_mention","text":"hi"}"#)));
        let p =
            parse_provider(Scheme::Slack, &none, br#"{"type":"url_verification","challenge":"x"}"#).unwrap();
        assert_eq!((one(&p).0, one(&p).1), ("", "url_verification"));
    }
}
