//! The operator API's contract, checked: whether a JSON body conforms to `openapi.json`
//! (every member documented, with the documented type; `$ref` and `allOf` followed), and
//! whether a body shows every member its schema documents. The unit tests check each
//! response type both ways with a fully populated sample; the HTTP tests check the
//! answers of the running routes.

use serde_json::Value;

pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            doc,
            &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        ),
        None => schema,
    }
}

/// The members a schema describes, with `allOf`'s parts merged; a member that several
/// parts describe must satisfy all of them.
pub fn properties(doc: &Value, schema: &Value) -> serde_json::Map<String, Value> {
    let schema = resolve(doc, schema);
    let mut parts: Vec<serde_json::Map<String, Value>> = schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|part| properties(doc, part))
        .collect();
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        parts.push(p.clone());
    }
    let mut out = serde_json::Map::new();
    for (k, v) in parts.into_iter().flatten() {
        let merged = match out.remove(&k) {
            Some(before) => serde_json::json!({ "allOf": [before, v] }),
            None => v,
        };
        out.insert(k, merged);
    }
    out
}

/// Where `value` departs from `schema` in the OpenAPI document: a member the schema does
/// not describe, or a value of another type. An empty answer means the value conforms.
pub fn departures(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(doc, schema);
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ if schema.get("allOf").is_some() => vec!["object"],
        _ => return Vec::new(),
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let number = actual == "integer" && types.contains(&"number");
    if !(types.contains(&actual) || number) {
        return vec![format!("{at} is {actual}, documented as {types:?}")];
    }
    let mut out = Vec::new();
    match value {
        Value::Object(obj) => {
            let props = properties(doc, schema);
            // An object documented without members is free-form.
            if !props.is_empty() {
                for (k, v) in obj {
                    match props.get(k) {
                        Some(sub) => out.extend(departures(doc, sub, v, &format!("{at}.{k}"))),
                        None => out.push(format!("{at}.{k} is not documented")),
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    out.extend(departures(doc, sub, v, &format!("{at}[{i}]")));
                }
            }
        }
        _ => {}
    }
    out
}

/// The documented members (at any depth) that `value` does not show: run on a sample with
/// every optional member filled, it finds documentation the type no longer backs.
pub fn missing(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    let props = properties(doc, schema);
    for (k, sub) in &props {
        match value.get(k) {
            None => out.push(format!("{at}.{k} is documented but not produced")),
            Some(v) => out.extend(missing(doc, sub, v, &format!("{at}.{k}"))),
        }
    }
    if let (Some(items), Value::Array(list)) = (resolve(doc, schema).get("items"), value)
        && let Some(first) = list.first()
    {
        out.extend(missing(doc, items, first, &format!("{at}[0]")));
    }
    out
}

/// For tests: asserts that a 2xx answer of `method path` conforms to the document's response schema.
pub fn assert_documented(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let schema = &doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"];
    assert!(
        !schema.is_null(),
        "openapi.json documents no {status} JSON answer for {method} {path}"
    );
    let found = departures(doc, schema, body, "$");
    assert!(found.is_empty(), "{method} {path}: {found:#?}");
}
