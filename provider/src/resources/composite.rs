//! The behaviour every composite shares: validate, plan, apply, read and import, on top
//! of a `wellarch_blueprints::Kind` (schema + `plan(config) -> expansion`) and the
//! orchestrator in `crate::apply`.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use tokio_util::sync::CancellationToken;
use wellarch_blueprints::schema::Presence;
use wellarch_blueprints::{Attribute, ConfigError, Expansion, Kind, Nesting, PathStep, Planned, Schema, Type as B};

use super::{COMPONENTS, DRIFT, ID, TAGS_ALL, lint};
use crate::apply::{self, Children, Target};
use crate::aws::AwsEnv;
use crate::diagnostics::{Diagnostic, attr};
use crate::provider_config::LintSettings;
use crate::schema::implied_type;
use crate::tfvalue::{Type, Value};

/// The `drift` of an imported composite until its first apply adopts the children.
const IMPORTED: &str = "imported: children are adopted on the next apply";

/// One composite resource type.
pub struct Composite<'k> {
    kind: &'k Kind,
    /// The kind's own schema: what its `plan` reads.
    kind_schema: Schema,
    /// The resource schema Terraform sees: the kind's plus `id`, `components`, `drift`.
    schema: Schema,
    ty: Type,
}

/// The configured provider, as the lifecycle calls need it.
pub struct Env<'a> {
    pub aws: &'a AwsEnv,
    pub default_tags: &'a BTreeMap<String, String>,
    /// Cancelled by StopProvider.
    pub cancel: &'a CancellationToken,
}

