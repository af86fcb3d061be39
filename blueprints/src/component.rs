//! Components: the `aws_*` resources a composite expands into.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::expr::{Expr, Ref, Unresolved, pad};

/// Attributes and nested blocks, as in a Terraform resource body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    pub attributes: Vec<(String, Expr)>,
    pub blocks: Vec<(String, Body)>,
}

impl Body {
    pub fn new() -> Self {
        Body::default()
    }

    /// Adds an attribute (builder style).
    pub fn attr(mut self, name: &str, value: impl Into<Expr>) -> Self {
        self.attributes.push((name.to_string(), value.into()));
        self
    }

    /// Adds a nested block (builder style); repeat for repeated blocks.
    pub fn block(mut self, name: &str, body: Body) -> Self {
        self.blocks.push((name.to_string(), body));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }

    pub fn blocks_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Body> + 'a {
        self.blocks.iter().filter(move |(n, _)| n == name).map(|(_, b)| b)
    }

    pub fn refs(&self) -> Vec<&Ref> {
        let mut out: Vec<&Ref> = self.attributes.iter().flat_map(|(_, e)| e.refs()).collect();
        out.extend(self.blocks.iter().flat_map(|(_, b)| b.refs()));
        out
    }

    /// Terraform's JSON shape of this body: attributes by name, each block type as an array
    /// of objects.
    pub fn resolve(&self, lookup: &dyn Fn(&Ref) -> Option<Value>) -> Result<Value, Unresolved> {
        let mut out = Map::new();
        for (name, expr) in &self.attributes {
            out.insert(name.clone(), expr.resolve(lookup)?);
        }
        for (name, block) in &self.blocks {
            let resolved = block.resolve(lookup)?;
            match out.entry(name.clone()).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(items) => items.push(resolved),
                other => *other = Value::Array(vec![resolved]),
            }
        }
        Ok(Value::Object(out))
    }

    fn write_hcl(&self, out: &mut String, indent: usize) {
        let width = self.attributes.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for (name, expr) in &self.attributes {
            pad(out, indent);
            out.push_str(name);
            for _ in name.len()..width {
                out.push(' ');
            }
            out.push_str(" = ");
            expr.write_hcl(out, indent);
            out.push('\n');
        }
        for (name, block) in &self.blocks {
            out.push('\n');
            pad(out, indent);
            out.push_str(name);
            out.push_str(" {\n");
            block.write_hcl(out, indent + 1);
            pad(out, indent);
            out.push_str("}\n");
        }
    }
}

/// What kind of Terraform block a component is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `resource`: created, updated and deleted; recorded in state.
    #[default]
    Managed,
    /// `data`: read when needed (the account id for a key policy); nothing is created.
    Data,
    /// `ephemeral`: opened when a child needs it (a generated password) and never stored.
    Ephemeral,
}

impl Mode {
    /// The HCL block keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Mode::Managed => "resource",
            Mode::Data => "data",
            Mode::Ephemeral => "ephemeral",
        }
    }
}

/// One `aws_*` resource (or data source, or ephemeral resource) of an expansion.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub mode: Mode,
    /// `hashicorp/aws` resource type, e.g. `aws_sqs_queue`.
    pub resource_type: String,
    /// Name within the expansion, e.g. `dlq`.
    pub name: String,
    /// `None`: the composite's region. `Some`: a fixed region (CloudFront-scope WAF lives in
    /// us-east-1) or the second region of a multi-region composite.
    pub region: Option<String>,
    pub body: Body,
    /// Components that must exist first although no attribute refers to them.
    pub depends_on: Vec<String>,
    /// Short human description of the component's role, for docs and plan output.
    pub description: String,
}

impl Component {
    pub fn new(resource_type: &str, name: &str, body: Body) -> Self {
        Component {
            mode: Mode::Managed,
            resource_type: resource_type.to_string(),
            name: name.to_string(),
            region: None,
            body,
            depends_on: Vec::new(),
            description: String::new(),
        }
    }

