//! MessagePack, the encoding of every `DynamicValue` Terraform sends and receives.
//!
//! The layout follows the type: objects and maps are msgpack maps keyed by name, lists,
//! sets and tuples are arrays, a dynamically typed slot holds the pair
//! `[type as JSON bytes, value]`. An unknown value is a msgpack extension: Terraform writes
//! code 0 (newer versions add refinements under other codes), so any extension decodes as
//! unknown, and this module writes the classic `d4 00 00`.

use std::collections::BTreeMap;
use std::fmt;

use rmp::Marker;
use rmp::encode;

use super::{Type, Value, parse_number, path_string};

/// A msgpack document that does not fit the expected type, or is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// `.a[0].b`
    pub path: String,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// A value that does not fit the type it is encoded as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

/// The bytes of the unknown-value extension (fixext1, code 0, payload 0).
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Decodes one value of type `ty`; trailing bytes are an error.
pub fn decode(ty: &Type, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut reader = Reader {
        bytes,
        pos: 0,
        path: Vec::new(),
    };
    let value = reader.value(ty)?;
    if reader.pos != bytes.len() {
        return Err(reader.error(format!("{} bytes after the value", bytes.len() - reader.pos)));
    }
    Ok(value)
}

/// Encodes `value` as type `ty`.
pub fn encode(ty: &Type, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    write_value(&mut out, ty, value, &mut Vec::new())?;
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: Vec<String>,
}

impl<'a> Reader<'a> {
    fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: path_string(&self.path),
            message: message.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let out = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => Err(self.error("truncated msgpack")),
        }
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self.take(n)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn len(&mut self, n: usize) -> Result<usize, DecodeError> {
        let len = self.be(n)?;
        // Every element takes at least one byte: a larger count is malformed, and checking
        // it here keeps a hostile length from reserving huge memory.
        usize::try_from(len)
            .ok()
            .filter(|&l| l <= self.bytes.len() - self.pos)
            .ok_or_else(|| self.error(format!("length {len} exceeds the document")))
    }

    fn peek(&self) -> Result<Marker, DecodeError> {
        self.bytes
            .get(self.pos)
            .map(|b| Marker::from_u8(*b))
            .ok_or_else(|| self.error("truncated msgpack"))
    }

    fn marker(&mut self) -> Result<Marker, DecodeError> {
        Ok(Marker::from_u8(self.u8()?))
    }

    /// Skips an extension whose marker was just read.
    fn skip_ext(&mut self, marker: Marker) -> Result<(), DecodeError> {
        let len = match marker {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.len(1)?,
            Marker::Ext16 => self.len(2)?,
            Marker::Ext32 => self.len(4)?,
            _ => return Err(self.error("not an extension")),
        };
        // The extension code, then the payload.
        self.take(1 + len)?;
        Ok(())
    }

    fn value(&mut self, ty: &Type) -> Result<Value, DecodeError> {
        match self.peek()? {
            Marker::Null => {
                self.pos += 1;
                return Ok(Value::Null);
            }
            m @ (Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32) => {
                self.pos += 1;
                self.skip_ext(m)?;
                return Ok(Value::Unknown);
            }
            _ => {}
        }
        match ty {
            Type::Dynamic => self.dynamic(),
            Type::Bool => match self.marker()? {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                m => Err(self.error(format!("expected a bool, found {m:?}"))),
            },
            Type::Number => self.number(),
            Type::String => {
                let s = self.string()?;
                Ok(Value::String(s))
            }
            Type::List(elem) | Type::Set(elem) => {
                let n = self.array_len()?;
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    self.path.push(format!("[{i}]"));
                    items.push(self.value(elem)?);
                    self.path.pop();
                }
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(elems) => {
                let n = self.array_len()?;
                if n != elems.len() {
                    return Err(self.error(format!("expected {} tuple elements, found {n}", elems.len())));
                }
                let mut items = Vec::with_capacity(n);
                for (i, elem) in elems.iter().enumerate() {
                    self.path.push(format!("[{i}]"));
                    items.push(self.value(elem)?);
                    self.path.pop();
                }
                Ok(Value::List(items))
            }
            Type::Map(elem) => {
                let n = self.map_len()?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let key = self.string()?;
                    self.path.push(format!("[{key:?}]"));
                    let v = self.value(elem)?;
                    self.path.pop();
                    out.insert(key, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let n = self.map_len()?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let key = self.string()?;
                    let Some(attr_ty) = attrs.get(&key) else {
                        return Err(self.error(format!("unexpected attribute {key:?}")));
                    };
                    self.path.push(format!(".{key}"));
                    let v = self.value(attr_ty)?;
                    self.path.pop();
                    out.insert(key, v);
                }
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// `[type JSON, value]`, written where the schema allows any type.
    fn dynamic(&mut self) -> Result<Value, DecodeError> {
        let n = self.array_len()?;
        if n != 2 {
            return Err(self.error(format!("a dynamic value is a [type, value] pair, found {n} elements")));
        }
        let type_bytes = match self.marker()? {
            Marker::Bin8 | Marker::Str8 => {
                let l = self.len(1)?;
                self.take(l)?
            }
            Marker::Bin16 | Marker::Str16 => {
                let l = self.len(2)?;
                self.take(l)?
            }
            Marker::Bin32 | Marker::Str32 => {
                let l = self.len(4)?;
                self.take(l)?
            }
            Marker::FixStr(l) => self.take(usize::from(l))?,
            m => return Err(self.error(format!("expected the JSON of a type, found {m:?}"))),
        };
        let json: serde_json::Value =
            serde_json::from_slice(type_bytes).map_err(|e| self.error(format!("type JSON: {e}")))?;
        let ty = Type::from_json(&json).map_err(|e| self.error(e.to_string()))?;
        self.value(&ty)
    }

    fn number(&mut self) -> Result<Value, DecodeError> {
        let n: serde_json::Number = match self.marker()? {
            Marker::FixPos(v) => v.into(),
            Marker::FixNeg(v) => v.into(),
            Marker::U8 => self.be(1)?.into(),
            Marker::U16 => self.be(2)?.into(),
            Marker::U32 => self.be(4)?.into(),
            Marker::U64 => self.be(8)?.into(),
            Marker::I8 => i64::from(self.be(1)? as u8 as i8).into(),
            Marker::I16 => i64::from(self.be(2)? as u16 as i16).into(),
            Marker::I32 => i64::from(self.be(4)? as u32 as i32).into(),
            Marker::I64 => (self.be(8)? as i64).into(),
            Marker::F32 => {
                let f = f32::from_bits(self.be(4)? as u32);
                serde_json::Number::from_f64(f64::from(f)).ok_or_else(|| self.error(format!("{f} cannot be stored")))?
            }
            Marker::F64 => {
                let f = f64::from_bits(self.be(8)?);
                serde_json::Number::from_f64(f).ok_or_else(|| self.error(format!("{f} cannot be stored")))?
            }
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                // Re-read the marker as the start of a string.
                self.pos -= 1;
                let s = self.string()?;
                parse_number(&s).ok_or_else(|| self.error(format!("{s:?} is not a number")))?
            }
            m => return Err(self.error(format!("expected a number, found {m:?}"))),
        };
        Ok(Value::Number(n))
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let len = match self.marker()? {
            Marker::FixStr(l) => usize::from(l),
            Marker::Str8 | Marker::Bin8 => self.len(1)?,
            Marker::Str16 | Marker::Bin16 => self.len(2)?,
            Marker::Str32 | Marker::Bin32 => self.len(4)?,
            m => return Err(self.error(format!("expected a string, found {m:?}"))),
        };
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.error("string is not UTF-8"))
    }

    fn array_len(&mut self) -> Result<usize, DecodeError> {
        match self.marker()? {
            Marker::FixArray(n) => Ok(usize::from(n)),
            Marker::Array16 => self.len(2),
            Marker::Array32 => self.len(4),
            m => Err(self.error(format!("expected a list, found {m:?}"))),
        }
    }

    fn map_len(&mut self) -> Result<usize, DecodeError> {
        match self.marker()? {
            Marker::FixMap(n) => Ok(usize::from(n)),
            Marker::Map16 => self.len(2),
            Marker::Map32 => self.len(4),
            m => Err(self.error(format!("expected a map or object, found {m:?}"))),
        }
    }
}