pub struct PlanInput<'a> {
    pub prior: &'a Value,
    pub proposed: &'a Value,
    pub config: &'a Value,
    pub prior_private: &'a [u8],
    pub lint: &'a LintSettings,
    /// The provider's `default_tags` (empty before ConfigureProvider).
    pub default_tags: &'a BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct PlanOutput {
    pub planned: Value,
    pub requires_replace: Vec<Vec<PathStep>>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub struct ApplyOutput {
    /// Never holds unknowns; on errors, the state of whatever exists.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub struct ReadOutput {
    /// Null when every child is gone.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'k> Composite<'k> {
    pub fn new(kind: &'k Kind) -> Self {
        let kind_schema = (kind.schema)();
        let mut schema = kind_schema.clone();
        let extras = [
            Attribute::computed(ID, B::String, "The composite's name."),
            Attribute::computed(
                COMPONENTS,
                B::map(B::String),
                "Physical id of every AWS resource of the composite, by component address (aws_sqs_queue.jobs).",
            ),
            Attribute::computed(
                TAGS_ALL,
                B::map(B::String),
                "Tags of every child that AWS can tag: the provider's default_tags merged with tags.",
            ),
            Attribute::computed(
                DRIFT,
                B::list(B::String),
                "Differences between the components and AWS found by the last refresh (or left by a failed apply); \
                 a plan with drift converges them.",
            ),
        ];
        for extra in extras {
            if schema.find_attribute(&extra.name).is_none() {
                schema.attributes.push(extra);
            }
        }
        let ty = implied_type(&schema);
        Composite {
            kind,
            kind_schema,
            schema,
            ty,
        }
    }

    pub fn type_name(&self) -> &'static str {
        self.kind.type_name
    }

    /// The resource schema Terraform sees.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The object type of this resource's configuration and state.
    pub fn value_type(&self) -> &Type {
        &self.ty
    }

    /// The configuration as the kind reads it: its own attributes and blocks only, with
    /// the computed ones null (Terraform's JSON shape, unknowns as markers).
    fn config_json(&self, value: &Value) -> Json {
        strip_computed(&self.kind_schema, value)
    }

    fn plan_kind(&self, value: &Value) -> Result<Planned, Vec<ConfigError>> {
        (self.kind.plan)(&self.config_json(value))
    }

    /// `wellarch_burst_tolerant_api.orders`: how tags, the linter and messages name the
    /// composite. Terraform does not tell providers the resource's HCL label, so the
    /// composite's `name` stands in for it.
    pub fn address(&self, value: &Value) -> String {
        match value.get("name").and_then(Value::as_str) {
            Some(name) => format!("{}.{name}", self.kind.type_name),
            None => self.kind.type_name.to_string(),
        }
    }

    /// `id` is the composite's `name` (unknown while the name is).
    fn id_for(&self, value: &Value) -> Value {
        match value.get("name") {
            Some(Value::String(name)) => Value::String(name.clone()),
            Some(Value::Unknown) => Value::Unknown,
            _ => Value::String(self.kind.type_name.to_string()),
        }
    }

    /// ValidateResourceConfig: the kind's configuration errors, each on its attribute. Values
    /// still unknown here may be input variables, known by plan time, so only the plan
    /// reports an unknown value the expansion needs.
    pub fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match self.plan_kind(config) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .filter(|e| !e.needs_known_value)
                .map(|e| config_error(&self.kind_schema, e))
                .collect(),
        }
    }

    /// PlanResourceChange.
    pub fn plan(&self, input: &PlanInput<'_>) -> PlanOutput {
        let mut out = PlanOutput {
            planned: input.proposed.clone(),
            requires_replace: Vec::new(),
            planned_private: input.prior_private.to_vec(),
            diagnostics: Vec::new(),
        };
        if input.proposed.is_null() {
            // Destroy: nothing to plan.
            return out;
        }
        let planned_kind = match self.plan_kind(input.config) {
            Ok(p) => p,
            Err(errors) => {
                out.diagnostics = errors.into_iter().map(|e| config_error(&self.kind_schema, e)).collect();
                return out;
            }
        };
        let mut planned = merge(&self.kind_schema, input.config, Some(&planned_kind.config), input.prior);

        let tags_all = self.tags_all(input.default_tags, &planned);
        // A tags-only change plans an update of `tags_all` (apply retags the children) but keeps
        // the outputs known: no child is replaced.
        let converge = self.needs_converge(input.prior, &planned_kind.expansion);
        for a in self
            .kind_schema
            .attributes
            .iter()
            .filter(|a| a.presence == Presence::Computed)
        {
            let v = if converge {
                Value::Unknown
            } else {
                input.prior.get(&a.name).cloned().unwrap_or(Value::Null)
            };
            planned.set(&a.name, v);
        }
        planned.set(ID, self.id_for(&planned));
        planned.set(TAGS_ALL, tags_all);
        if converge {
            planned.set(COMPONENTS, Value::Unknown);
            planned.set(DRIFT, Value::List(Vec::new()));
        } else {
            planned.set(COMPONENTS, input.prior.get(COMPONENTS).cloned().unwrap_or(Value::Null));
            planned.set(DRIFT, input.prior.get(DRIFT).cloned().unwrap_or(Value::Null));
        }

        // An import knows only `name`: the configuration fills the rest, in place.
        if !input.prior.is_null() && !is_imported(input.prior) {
            replace_paths(
                &self.kind_schema,
                input.prior,
                &planned,
                &mut Vec::new(),
                &mut out.requires_replace,
            );
        }
        out.diagnostics.extend(lint::check(
            &self.address(&planned),
            &planned_kind.expansion,
            input.lint,
        ));
        out.planned = planned;
        out
    }

    /// Whether the children must be converged: a new composite, a changed expansion, drift
    /// found by the last refresh, or a component without a child.
    fn needs_converge(&self, prior: &Value, expansion: &Expansion) -> bool {
        if prior.is_null() {
            return true;
        }
        match self.plan_kind(prior) {
            Ok(p) if p.expansion == *expansion => {}
            _ => return true,
        }
        if matches!(prior.get(DRIFT), Some(Value::List(items)) if !items.is_empty()) {
            return true;
        }
        match prior.get(COMPONENTS) {
            Some(Value::Map(ids)) => expansion
                .components
                .iter()
                .any(|c| c.is_managed() && !ids.contains_key(&c.address())),
            _ => true,
        }
    }

    /// `tags_all`: unknown while any of the composite's tags is.
    fn tags_all(&self, default_tags: &BTreeMap<String, String>, value: &Value) -> Value {
        match value.get("tags") {
            Some(Value::Unknown) => Value::Unknown,
            Some(Value::Map(own)) if own.values().any(|v| matches!(v, Value::Unknown)) => Value::Unknown,
            _ => Value::Map(
                self.tags(default_tags, value)
                    .into_iter()
                    .map(|(k, v)| (k, Value::string(v)))
                    .collect(),
            ),
        }
    }

    /// Tags for every child: the provider's `default_tags`, then the composite's `tags`.
    fn tags(&self, default_tags: &BTreeMap<String, String>, value: &Value) -> BTreeMap<String, String> {
        let mut tags = default_tags.clone();
        if let Some(Value::Map(own)) = value.get("tags") {
            for (k, v) in own {
                if let Some(v) = v.as_str() {
                    tags.insert(k.clone(), v.to_string());
                }
            }
        }
        tags
    }

    /// ApplyResourceChange: create or update (planned state) or destroy (planned null).
    pub async fn apply(&self, env: &Env<'_>, prior: &Value, planned: &Value, planned_private: &[u8]) -> ApplyOutput {
        let children = match read_private(planned_private) {
            Ok(c) => c,
            Err(d) => {
                return ApplyOutput {
                    new_state: prior.clone(),
                    private: planned_private.to_vec(),
                    diagnostics: vec![d],
                };
            }
        };
        if planned.is_null() {
            return self.destroy(env, prior, children).await;
        }
        let planned_kind = match self.plan_kind(planned) {
            Ok(p) => p,
            Err(errors) => {
                return ApplyOutput {
                    new_state: prior.clone(),
                    private: planned_private.to_vec(),
                    diagnostics: errors.into_iter().map(|e| config_error(&self.kind_schema, e)).collect(),
                };
            }
        };
        let address = self.address(planned);
        let tags = self.tags(env.default_tags, planned);
        let target = Target {
            env: env.aws,
            composite: &address,
            tags: &tags,
            cancel: env.cancel,
        };
        let outcome = apply::apply(&target, &planned_kind.expansion, children).await;
        let diagnostics: Vec<Diagnostic> = outcome
            .errors
            .iter()
            .map(|e| Diagnostic::error(format!("{address}: apply failed"), e.clone()))
            .collect();
        if prior.is_null() && nothing_managed(&outcome.children) && !outcome.errors.is_empty() {
            // Nothing was created: there is no state to keep.
            return ApplyOutput {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics,
            };
        }
        let mut state = planned.clone();
        self.fill_from_children(&mut state, &planned_kind.expansion, &outcome.children);
        state.set(ID, self.id_for(planned));
        // A failed apply leaves its errors as drift, so the next plan converges again even
        // when Terraform keeps the new configuration in state.
        state.set(
            DRIFT,
            Value::List(
                outcome
                    .errors
                    .iter()
                    .map(|e| Value::String(format!("apply failed: {e}")))
                    .collect(),
            ),
        );
        ApplyOutput {
            new_state: state.unknowns_to_null(),
            private: write_private(&outcome.children),
            diagnostics,
        }
    }

    async fn destroy(&self, env: &Env<'_>, prior: &Value, children: Children) -> ApplyOutput {
        // The children record their own dependencies: deletion needs no expansion.
        let address = self.address(prior);
        let tags = self.tags(env.default_tags, prior);
        let target = Target {
            env: env.aws,
            composite: &address,
            tags: &tags,
            cancel: env.cancel,
        };
        let outcome = apply::destroy(&target, children).await;
        if outcome.errors.is_empty() {
            return ApplyOutput {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Vec::new(),
            };
        }
        let diagnostics = outcome
            .errors
            .iter()
            .map(|e| Diagnostic::error(format!("{address}: destroy failed"), e.clone()))
            .collect();
        let mut state = prior.clone();
        state.set(COMPONENTS, component_ids(&outcome.children));
        state.set(
            DRIFT,
            Value::List(
                outcome
                    .errors
                    .iter()
                    .map(|e| Value::String(format!("destroy failed: {e}")))
                    .collect(),
            ),
        );
        ApplyOutput {
            new_state: state.unknowns_to_null(),
            private: write_private(&outcome.children),
            diagnostics,
        }
    }

    /// ReadResource: refreshes every child; drift and vanished children show in `drift`.
    pub async fn read(&self, env: &Env<'_>, current: &Value, private: &[u8]) -> ReadOutput {
        if current.is_null() {
            return ReadOutput {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Vec::new(),
            };
        }
        let children = match read_private(private) {
            Ok(c) => c,
            Err(d) => {
                return ReadOutput {
                    new_state: current.clone(),
                    private: private.to_vec(),
                    diagnostics: vec![d],
                };
            }
        };
        let private_empty = children.is_empty();
        let recorded = matches!(current.get(COMPONENTS), Some(Value::Map(ids)) if !ids.is_empty());
        // An imported composite has no configuration yet; the orchestrator finds its
        // children by the composite tag.
        let expansion = self.plan_kind(current).map(|p| p.expansion).unwrap_or_default();
        let address = self.address(current);
        let tags = self.tags(env.default_tags, current);
        let target = Target {
            env: env.aws,
            composite: &address,
            tags: &tags,
            cancel: env.cancel,
        };
        let (outcome, drift) = apply::read(&target, &expansion, children).await;
        if !outcome.errors.is_empty() {
            let mut state = current.clone();
            state.set(COMPONENTS, component_ids(&outcome.children));
            return ReadOutput {
                new_state: state,
                private: write_private(&outcome.children),
                diagnostics: outcome
                    .errors
                    .iter()
                    .map(|e| Diagnostic::error(format!("{address}: refresh failed"), e.clone()))
                    .collect(),
            };
        }
        if nothing_managed(&outcome.children) {
            if private_empty && !recorded && is_imported(current) {
                // Imported and not applied yet: its children are found by that apply.
                return ReadOutput {
                    new_state: current.clone(),
                    private: private.to_vec(),
                    diagnostics: Vec::new(),
                };
            }
            if recorded && private_empty {
                // State lists children but the private record of them is gone: declaring
                // the composite gone would make Terraform create a second copy.
                return ReadOutput {
                    new_state: current.clone(),
                    private: private.to_vec(),
                    diagnostics: vec![Diagnostic::error(
                        format!("{address}: children unknown"),
                        "The state lists this composite's components, but the provider's private record of them \
                         is missing, so they cannot be refreshed. Remove the resource from state and import it by \
                         name to adopt the existing components.",
                    )],
                };
            }
            return ReadOutput {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Vec::new(),
            };
        }
        let mut state = current.clone();
        self.fill_from_children(&mut state, &expansion, &outcome.children);
        state.set(
            DRIFT,
            Value::List(
                drift
                    .iter()
                    .map(|d| Value::String(format!("{}: {}", d.component, d.message)))
                    .collect(),
            ),
        );
        ReadOutput {
            new_state: state.unknowns_to_null(),
            private: write_private(&outcome.children),
            diagnostics: Vec::new(),
        }
    }

    /// ImportResourceState (`id` = the composite's `name`): a state with no children yet.
    /// Several children carry no tags and no name of their own, so they can only be found
    /// from the configuration: the marker in `drift` makes the next plan an in-place update,
    /// and that apply adopts every child through the drivers' `find`.
    pub fn import(&self, id: &str) -> Result<(Value, Vec<u8>), Diagnostic> {
        let mut state = serde_json::json!({
            "name": id,
            ID: id,
            COMPONENTS: {},
            DRIFT: [IMPORTED],
        });
        // Absent list blocks are empty lists, as Terraform sends them.
        for b in &self.kind_schema.blocks {
            if matches!(b.nesting, Nesting::List { .. }) {
                state[b.name.as_str()] = Json::Array(Vec::new());
            }
        }
        let value = Value::from_json(&self.ty, &state).map_err(|e| {
            Diagnostic::error(
                "Import failed",
                format!(
                    "{} {id:?}: the imported state does not fit the schema ({e})",
                    self.kind.type_name
                ),
            )
        })?;
        Ok((value, write_private(&Children::new())))
    }

    /// Outputs and `components` from what exists.
    fn fill_from_children(&self, state: &mut Value, expansion: &Expansion, children: &Children) {
        let outputs = apply::outputs(expansion, children);
        for a in self
            .kind_schema
            .attributes
            .iter()
            .filter(|a| a.presence == Presence::Computed)
        {
            let v = outputs
                .get(&a.name)
                .and_then(|j| Value::from_json(&Type::from_blueprint(&a.ty), j).ok())
                .unwrap_or(Value::Null);
            state.set(&a.name, v);
        }
        state.set(COMPONENTS, component_ids(children));
    }
}

