//! CBOR (RFC 8949) as Smithy's RPC v2 CBOR protocol uses it, read into and written from
//! JSON values, so an operation's shapes are written once (as serde types over JSON) and
//! served in both protocols. Timestamps are tag 1 (epoch seconds) in CBOR and plain
//! numbers in JSON; the writer is told which members are timestamps.
//!
//! The reader takes everything a client may send (definite and indefinite lengths, every
//! integer and float width, tags) and refuses with an error, never a panic: nesting is
//! bounded, and a declared length longer than the bytes left is refused before anything
//! is allocated for it.

use base64::Engine;
use serde_json::{Map, Number, Value};

/// The deepest nesting a request may have.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CborError(pub String);

impl std::fmt::Display for CborError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(what: impl Into<String>) -> Result<T, CborError> {
    Err(CborError(what.into()))
}

/// Reads one CBOR data item that fills `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut r = Reader { bytes, at: 0 };
    let v = r
        .item(0)?
        .ok_or_else(|| CborError("unexpected break".into()))?;
    if r.at != bytes.len() {
        return err(format!("{} bytes after the data item", bytes.len() - r.at));
    }
    Ok(v)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CborError> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| CborError("the data ends early".into()))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&[u8], CborError> {
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return err(format!("a length of {n} with {left} bytes left"));
        }
        let s = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(s)
    }

    /// The argument of an initial byte's additional information; `None` for indefinite.
    fn argument(&mut self, info: u8) -> Result<Option<u64>, CborError> {
        let n = match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes([self.byte()?, self.byte()?])),
            26 => {
                let b = self.take(4)?;
                u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            }
            27 => {
                let b = self.take(8)?;
                u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
            }
            31 => return Ok(None),
            _ => return err(format!("reserved additional information {info}")),
        };
        Ok(Some(n))
    }

    /// A string's bytes, its chunks joined when indefinite.
    fn string(&mut self, major: u8, info: u8) -> Result<Vec<u8>, CborError> {
        match self.argument(info)? {
            Some(n) => Ok(self.take(n)?.to_vec()),
            None => {
                let mut out = Vec::new();
                loop {
                    let b = self.byte()?;
                    if b == 0xff {
                        return Ok(out);
                    }
                    if b >> 5 != major {
                        return err("an indefinite string holds a chunk of another type");
                    }
                    let n = self
                        .argument(b & 0x1f)?
                        .ok_or_else(|| CborError("a nested indefinite string".into()))?;
                    out.extend_from_slice(self.take(n)?);
                }
            }
        }
    }

    /// The next item; `None` for a break (the end of an indefinite container).
    fn item(&mut self, depth: usize) -> Result<Option<Value>, CborError> {
        if depth > MAX_DEPTH {
            return err(format!("nested deeper than {MAX_DEPTH}"));
        }
        let b = self.byte()?;
        let (major, info) = (b >> 5, b & 0x1f);
        let v = match major {
            0 => Value::from(
                self.argument(info)?
                    .ok_or_else(|| CborError("indefinite integer".into()))?,
            ),
            1 => {
                let n = self
                    .argument(info)?
                    .ok_or_else(|| CborError("indefinite integer".into()))?;
                if n > i64::MAX as u64 {
                    return err("a negative integer out of range");
                }
                Value::from(-1 - n as i64)
            }
            2 => Value::String(
                base64::engine::general_purpose::STANDARD.encode(self.string(2, info)?),
            ),
            3 => Value::String(
                String::from_utf8(self.string(3, info)?)
                    .map_err(|_| CborError("a text string is not UTF-8".into()))?,
            ),
            4 => {
                let mut out = Vec::new();
                match self.argument(info)? {
                    Some(n) => {
                        // Each element takes at least a byte.
                        if n > (self.bytes.len() - self.at) as u64 {
                            return err(format!("an array of {n} with fewer bytes left"));
                        }
                        for _ in 0..n {
                            out.push(
                                self.item(depth + 1)?
                                    .ok_or_else(|| CborError("unexpected break".into()))?,
                            );
                        }
                    }
                    None => {
                        while let Some(v) = self.item(depth + 1)? {
                            out.push(v);
                        }
                    }
                }
                Value::Array(out)
            }
            5 => {
                let mut out = Map::new();
                let mut entry = |r: &mut Self, key: Value| -> Result<(), CborError> {
                    let Value::String(k) = key else {
                        return err("a map key is not text");
                    };
                    let v = r
                        .item(depth + 1)?
                        .ok_or_else(|| CborError("a key without a value".into()))?;
                    out.insert(k, v);
                    Ok(())
                };
                match self.argument(info)? {
                    Some(n) => {
                        if n.saturating_mul(2) > (self.bytes.len() - self.at) as u64 {
                            return err(format!("a map of {n} with fewer bytes left"));
                        }
                        for _ in 0..n {
                            let k = self
                                .item(depth + 1)?
                                .ok_or_else(|| CborError("unexpected break".into()))?;
                            entry(self, k)?;
                        }
                    }
                    None => {
                        while let Some(k) = self.item(depth + 1)? {
                            entry(self, k)?;
                        }
                    }
                }
                Value::Object(out)
            }
            6 => {
                // Tag 1 (epoch seconds) and any other tag: the tagged value.
                self.argument(info)?
                    .ok_or_else(|| CborError("indefinite tag".into()))?;
                self.item(depth + 1)?
                    .ok_or_else(|| CborError("a tag without a value".into()))?
            }
            _ => match info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 | 23 => Value::Null,
                25 => float(half(u16::from_be_bytes([self.byte()?, self.byte()?])))?,
                26 => {
                    let b = self.take(4)?;
                    float(f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]])))?
                }
                27 => {
                    let b = self.take(8)?;
                    float(f64::from_be_bytes([
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                    ]))?
                }
                31 => return Ok(None),
                _ => return err(format!("simple value {info} is not used here")),
            },
        };
        Ok(Some(v))
    }
}