fn io<E: fmt::Display>(e: E) -> EncodeError {
    EncodeError(format!("msgpack write: {e}"))
}

fn len_u32(n: usize, path: &[String]) -> Result<u32, EncodeError> {
    u32::try_from(n).map_err(|_| EncodeError(format!("{}: too many elements", path_string(path))))
}

fn mismatch(ty: &Type, value: &Value, path: &[String]) -> EncodeError {
    EncodeError(format!(
        "{}: cannot encode {value:?} as {}",
        path_string(path),
        ty.friendly_name()
    ))
}

fn write_value(out: &mut Vec<u8>, ty: &Type, value: &Value, path: &mut Vec<String>) -> Result<(), EncodeError> {
    match value {
        Value::Unknown => {
            out.extend_from_slice(&UNKNOWN);
            return Ok(());
        }
        Value::Null => return encode::write_nil(out).map_err(io),
        _ => {}
    }
    match (ty, value) {
        (Type::Dynamic, _) => {
            let actual = Type::infer(value);
            let type_json = serde_json::to_vec(&actual.to_json()).map_err(io)?;
            encode::write_array_len(out, 2).map_err(io)?;
            encode::write_bin(out, &type_json).map_err(io)?;
            write_value(out, &actual, value, path)
        }
        (Type::Bool, Value::Bool(b)) => encode::write_bool(out, *b).map_err(io),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::String, Value::String(s)) => encode::write_str(out, s).map_err(io),
        (Type::List(elem), Value::List(items)) | (Type::Set(elem), Value::Set(items)) => {
            encode::write_array_len(out, len_u32(items.len(), path)?).map_err(io)?;
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                write_value(out, elem, item, path)?;
                path.pop();
            }
            Ok(())
        }
        (Type::Tuple(elems), Value::List(items)) if elems.len() == items.len() => {
            encode::write_array_len(out, len_u32(items.len(), path)?).map_err(io)?;
            for (i, (elem, item)) in elems.iter().zip(items).enumerate() {
                path.push(format!("[{i}]"));
                write_value(out, elem, item, path)?;
                path.pop();
            }
            Ok(())
        }
        (Type::Map(elem), Value::Map(m)) => {
            encode::write_map_len(out, len_u32(m.len(), path)?).map_err(io)?;
            for (k, v) in m {
                encode::write_str(out, k).map_err(io)?;
                path.push(format!("[{k:?}]"));
                write_value(out, elem, v, path)?;
                path.pop();
            }
            Ok(())
        }
        (Type::Object(attrs), Value::Object(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(EncodeError(format!(
                    "{}: attribute {extra:?} is not in the schema",
                    path_string(path)
                )));
            }
            encode::write_map_len(out, len_u32(attrs.len(), path)?).map_err(io)?;
            for (name, attr_ty) in attrs {
                encode::write_str(out, name).map_err(io)?;
                path.push(format!(".{name}"));
                write_value(out, attr_ty, m.get(name).unwrap_or(&Value::Null), path)?;
                path.pop();
            }
            Ok(())
        }
        _ => Err(mismatch(ty, value, path)),
    }
}