/// Whether `state` is an import that no apply has completed yet.
fn is_imported(state: &Value) -> bool {
    matches!(state.get(DRIFT), Some(Value::List(items)) if items.contains(&Value::string(IMPORTED)))
}

/// `components`: child address → physical id.
/// Whether no child that exists in AWS is recorded (data sources do not count).
fn nothing_managed(children: &Children) -> bool {
    children.keys().all(|address| crate::apply::is_data(address))
}

fn component_ids(children: &Children) -> Value {
    Value::Map(
        children
            .iter()
            .filter(|(address, _)| !crate::apply::is_data(address))
            .map(|(address, child)| {
                let id = child.state.get("id").and_then(Json::as_str).unwrap_or_default();
                (address.clone(), Value::string(id))
            })
            .collect(),
    )
}

/// Children from private state bytes (none when empty).
fn read_private(bytes: &[u8]) -> Result<Children, Diagnostic> {
    if bytes.is_empty() {
        return Ok(Children::new());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Diagnostic::error(
            "Unreadable private state",
            format!(
                "The provider's record of this composite's components could not be read ({e}). \
                 It was written by an incompatible provider version."
            ),
        )
    })
}

fn write_private(children: &Children) -> Vec<u8> {
    // Serialising string-keyed JSON maps cannot fail.
    serde_json::to_vec(children).unwrap_or_default()
}

