//! Webhook filters on an event's `data`, as the docs describe them:
//! `<field>_greater_than: N`, `<field>_less_than: N`, and `<field>: value` or
//! `<field>: [allowed, values]`. Every filter must pass. A field may be a
//! dotted path into nested objects (`account.industry`). A field that is
//! missing, or not a number where a comparison needs one, fails its filter.

use serde_json::{Map, Value};

const GREATER: &str = "_greater_than";
const LESS: &str = "_less_than";

/// Checks a webhook's `filters` when it is created or updated.
pub fn validate(filters: &Map<String, Value>) -> Result<(), String> {
    for (key, value) in filters {
        if key.is_empty() {
            return Err("filters: a filter needs a field name".into());
        }
        if let Some(field) = key.strip_suffix(GREATER).or_else(|| key.strip_suffix(LESS)) {
            if field.is_empty() {
                return Err(format!("filters: '{key}' needs a field name before the suffix"));
            }
            if !value.is_number() {
                return Err(format!("filters: '{key}' must be a number"));
            }
        } else {
            let scalar = |v: &Value| !v.is_object() && !v.is_array();
            let ok = match value {
                Value::Array(items) => !items.is_empty() && items.iter().all(scalar),
                other => scalar(other),
            };
            if !ok {
                return Err(format!(
                    "filters: '{key}' must be a value or a non-empty list of values (strings, numbers, booleans)"
                ));
            }
        }
    }
    Ok(())
}

/// True when `data` passes every filter.
pub fn matches(filters: &Map<String, Value>, data: &Value) -> bool {
    filters.iter().all(|(key, expected)| {
        if let Some(field) = key.strip_suffix(GREATER) {
            compare(data, field, expected, |a, b| a > b)
        } else if let Some(field) = key.strip_suffix(LESS) {
            compare(data, field, expected, |a, b| a < b)
        } else {
            match (lookup(data, key), expected) {
                (Some(actual), Value::Array(allowed)) => allowed.iter().any(|a| same(actual, a)),
                (Some(actual), one) => same(actual, one),
                (None, _) => false,
            }
        }
    })
}

fn lookup<'a>(data: &'a Value, path: &str) -> Option<&'a Value> {
    // A literal key with dots wins over the nested reading.
    if let Some(v) = data.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(data, |v, part| v.get(part))
}

fn compare(data: &Value, field: &str, bound: &Value, op: fn(f64, f64) -> bool) -> bool {
    match (lookup(data, field).and_then(Value::as_f64), bound.as_f64()) {
        (Some(actual), Some(bound)) => op(actual, bound),
        _ => false,
    }
}

/// JSON equality where numbers compare by value (100000 equals 100000.0).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_docs_example() {
        let filters = f(json!({"amount_greater_than": 50000, "stage": ["Negotiation", "Closed Won"]}));
        assert!(validate(&filters).is_ok());
        assert!(matches(&filters, &json!({"amount": 100000, "stage": "Closed Won"})));
        assert!(!matches(&filters, &json!({"amount": 50000, "stage": "Closed Won"})));
        assert!(!matches(&filters, &json!({"amount": 100000, "stage": "Prospecting"})));
        assert!(!matches(&filters, &json!({"stage": "Closed Won"})));
    }

    #[test]
    fn less_than_equality_and_paths() {
        let filters = f(json!({"amount_less_than": 10.5, "currency": "USD", "account.tier": 1}));
        assert!(matches(&filters, &json!({"amount": 10, "currency": "USD", "account": {"tier": 1.0}})));
        assert!(!matches(&filters, &json!({"amount": 11, "currency": "USD", "account": {"tier": 1}})));
        assert!(!matches(&filters, &json!({"amount": "5", "currency": "USD", "account": {"tier": 1}})));
        assert!(!matches(&filters, &json!({"amount": 5, "currency": "EUR", "account": {"tier": 1}})));
        assert!(matches(&Map::new(), &json!({})));
    }

    #[test]
    fn validation() {
        assert!(validate(&f(json!({"amount_greater_than": "big"}))).is_err());
        assert!(validate(&f(json!({"_less_than": 3}))).is_err());
        assert!(validate(&f(json!({"stage": []}))).is_err());
        assert!(validate(&f(json!({"stage": {"a": 1}}))).is_err());
        assert!(validate(&f(json!({"stage": [1, "x", true]}))).is_ok());
    }
}