fn float(f: f64) -> Result<Value, CborError> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| CborError("a number that is not finite".into()))
}

/// IEEE 754 half precision.
fn half(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

/// Writes `v` as CBOR; members for which `is_time` holds are written as tag 1 (epoch
/// seconds).
pub fn encode(v: &Value, is_time: &dyn Fn(&str) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, v, false, is_time);
    out
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

fn write(out: &mut Vec<u8>, v: &Value, time: bool, is_time: &dyn Fn(&str) -> bool) {
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Number(n) => {
            if time {
                head(out, 6, 1);
            }
            if let Some(u) = n.as_u64() {
                head(out, 0, u);
            } else if let Some(i) = n.as_i64() {
                head(out, 1, (-1 - i) as u64);
            } else {
                out.push(0xfb);
                out.extend_from_slice(&n.as_f64().unwrap_or_default().to_be_bytes());
            }
        }
        Value::String(s) => {
            head(out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            head(out, 4, items.len() as u64);
            for i in items {
                write(out, i, time, is_time);
            }
        }
        Value::Object(map) => {
            head(out, 5, map.len() as u64);
            for (k, v) in map {
                head(out, 3, k.len() as u64);
                out.extend_from_slice(k.as_bytes());
                write(out, v, is_time(k), is_time);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc_8949_examples_read() {
        let cases: &[(&[u8], Value)] = &[
            (&[0x00], json!(0)),
            (&[0x18, 0x64], json!(100)),
            (&[0x3a, 0x00, 0x0f, 0x42, 0x3f], json!(-1_000_000)),
            (&[0xf9, 0x3c, 0x00], json!(1.0)),
            (&[0xfa, 0x47, 0xc3, 0x50, 0x00], json!(100000.0)),
            (
                &[0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
                json!(1.1),
            ),
            (&[0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0], json!(1363896240)),
            (&[0x64, 0x49, 0x45, 0x54, 0x46], json!("IETF")),
            (
                &[
                    0x7f, 0x65, 0x73, 0x74, 0x72, 0x65, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0x67, 0xff,
                ],
                json!("streaming"),
            ),
            (&[0x9f, 0x01, 0x82, 0x02, 0x03, 0xff], json!([1, [2, 3]])),
            (
                &[
                    0xbf, 0x61, 0x61, 0x01, 0x61, 0x62, 0x9f, 0x02, 0x03, 0xff, 0xff,
                ],
                json!({"a": 1, "b": [2, 3]}),
            ),
            (
                &[0xa2, 0x61, 0x61, 0xf5, 0x61, 0x62, 0xf6],
                json!({"a": true, "b": null}),
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(&decode(bytes).unwrap(), want, "{bytes:02x?}");
        }
    }

    #[test]
    fn bad_input_is_refused_not_panicked_on() {
        for bad in [
            &[][..],
            &[0x1c],
            &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0xa1, 0x01, 0x02],
            &[0x62, 0xff, 0xfe],
            &[0xff],
            &[0x00, 0x00],
            &[0x7f, 0x41, 0x00, 0xff],
            &[0xf9, 0x7c, 0x00],
        ] {
            assert!(decode(bad).is_err(), "{bad:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n(0x81, 100).chain([0x00]).collect();
        assert!(decode(&deep).is_err());
    }

    #[test]
    fn values_round_trip_with_timestamps_tagged() {
        let v = json!({"events": [{"arn": "a", "startTime": 1589077890.53, "count": 3, "n": -2}], "ok": false});
        let bytes = encode(&v, &|k| k == "startTime");
        assert!(bytes.windows(2).any(|w| w == [0xc1, 0xfb]));
        assert_eq!(decode(&bytes).unwrap(), v);
    }
}