fn config_error(schema: &Schema, e: ConfigError) -> Diagnostic {
    let summary = if e.path.is_empty() {
        "Invalid configuration".to_string()
    } else {
        format!("Invalid {}", display_path(schema, &e.path))
    };
    Diagnostic::error(summary, e.message).at(e.path)
}

/// `routes[0].path`, as the user writes it: the index into a block that can appear only
/// once (`handler { … }`) is left out (`handler.memory_size`).
fn display_path(schema: &Schema, path: &[PathStep]) -> String {
    let mut out = String::new();
    let mut current = Some(schema);
    let mut skip_index = false;
    for step in path {
        match step {
            PathStep::Attribute(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
                let block = current.and_then(|s| s.find_block(name));
                skip_index = matches!(block.map(|b| b.nesting), Some(Nesting::List { max: 1, .. }));
                current = block.map(|b| &b.schema);
            }
            PathStep::Index(0) if skip_index => skip_index = false,
            PathStep::Index(i) => {
                out.push_str(&format!("[{i}]"));
                skip_index = false;
            }
            PathStep::Key(k) => {
                out.push_str(&format!("[{k:?}]"));
                skip_index = false;
            }
        }
    }
    out
}

/// The kind's view of `value`: attributes and blocks of `schema` only, computed ones null.
fn strip_computed(schema: &Schema, value: &Value) -> Json {
    let Value::Object(fields) = value else {
        return value.to_json();
    };
    let mut out = serde_json::Map::new();
    for a in &schema.attributes {
        let v = match (a.presence, fields.get(&a.name)) {
            (Presence::Computed, _) | (_, None) => Json::Null,
            (_, Some(v)) => v.to_json(),
        };
        out.insert(a.name.clone(), v);
    }
    for b in &schema.blocks {
        let v = match fields.get(&b.name) {
            Some(Value::List(items)) => Json::Array(items.iter().map(|i| strip_computed(&b.schema, i)).collect()),
            Some(v) => strip_computed(&b.schema, v),
            None => Json::Null,
        };
        out.insert(b.name.clone(), v);
    }
    Json::Object(out)
}

