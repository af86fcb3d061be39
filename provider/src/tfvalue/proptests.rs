//! Round-trip properties over generated types and values: whatever this module encodes,
//! it decodes to an equal value.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{Type, Value, json, msgpack};

fn leaf_type() -> impl Strategy<Value = Type> {
    prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)]
}

/// Types without `Dynamic`.
fn concrete_type() -> impl Strategy<Value = Type> {
    leaf_type().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-e]{1,3}", inner.clone(), 1..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

/// What a value in a dynamic slot is generated as. No tuples: a value in a dynamic slot
/// travels with a type inferred from the value itself, and a tuple whose elements happen
/// to agree is inferred as a list (equal values, different variant of type).
fn dynamic_content_type() -> impl Strategy<Value = Type> {
    leaf_type().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-e]{1,3}", inner, 1..4).prop_map(Type::Object),
        ]
    })
}

/// Schema types, `Dynamic` included.
fn any_type() -> impl Strategy<Value = Type> {
    prop_oneof![4 => leaf_type(), 1 => Just(Type::Dynamic)].prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-e]{1,3}", inner.clone(), 1..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn number() -> impl Strategy<Value = serde_json::Number> {
    prop_oneof![
        any::<i64>().prop_map(serde_json::Number::from),
        any::<u64>().prop_map(serde_json::Number::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::Number::from_f64(f).unwrap_or_else(|| 0.into())),
    ]
}

/// A value of type `ty`, with nulls and unknowns anywhere (unless `known`).
fn value_of(ty: &Type, known: bool) -> BoxedStrategy<Value> {
    let concrete: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => number().prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Dynamic => dynamic_content_type()
            .prop_flat_map(move |t| value_of(&t, known))
            .boxed(),
        Type::List(elem) => prop::collection::vec(value_of(elem, known), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(elem) => prop::collection::vec(value_of(elem, known), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(elem) => prop::collection::btree_map(".{0,6}", value_of(elem, known), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(attrs) => {
            let parts: Vec<BoxedStrategy<(String, Value)>> = attrs
                .iter()
                .map(|(k, t)| {
                    let k = k.clone();
                    value_of(t, known).prop_map(move |v| (k.clone(), v)).boxed()
                })
                .collect();
            parts
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<BTreeMap<_, _>>()))
                .boxed()
        }
        Type::Tuple(elems) => {
            let parts: Vec<BoxedStrategy<Value>> = elems.iter().map(|t| value_of(t, known)).collect();
            parts.prop_map(Value::List).boxed()
        }
    };
    if known {
        prop_oneof![1 => Just(Value::Null), 6 => concrete].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => concrete].boxed()
    }
}

fn typed_value(known: bool) -> impl Strategy<Value = (Type, Value)> {
    typed_value_of(any_type(), known)
}

fn typed_value_of(types: impl Strategy<Value = Type>, known: bool) -> impl Strategy<Value = (Type, Value)> {
    types.prop_flat_map(move |t| {
        let t2 = t.clone();
        value_of(&t, known).prop_map(move |v| (t2.clone(), v))
    })
}

proptest! {
    #[test]
    fn msgpack_round_trips((ty, value) in typed_value(false)) {
        let bytes = msgpack::encode(&ty, &value).expect("a generated value fits its type");
        prop_assert_eq!(msgpack::decode(&ty, &bytes).expect("decodes"), value);
    }

    #[test]
    fn json_round_trips((ty, value) in typed_value(true)) {
        let doc = json::encode(&ty, &value).expect("known values encode");
        let bytes = serde_json::to_vec(&doc).expect("serialises");
        prop_assert_eq!(json::decode(&ty, &bytes, json::Extra::Reject).expect("decodes"), value);
    }

    #[test]
    fn blueprint_json_round_trips((ty, value) in typed_value_of(concrete_type(), false)) {
        prop_assert_eq!(Value::from_json(&ty, &value.to_json()).expect("converts"), value);
    }

    #[test]
    fn arbitrary_bytes_never_panic(ty in any_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = msgpack::decode(&ty, &bytes);
        let _ = json::decode(&ty, &bytes, json::Extra::Drop);
    }
}