    /// A `data` block, addressed `data.<type>.<name>`.
    pub fn data(source_type: &str, name: &str, body: Body) -> Self {
        Component {
            mode: Mode::Data,
            ..Component::new(source_type, name, body)
        }
    }

    /// An `ephemeral` block, addressed `ephemeral.<type>.<name>`: its values are only ever
    /// written to write-only (`*_wo`) attributes.
    pub fn ephemeral(source_type: &str, name: &str, body: Body) -> Self {
        Component {
            mode: Mode::Ephemeral,
            ..Component::new(source_type, name, body)
        }
    }

    /// Whether this is a `resource` (something created and recorded).
    pub fn is_managed(&self) -> bool {
        self.mode == Mode::Managed
    }

    pub fn in_region(mut self, region: &str) -> Self {
        self.region = Some(region.to_string());
        self
    }

    pub fn after(mut self, address: &str) -> Self {
        self.depends_on.push(address.to_string());
        self
    }

    pub fn described(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    /// `<type>.<name>` (`data.<type>.<name>`, `ephemeral.<type>.<name>`), the address
    /// references use.
    pub fn address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.resource_type, self.name),
            mode => format!("{}.{}.{}", mode.keyword(), self.resource_type, self.name),
        }
    }

    /// Addresses of the components this one needs, references first, without duplicates.
    pub fn dependencies(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for address in self
            .body
            .refs()
            .into_iter()
            .map(|r| r.component.clone())
            .chain(self.depends_on.iter().cloned())
        {
            if !out.contains(&address) {
                out.push(address);
            }
        }
        out
    }
}

/// What a composite expands into.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expansion {
    pub components: Vec<Component>,
    /// The composite's computed attributes, as expressions over components.
    pub outputs: Vec<(String, Expr)>,
}

/// A structural defect of an expansion: a bug in a blueprint, never user input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpansionError {
    DuplicateAddress(String),
    UnknownComponent { from: String, to: String },
    Cycle(Vec<String>),
}

impl std::fmt::Display for ExpansionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpansionError::DuplicateAddress(a) => write!(f, "two components have the address {a}"),
            ExpansionError::UnknownComponent { from, to } => write!(f, "{from} refers to {to}, which does not exist"),
            ExpansionError::Cycle(c) => write!(f, "dependency cycle among {}", c.join(", ")),
        }
    }
}