/// The planned value of one block: configured values as configured; optional+computed
/// values the configuration leaves null from the kind's filled-in configuration; blocks
/// present exactly where the configuration has them.
fn merge(schema: &Schema, config: &Value, filled: Option<&Json>, prior: &Value) -> Value {
    let Value::Object(cfg) = config else {
        return config.clone();
    };
    let mut out = BTreeMap::new();
    for a in &schema.attributes {
        let configured = cfg.get(&a.name).cloned().unwrap_or(Value::Null);
        let v = match a.presence {
            Presence::Required | Presence::Optional => configured,
            _ if !configured.is_null() => configured,
            Presence::Defaulted => filled_value(a, filled).unwrap_or(Value::Unknown),
            Presence::Computed => filled_value(a, filled)
                .filter(|v| !v.is_null())
                .or_else(|| prior.get(&a.name).filter(|v| !v.is_null()).cloned())
                .unwrap_or(Value::Unknown),
        };
        out.insert(a.name.clone(), v);
    }
    for b in &schema.blocks {
        let configured = cfg.get(&b.name).cloned().unwrap_or(Value::Null);
        let filled_block = filled.and_then(|f| f.get(&b.name));
        let prior_block = prior.get(&b.name).cloned().unwrap_or(Value::Null);
        let v = match (b.nesting, &configured) {
            (Nesting::Single, _) => {
                let filled_single = match filled_block {
                    Some(Json::Array(items)) => items.first(),
                    other => other,
                };
                merge(&b.schema, &configured, filled_single, &prior_block)
            }
            (Nesting::List { .. }, Value::List(items)) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let prior_item = match &prior_block {
                            Value::List(p) => p.get(i).cloned().unwrap_or(Value::Null),
                            _ => Value::Null,
                        };
                        merge(&b.schema, item, filled_block.and_then(|f| f.get(i)), &prior_item)
                    })
                    .collect(),
            ),
            (Nesting::List { .. }, other) => other.clone(),
        };
        out.insert(b.name.clone(), v);
    }
    Value::Object(out)
}

