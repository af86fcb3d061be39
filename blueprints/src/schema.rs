//! The schema of a composite's configuration, in the shape of Terraform's provider schema:
//! the provider sends it to Terraform as is, and the resource docs are rendered from it.

use serde_json::{Value, json};

/// A Terraform type (cty), written as Terraform's JSON type string by [`Type::to_json`].
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(Vec<(String, Type)>),
    Dynamic,
}

impl Type {
    pub fn list(of: Type) -> Type {
        Type::List(Box::new(of))
    }

    pub fn set(of: Type) -> Type {
        Type::Set(Box::new(of))
    }

    pub fn map(of: Type) -> Type {
        Type::Map(Box::new(of))
    }

    /// `"string"`, `["list","string"]`, `["object",{"a":"number"}]`, `"dynamic"`.
    pub fn to_json(&self) -> Value {
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(fields) => {
                let fields: serde_json::Map<String, Value> =
                    fields.iter().map(|(n, t)| (n.clone(), t.to_json())).collect();
                json!(["object", fields])
            }
            Type::Dynamic => json!("dynamic"),
        }
    }

    /// How the docs name the type: `list(string)`, `map(string)`.
    pub fn display(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list({})", t.display()),
            Type::Set(t) => format!("set({})", t.display()),
            Type::Map(t) => format!("map({})", t.display()),
            Type::Object(fields) => format!(
                "object({{{}}})",
                fields
                    .iter()
                    .map(|(n, t)| format!("{n} = {}", t.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Type::Dynamic => "any".into(),
        }
    }
}

/// Whether the user sets an attribute, the provider computes it, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    /// Optional with no default: null when unset.
    Optional,
    /// Optional; when unset the provider plans the default (`optional` + `computed`).
    Defaulted,
    /// Set only by the provider.
    Computed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub presence: Presence,
    /// The value planned when unset ([`Presence::Defaulted`]), or a note for docs when the
    /// default depends on other attributes (`Value::String("6 × handler timeout")`).
    pub default: Option<Value>,
    pub sensitive: bool,
    /// A change can only be made by replacing the composite's children that carry it.
    pub forces_replacement: bool,
}

impl Attribute {
    fn new(name: &str, ty: Type, presence: Presence, description: &str) -> Self {
        Attribute {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            presence,
            default: None,
            sensitive: false,
            forces_replacement: false,
        }
    }

    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::Required, description)
    }

    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::Optional, description)
    }

    pub fn defaulted(name: &str, ty: Type, default: Value, description: &str) -> Self {
        Attribute {
            default: Some(default),
            ..Self::new(name, ty, Presence::Defaulted, description)
        }
    }

    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Presence::Computed, description)
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn forces_replacement(mut self) -> Self {
        self.forces_replacement = true;
        self
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; absent is null.
    Single,
    /// A list of blocks; `max: 0` means no limit (Terraform's convention). `min: 1, max: 1`
    /// is a required block that appears once.
    List { min: u32, max: u32 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub name: String,
    pub nesting: Nesting,
    pub schema: Schema,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

impl Schema {
    pub fn new(description: &str) -> Self {
        Schema {
            description: description.to_string(),
            ..Schema::default()
        }
    }

    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    pub fn block(mut self, name: &str, nesting: Nesting, schema: Schema) -> Self {
        self.blocks.push(Block {
            name: name.to_string(),
            nesting,
            schema,
        });
        self
    }

    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn find_block(&self, name: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.name == name)
    }
}
