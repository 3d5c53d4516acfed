//! The inspector's page: one HTML document with its styles and script inside
//! it (`page/index.html`, `page/style.css`, `page/app.js`, built into the
//! binary), which loads nothing from anywhere. What the script needs to know
//! about this listener (never a secret) is written into it once, at start.

use serde_json::json;

use crate::listen::options::Options;

const HTML: &str = include_str!("page/index.html");
const CSS: &str = include_str!("page/style.css");
const JS: &str = include_str!("page/app.js");

/// The page for this listener, served as is for every `GET /`.
pub fn render(opts: &Options, listen_url: &str) -> String {
    let config = json!({
        "listen_url": listen_url,
        "forward_to": opts.forward_to.as_ref().map(|t| t.url.to_string()),
        "routes": opts.routes.iter().map(|r| json!({"pattern": r.pattern, "url": r.target.url.to_string()})).collect::<Vec<_>>(),
        "can_resign": opts.inspect.as_ref().is_some_and(|i| i.signer.is_some()),
        "events": crate::catalog::EVENTS.iter().map(|e| e.name).collect::<Vec<_>>(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    // Inside <script>, "</" could end the element early.
    let config = config.to_string().replace("</", "<\\/");
    HTML.replacen("/*STYLE*/", CSS, 1).replacen("/*CONFIG*/", &config, 1).replacen("/*SCRIPT*/", JS, 1)
}