/// Integers as msgpack integers, other numbers as float64, the way Terraform writes them.
fn write_number(out: &mut Vec<u8>, n: &serde_json::Number) -> Result<(), EncodeError> {
    if let Some(i) = n.as_i64() {
        encode::write_sint(out, i).map_err(io)?;
    } else if let Some(u) = n.as_u64() {
        encode::write_uint(out, u).map_err(io)?;
    } else if let Some(f) = n.as_f64() {
        // 2^63: every integral float below it in magnitude converts to i64 exactly.
        if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
            encode::write_sint(out, f as i64).map_err(io)?;
        } else {
            encode::write_f64(out, f).map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn unknown_is_any_extension_and_is_written_as_code_zero() {
        assert_eq!(encode(&Type::String, &Value::Unknown), Ok(vec![0xd4, 0, 0]));
        // fixext1 code 0, ext8 with a refinement payload under code 12.
        assert_eq!(decode(&Type::String, &[0xd4, 0, 0]), Ok(Value::Unknown));
        assert_eq!(decode(&Type::String, &[0xc7, 2, 12, 1, 2]), Ok(Value::Unknown));
    }

    #[test]
    fn numbers_arrive_as_ints_floats_or_strings() {
        assert_eq!(decode(&Type::Number, &[0x05]), Ok(Value::Number(5.into())));
        assert_eq!(decode(&Type::Number, &[0xd0, 0xfb]), Ok(Value::Number((-5).into())));
        let mut f = vec![0xcb];
        f.extend_from_slice(&1.5f64.to_bits().to_be_bytes());
        assert_eq!(
            decode(&Type::Number, &f),
            Ok(Value::Number(serde_json::Number::from_f64(1.5).expect("finite")))
        );
        assert_eq!(decode(&Type::Number, &[0xa2, b'4', b'2']), Ok(Value::Number(42.into())));
        assert!(decode(&Type::Number, &[0xa1, b'x']).is_err());
    }

    #[test]
    fn objects_fill_missing_attributes_and_reject_unknown_ones() {
        let ty = Type::object([("a", Type::String), ("b", Type::Bool)]);
        // {"a": "x"}
        let v = decode(&ty, &[0x81, 0xa1, b'a', 0xa1, b'x']).expect("decodes");
        assert_eq!(v, obj(&[("a", Value::string("x")), ("b", Value::Null)]));
        let err = decode(&ty, &[0x81, 0xa1, b'z', 0xc0]).expect_err("z is not in the type");
        assert!(err.message.contains("\"z\""), "{err}");
        let err = decode(&ty, &[0x81, 0xa1, b'b', 0xa1, b'x']).expect_err("b is a bool");
        assert_eq!(err.path, ".b");
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = obj(&[("n", Value::Number(1.into()))]);
        let bytes = encode(&Type::Dynamic, &v).expect("encodes");
        assert_eq!(bytes[0], 0x92, "a two-element array");
        assert_eq!(decode(&Type::Dynamic, &bytes), Ok(v));
        // Terraform may write the type JSON as a string rather than bin.
        let mut as_str = vec![0x92, 0xa8];
        as_str.extend_from_slice(b"\"string\"");
        as_str.extend_from_slice(&[0xa1, b'x']);
        assert_eq!(decode(&Type::Dynamic, &as_str), Ok(Value::string("x")));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let ty = Type::list(Type::String);
        for bytes in [
            &[][..],
            &[0x92, 0xa1],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0xc0, 0xc0],
            &[0xc1],
        ] {
            assert!(decode(&ty, bytes).is_err(), "{bytes:?}");
        }
    }
}
