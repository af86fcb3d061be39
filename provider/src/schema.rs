//! Blueprint schemas (`wellarch_blueprints::Schema`) as Terraform sees them: the protocol's
//! `Schema.Block`, and the object type a configuration or state of that schema has.

use std::collections::BTreeMap;

use wellarch_blueprints::schema::Presence;
use wellarch_blueprints::{Nesting, Schema};

use crate::proto::tfplugin6 as pb;
use crate::tfvalue::Type;

/// The protocol schema of `schema` (version 0: states have never needed an upgrade).
pub fn to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: 0,
        block: Some(block(schema)),
    }
}

fn block(schema: &Schema) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: schema
            .attributes
            .iter()
            .map(|a| pb::schema::Attribute {
                name: a.name.clone(),
                // Serialising a `serde_json::Value` cannot fail.
                r#type: serde_json::to_vec(&a.ty.to_json()).unwrap_or_default(),
                nested_type: None,
                description: a.description.clone(),
                required: a.presence == Presence::Required,
                optional: matches!(a.presence, Presence::Optional | Presence::Defaulted),
                computed: matches!(a.presence, Presence::Defaulted | Presence::Computed),
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Plain as i32,
                deprecated: false,
            })
            .collect(),
        block_types: schema
            .blocks
            .iter()
            .map(|b| {
                let (nesting, min_items, max_items) = match b.nesting {
                    Nesting::Single => (pb::schema::nested_block::NestingMode::Single, 0, 0),
                    Nesting::List { min, max } => (
                        pb::schema::nested_block::NestingMode::List,
                        i64::from(min),
                        i64::from(max),
                    ),
                };
                pb::schema::NestedBlock {
                    type_name: b.name.clone(),
                    block: Some(block(&b.schema)),
                    nesting: nesting as i32,
                    min_items,
                    max_items,
                }
            })
            .collect(),
        description: schema.description.clone(),
        description_kind: pb::StringKind::Plain as i32,
        deprecated: false,
    }
}

/// The object type of a configuration or state: attributes with their types, a single
/// block as an object (null when absent), a list block as a list of objects.
pub fn implied_type(schema: &Schema) -> Type {
    let mut attrs: BTreeMap<String, Type> = schema
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Type::from_blueprint(&a.ty)))
        .collect();
    for b in &schema.blocks {
        let inner = implied_type(&b.schema);
        attrs.insert(
            b.name.clone(),
            match b.nesting {
                Nesting::Single => inner,
                Nesting::List { .. } => Type::list(inner),
            },
        );
    }
    Type::Object(attrs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wellarch_blueprints::{Attribute, Type as B};

    fn sample() -> Schema {
        Schema::new("A sample.")
            .attribute(Attribute::required("name", B::String, "Name."))
            .attribute(Attribute::defaulted(
                "memory",
                B::Number,
                serde_json::json!(128),
                "MiB.",
            ))
            .attribute(Attribute::computed("url", B::String, "URL."))
            .attribute(Attribute::optional("secret", B::String, "Secret.").sensitive())
            .block(
                "route",
                Nesting::List { min: 1, max: 0 },
                Schema::new("").attribute(Attribute::required("path", B::String, "")),
            )
            .block(
                "alarm",
                Nesting::Single,
                Schema::new("").attribute(Attribute::optional("email", B::String, "")),
            )
    }

    #[test]
    fn presence_maps_to_required_optional_computed() {
        let b = to_proto(&sample()).block.expect("block");
        let flags = |n: &str| {
            let a = b.attributes.iter().find(|a| a.name == n).expect("attribute");
            (a.required, a.optional, a.computed, a.sensitive)
        };
        assert_eq!(flags("name"), (true, false, false, false));
        assert_eq!(flags("memory"), (false, true, true, false));
        assert_eq!(flags("url"), (false, false, true, false));
        assert_eq!(flags("secret"), (false, true, false, true));
        let name = b.attributes.iter().find(|a| a.name == "name").expect("name");
        assert_eq!(name.r#type, br#""string""#);
        let route = b.block_types.iter().find(|n| n.type_name == "route").expect("route");
        assert_eq!(route.nesting, pb::schema::nested_block::NestingMode::List as i32);
        assert_eq!((route.min_items, route.max_items), (1, 0));
    }

    #[test]
    fn implied_type_nests_blocks() {
        let t = implied_type(&sample());
        let Type::Object(attrs) = t else { panic!("an object") };
        assert_eq!(attrs["route"], Type::list(Type::object([("path", Type::String)])));
        assert_eq!(attrs["alarm"], Type::object([("email", Type::String)]));
        assert_eq!(attrs["memory"], Type::Number);
    }
}