fn filled_value(a: &Attribute, filled: Option<&Json>) -> Option<Value> {
    let json = filled?.get(&a.name)?;
    Value::from_json(&Type::from_blueprint(&a.ty), json).ok()
}

/// Paths of `forces_replacement` attributes whose planned value differs from the prior.
fn replace_paths(
    schema: &Schema,
    prior: &Value,
    planned: &Value,
    prefix: &mut Vec<PathStep>,
    out: &mut Vec<Vec<PathStep>>,
) {
    for a in schema.attributes.iter().filter(|a| a.forces_replacement) {
        if prior.get(&a.name).unwrap_or(&Value::Null) != planned.get(&a.name).unwrap_or(&Value::Null) {
            let mut path = prefix.clone();
            path.push(attr(&a.name));
            out.push(path);
        }
    }
    for b in &schema.blocks {
        let before = prior.get(&b.name).unwrap_or(&Value::Null);
        let after = planned.get(&b.name).unwrap_or(&Value::Null);
        prefix.push(attr(&b.name));
        match (b.nesting, before, after) {
            (Nesting::Single, _, _) => replace_paths(&b.schema, before, after, prefix, out),
            (Nesting::List { .. }, Value::List(x), Value::List(y)) if x.len() == y.len() => {
                for (i, (p, n)) in x.iter().zip(y).enumerate() {
                    prefix.push(PathStep::Index(i));
                    replace_paths(&b.schema, p, n, prefix, out);
                    prefix.pop();
                }
            }
            (Nesting::List { .. }, _, _) => {
                // Elements added or removed: a change if the block carries any attribute
                // whose change needs replacement.
                if before != after && forces_anywhere(&b.schema) {
                    out.push(prefix.clone());
                }
            }
        }
        prefix.pop();
    }
}

fn forces_anywhere(schema: &Schema) -> bool {
    schema.attributes.iter().any(|a| a.forces_replacement) || schema.blocks.iter().any(|b| forces_anywhere(&b.schema))
}

#[cfg(test)]
mod tests;