impl Expansion {
    pub fn component(&self, address: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.address() == address)
    }

    /// Components in dependency waves: every component of a wave depends only on earlier
    /// waves, so a wave's members can be created in parallel. Deletion walks the waves backwards.
    pub fn waves(&self) -> Result<Vec<Vec<usize>>, ExpansionError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, c) in self.components.iter().enumerate() {
            if index.insert(c.address(), i).is_some() {
                return Err(ExpansionError::DuplicateAddress(c.address()));
            }
        }
        let mut needs: Vec<Vec<usize>> = Vec::with_capacity(self.components.len());
        for c in &self.components {
            let mut deps = Vec::new();
            for d in c.dependencies() {
                match index.get(&d) {
                    Some(&j) => deps.push(j),
                    None => {
                        return Err(ExpansionError::UnknownComponent {
                            from: c.address(),
                            to: d,
                        });
                    }
                }
            }
            needs.push(deps);
        }
        let mut wave_of: Vec<Option<usize>> = vec![None; self.components.len()];
        let mut waves: Vec<Vec<usize>> = Vec::new();
        let mut placed = 0;
        while placed < self.components.len() {
            let wave: Vec<usize> = (0..self.components.len())
                .filter(|&i| wave_of[i].is_none())
                .filter(|&i| needs[i].iter().all(|&j| wave_of[j].is_some_and(|w| w < waves.len())))
                .collect();
            if wave.is_empty() {
                let stuck = (0..self.components.len())
                    .filter(|&i| wave_of[i].is_none())
                    .map(|i| self.components[i].address())
                    .collect();
                return Err(ExpansionError::Cycle(stuck));
            }
            for &i in &wave {
                wave_of[i] = Some(waves.len());
            }
            placed += wave.len();
            waves.push(wave);
        }
        Ok(waves)
    }

    /// The expansion as plain Terraform (`hashicorp/aws` resources). Components pinned to
    /// another region use a provider alias named after the region (`aws.us_east_1`).
    pub fn to_hcl(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if !c.description.is_empty() {
                out.push_str("# ");
                out.push_str(&c.description);
                out.push('\n');
            }
            out.push_str(&format!(
                "{} \"{}\" \"{}\" {{\n",
                c.mode.keyword(),
                c.resource_type,
                c.name
            ));
            if let Some(region) = &c.region {
                out.push_str(&format!("  provider = aws.{}\n", region.replace('-', "_")));
            }
            if !c.depends_on.is_empty() {
                out.push_str(&format!("  depends_on = [{}]\n", c.depends_on.join(", ")));
            }
            c.body.write_hcl(&mut out, 1);
            out.push_str("}\n");
        }
        for (name, expr) in &self.outputs {
            out.push_str(&format!("\noutput \"{name}\" {{\n  value = {}\n}}\n", expr.to_hcl()));
        }
        out
    }

    /// Resource (not data or ephemeral) names grouped by resource type, for summaries.
    pub fn by_type(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in self.components.iter().filter(|c| c.is_managed()) {
            out.entry(c.resource_type.as_str()).or_default().push(c.name.as_str());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_pair() -> Expansion {
        let dlq = Component::new("aws_sqs_queue", "dlq", Body::new().attr("name", "jobs-dlq"));
        let queue = Component::new(
            "aws_sqs_queue",
            "jobs",
            Body::new().attr("name", "jobs").attr(
                "redrive_policy",
                Expr::json(Expr::Object(vec![(
                    "deadLetterTargetArn".into(),
                    Expr::reference("aws_sqs_queue.dlq", "arn"),
                )])),
            ),
        );
        let alarm = Component::new("aws_cloudwatch_metric_alarm", "dlq_depth", Body::new()).after("aws_sqs_queue.dlq");
        Expansion {
            components: vec![alarm, queue, dlq],
            outputs: vec![("queue_url".into(), Expr::reference("aws_sqs_queue.jobs", "url"))],
        }
    }

    #[test]
    fn waves_follow_references_and_depends_on() {
        assert_eq!(queue_pair().waves(), Ok(vec![vec![2], vec![0, 1]]));
    }

    #[test]
    fn waves_report_cycles_and_dangling_references() {
        let mut e = queue_pair();
        e.components[2].depends_on.push("aws_sqs_queue.jobs".into());
        assert!(matches!(e.waves(), Err(ExpansionError::Cycle(_))));
        let mut e = queue_pair();
        e.components[0].depends_on = vec!["aws_sqs_queue.nope".into()];
        assert!(matches!(e.waves(), Err(ExpansionError::UnknownComponent { .. })));
    }

    #[test]
    fn blocks_resolve_to_arrays_and_render_as_blocks() {
        let body = Body::new().attr("function_name", "f").block(
            "dead_letter_config",
            Body::new().attr("target_arn", Expr::reference("aws_sqs_queue.dlq", "arn")),
        );
        let v = body.resolve(&|_| Some(Value::String("arn".into()))).expect("resolves");
        assert_eq!(v["dead_letter_config"][0]["target_arn"], "arn");
        let mut hcl = String::new();
        body.write_hcl(&mut hcl, 0);
        assert_eq!(
            hcl,
            "function_name = \"f\"\n\ndead_letter_config {\n  target_arn = aws_sqs_queue.dlq.arn\n}\n"
        );
    }
}
