//! The orchestrator: turns an expansion plus the children that exist into AWS calls, in
//! dependency waves (independent children in parallel), and always reports what exists.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use wellarch_blueprints::{Component, Expansion, Mode, Ref, Unresolved};

use crate::aws::{AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, DataDriver, Driver, DriverError};

/// One child as recorded in the composite's private state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Child {
    pub resource_type: String,
    /// `None`: the provider's region.
    pub region: Option<String>,
    pub state: ChildState,
    /// Children this one needed when it was made: deletion goes the other way, even after
    /// the expansion no longer has them.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// Children by component address (`aws_sqs_queue.jobs`). Data sources are recorded too
/// (`data.aws_caller_identity.current`), so references to them resolve on later operations;
/// ephemeral resources never are.
pub type Children = BTreeMap<String, Child>;

/// Whether a recorded child is a data source: read, never created or deleted.
pub fn is_data(address: &str) -> bool {
    address.starts_with("data.")
}

/// Values of ephemeral resources opened during one apply, by address; never persisted.
type Opened = BTreeMap<String, Map<String, Value>>;

/// The composite being acted on.
pub struct Target<'a> {
    pub env: &'a AwsEnv,
    /// `wellarch_burst_tolerant_api.orders`
    pub composite: &'a str,
    /// `default_tags` of the provider merged with the composite's `tags`.
    pub tags: &'a BTreeMap<String, String>,
    /// Cancelled by StopProvider: in-flight calls stop, the outcome still lists what exists.
    pub cancel: &'a CancellationToken,
}

/// What exists after an operation, and what went wrong (`aws_sqs_queue.jobs: CreateQueue: …`).
/// `children` is correct on every path, errors included.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub children: Children,
    pub errors: Vec<String>,
}

/// A difference between what a child should be and what AWS has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub component: String,
    /// `deleted outside Terraform`, or `visibility_timeout_seconds is 30, expected 180`.
    pub message: String,
}

/// How many AWS operations run at once. `WELLARCH_MAX_PARALLEL=1` applies one child at a
/// time (for measuring what concurrency buys).
fn max_parallel() -> usize {
    std::env::var("WELLARCH_MAX_PARALLEL")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(16)
}

type Lookup<'a> = &'a (dyn Fn(&str) -> Option<&'static dyn Driver> + Sync);

/// Makes AWS match `expansion`: creates missing children, updates changed ones in place,
/// replaces those whose change needs it, then deletes children the expansion no longer has.
pub async fn apply(target: &Target<'_>, expansion: &Expansion, prior: Children) -> Outcome {
    apply_with(target, expansion, prior, &crate::aws::driver).await
}

/// Refreshes every child. A child deleted behind Terraform's back leaves `children`; it and
/// every attribute AWS has changed are reported as drift against what the expansion wants.
pub async fn read(target: &Target<'_>, expansion: &Expansion, prior: Children) -> (Outcome, Vec<Drift>) {
    read_with(target, expansion, prior, &crate::aws::driver).await
}

/// Deletes every child in reverse dependency order and waits until each is gone. A child
/// whose deletion fails stays, and so does everything it depends on.
pub async fn destroy(target: &Target<'_>, prior: Children) -> Outcome {
    let all: BTreeSet<String> = prior.keys().cloned().collect();
    let mut outcome = Outcome {
        children: prior,
        errors: Vec::new(),
    };
    delete_children(target, &mut outcome, all, &crate::aws::driver).await;
    outcome
}

/// The composite's computed outputs: `expansion.outputs` resolved against the children.
pub fn outputs(expansion: &Expansion, children: &Children) -> BTreeMap<String, Value> {
    let lookup = |r: &Ref| lookup_in(children, r);
    expansion
        .outputs
        .iter()
        .filter_map(|(name, expr)| expr.resolve(&lookup).ok().map(|v| (name.clone(), v)))
        .collect()
}

fn lookup_in(children: &Children, r: &Ref) -> Option<Value> {
    children
        .get(&r.component)
        .and_then(|c| c.state.get(&r.attribute))
        .cloned()
}

/// The attributes a component should have, given the children that exist and the
/// ephemeral values opened so far. Without `opened` (a refresh), ephemeral values read as
/// null: they only feed write-only attributes, which are never compared.
fn desired(component: &Component, children: &Children, opened: Option<&Opened>) -> Result<Map<String, Value>, String> {
    let lookup = |r: &Ref| {
        if !r.component.starts_with("ephemeral.") {
            return lookup_in(children, r);
        }
        match opened {
            Some(values) => values.get(&r.component).and_then(|v| v.get(&r.attribute)).cloned(),
            None => Some(Value::Null),
        }
    };
    match component.body.resolve(&lookup) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("component body is not an object".into()),
        Err(Unresolved::Ref(r)) => Err(format!("needs {} which does not exist", r.component)),
        Err(Unresolved::Unknown) => Err("has a value unknown at apply time".into()),
    }
}

/// Whether an attribute is write-only (`master_password_wo`): sent to AWS, never stored or
/// compared.
fn is_write_only(attribute: &str) -> bool {
    attribute.ends_with("_wo")
}

/// Whether a taggable child's tags (`tags_all` in its state) differ from what it should
/// carry ([`crate::aws::tags::wanted`]).
fn retag_needed(ctx: &ChildCtx<'_>, want: &Map<String, Value>, state: &ChildState) -> bool {
    let Some(Value::Object(have)) = state.get("tags_all") else {
        return false;
    };
    // Unreadable `tags` are reported by the update itself.
    let Ok(expected) = crate::aws::tags::wanted(ctx, want) else {
        return true;
    };
    have.len() != expected.len()
        || expected
            .iter()
            .any(|(k, v)| have.get(k).and_then(Value::as_str) != Some(v))
}

/// The context a driver acts on one child in.
fn child_ctx<'a>(
    target: &Target<'a>,
    region: Option<&'a str>,
    tags: &'a BTreeMap<String, String>,
    address: &'a str,
) -> ChildCtx<'a> {
    ChildCtx {
        env: target.env,
        region,
        tags,
        composite: target.composite,
        component: address,
    }
}

fn child_tags(target: &Target<'_>, component: &str) -> BTreeMap<String, String> {
    let mut tags = target.tags.clone();
    tags.insert(COMPOSITE_TAG.into(), target.composite.into());
    tags.insert(COMPONENT_TAG.into(), component.into());
    tags
}

/// Whether AWS's value `have` satisfies the wanted `want`: nested attributes the expansion
/// leaves unset (null or absent) are AWS's to choose; JSON documents in strings compare by
/// content (IAM policies as IAM does); numbers by value.
fn covers(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Null, _) => true,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) if x != y => same_document(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| covers(p, q)),
        (Value::Object(x), Value::Object(y)) => x.iter().all(|(k, v)| y.get(k).is_none_or(|w| covers(v, w))),
        _ => want == have,
    }
}

/// Two strings holding the same JSON document (an IAM policy, a redrive policy).
fn same_document(x: &str, y: &str) -> bool {
    let parse = |s: &str| {
        serde_json::from_str::<Value>(s)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
    };
    let (Some(a), Some(b)) = (parse(x), parse(y)) else {
        return false;
    };
    if a.get("Statement").is_some() || b.get("Statement").is_some() {
        return crate::aws::policy_json::equivalent(x, y);
    }
    json_equal(&a, &b)
}

/// Exact JSON equality, numbers by value.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Attributes of `desired` whose value in `actual` differs (attributes `actual` lacks are
/// not compared: the driver cannot read them back).
fn differences(desired: &Map<String, Value>, actual: &Map<String, Value>) -> Vec<String> {
    desired
        .iter()
        .filter(|(k, _)| !is_write_only(k))
        .filter_map(|(k, want)| {
            let have = actual.get(k)?;
            (!covers(want, have)).then(|| k.clone())
        })
        .collect()
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}…", &s[..s.floor_char_boundary(80)])
    } else {
        s
    }
}

/// Runs `op` unless cancelled, within the component timeout (plus slack for the driver's
/// own bounded waits).
async fn guarded<T>(
    target: &Target<'_>,
    op: impl std::future::Future<Output = Result<T, DriverError>>,
) -> Result<T, DriverError> {
    let limit = target.env.component_timeout + Duration::from_secs(30);
    tokio::select! {
        // Checked first: after StopProvider no new AWS call starts.
        biased;
        _ = target.cancel.cancelled() => Err(DriverError::new("cancelled by Terraform (StopProvider)")),
        r = tokio::time::timeout(limit, op) => r.unwrap_or_else(|_| Err(DriverError::new(format!("timed out after {}s", limit.as_secs())))),
    }
}

enum Step {
    Unchanged,
    Created(Child),
    Updated(Child),
    /// The child now recorded (if any) replaces whatever was there, and the error (if any)
    /// that stopped it from converging.
    Replaced(Option<Child>, Option<DriverError>),
    Failed(DriverError),
    /// The old child is gone but nothing replaced it.
    Lost(DriverError),
}

async fn apply_with(target: &Target<'_>, expansion: &Expansion, prior: Children, drivers: Lookup<'_>) -> Outcome {
    let mut outcome = Outcome {
        children: prior,
        errors: Vec::new(),
    };
    let waves = match expansion.waves() {
        Ok(w) => w,
        Err(e) => {
            outcome.errors.push(format!("invalid expansion: {e}"));
            return outcome;
        }
    };
    let permits = Arc::new(Semaphore::new(max_parallel()));
    let mut failed: BTreeSet<String> = BTreeSet::new();
    let mut opened = Opened::new();
    for wave in waves {
        let mut jobs = Vec::new();
        for i in wave {
            let component = &expansion.components[i];
            let address = component.address();
            let blocked: Vec<String> = component
                .dependencies()
                .into_iter()
                .filter(|d| failed.contains(d))
                .collect();
            if !blocked.is_empty() {
                outcome
                    .errors
                    .push(format!("{address}: not applied because {} failed", blocked.join(", ")));
                failed.insert(address);
                continue;
            }
            let want = match desired(component, &outcome.children, Some(&opened)) {
                Ok(w) => w,
                Err(e) => {
                    outcome.errors.push(format!("{address}: {e}"));
                    failed.insert(address);
                    continue;
                }
            };
            if !component.is_managed() {
                // Read now, in its wave: later waves refer to it.
                match read_source(target, component, &want).await {
                    Ok(values) if component.mode == Mode::Data => {
                        outcome.children.insert(address, child_of(component, values));
                    }
                    Ok(values) => {
                        opened.insert(address, values);
                    }
                    Err(e) => {
                        outcome.errors.push(format!("{address}: {e}"));
                        failed.insert(address);
                    }
                }
                continue;
            }
            let Some(driver) = drivers(&component.resource_type) else {
                outcome
                    .errors
                    .push(format!("{address}: no driver for {}", component.resource_type));
                failed.insert(address);
                continue;
            };
            let existing = outcome
                .children
                .get(&address)
                .filter(|c| c.resource_type == component.resource_type && c.region == component.region)
                .cloned();
            let permits = permits.clone();
            jobs.push(async move {
                let _permit = permits.acquire_owned().await;
                let step = apply_one(target, component, driver, want, existing).await;
                (address, component, step)
            });
        }
        for (address, component, step) in join_all(jobs).await {
            let record = |state: ChildState| Child {
                resource_type: component.resource_type.clone(),
                region: component.region.clone(),
                state,
                depends_on: component.dependencies(),
            };
            match step {
                Step::Unchanged => {}
                Step::Created(c) | Step::Updated(c) => {
                    outcome.children.insert(address, record(c.state));
                }
                Step::Replaced(new, err) => {
                    outcome.children.remove(&address);
                    if let Some(c) = new {
                        outcome.children.insert(address.clone(), record(c.state));
                    }
                    if let Some(e) = err {
                        outcome.errors.push(format!("{address}: {e}"));
                        failed.insert(address);
                    }
                }
                Step::Failed(e) => {
                    outcome.errors.push(format!("{address}: {e}"));
                    failed.insert(address);
                }
                Step::Lost(e) => {
                    outcome.children.remove(&address);
                    outcome.errors.push(format!("{address}: {e}"));
                    failed.insert(address);
                }
            }
        }
    }
    // Children the expansion no longer has (e.g. `edge` turned off), or whose type or region
    // changed, go last: a kept child may still point at them until it is updated above.
    let stale: BTreeSet<String> = outcome
        .children
        .iter()
        .filter(|(address, child)| {
            expansion
                .component(address)
                .is_none_or(|c| c.resource_type != child.resource_type || c.region != child.region)
        })
        .map(|(address, _)| address.clone())
        .collect();
    if outcome.errors.is_empty() {
        delete_children(target, &mut outcome, stale, drivers).await;
    }
    outcome
}

/// Reads a data source or opens an ephemeral resource.
async fn read_source(
    target: &Target<'_>,
    component: &Component,
    want: &Map<String, Value>,
) -> Result<Map<String, Value>, DriverError> {
    let source: Option<&'static dyn DataDriver> = match component.mode {
        Mode::Data => crate::aws::data_source(&component.resource_type),
        _ => crate::aws::ephemeral_resource(&component.resource_type),
    };
    let Some(source) = source else {
        return Err(DriverError::new(format!("no driver for {}", component.address())));
    };
    let address = component.address();
    let tags = child_tags(target, &address);
    let ctx = child_ctx(target, component.region.as_deref(), &tags, &address);
    guarded(target, source.read(&ctx, want)).await
}

async fn apply_one(
    target: &Target<'_>,
    component: &Component,
    driver: &'static dyn Driver,
    want: Map<String, Value>,
    existing: Option<Child>,
) -> Step {
    let address = component.address();
    let tags = child_tags(target, &address);
    let ctx = child_ctx(target, component.region.as_deref(), &tags, &address);
    let adopted = existing.is_none();
    let existing = match existing {
        Some(e) => Some(e),
        // Nothing recorded (an import, or a re-apply after a crash): adopt what exists.
        None => match guarded(target, driver.find(&ctx, &want)).await {
            Ok(found) => found.map(|state| child_of(component, state)),
            Err(e) => return Step::Failed(DriverError::new(format!("finding an existing resource: {e}"))),
        },
    };
    let Some(existing) = existing else {
        return match guarded(target, driver.create(&ctx, &want)).await {
            Ok(state) => Step::Created(child_of(component, state)),
            Err(DriverError {
                message,
                created: Some(state),
            }) => Step::Replaced(Some(child_of(component, state)), Some(DriverError::new(message))),
            Err(e) => Step::Failed(e),
        };
    };
    let mut changed = differences(&want, &existing.state);
    if changed.is_empty() && retag_needed(&ctx, &want, &existing.state) {
        // Only `default_tags` or the composite's `tags` changed: an in-place update retags.
        changed.push("tags_all".into());
    }
    if changed.is_empty() {
        // An adopted child is unchanged but still has to be recorded.
        return if adopted {
            Step::Updated(existing)
        } else {
            Step::Unchanged
        };
    }
    if changed.iter().any(|k| driver.replace_on().contains(&k.as_str())) {
        if let Err(e) = guarded(target, driver.delete(&ctx, &existing.state)).await {
            return Step::Failed(DriverError::new(format!("replacing ({}): {e}", changed.join(", "))));
        }
        return match guarded(target, driver.create(&ctx, &want)).await {
            Ok(state) => Step::Replaced(Some(child_of(component, state)), None),
            Err(DriverError {
                message,
                created: Some(state),
            }) => Step::Replaced(Some(child_of(component, state)), Some(DriverError::new(message))),
            Err(e) => Step::Lost(e),
        };
    }
    match guarded(target, driver.update(&ctx, &existing.state, &want)).await {
        Ok(state) => Step::Updated(child_of(component, state)),
        Err(e) => Step::Failed(e),
    }
}

fn child_of(component: &Component, mut state: ChildState) -> Child {
    // A driver never returns write-only values; this keeps a slip out of state too.
    state.retain(|k, _| !is_write_only(k));
    Child {
        resource_type: component.resource_type.clone(),
        region: component.region.clone(),
        state,
        depends_on: component.dependencies(),
    }
}

/// Deletes `which` children, dependents first. A failed deletion keeps the child and
/// everything it depends on.
async fn delete_children(target: &Target<'_>, outcome: &mut Outcome, which: BTreeSet<String>, drivers: Lookup<'_>) {
    let mut left = which;
    let mut kept: BTreeSet<String> = BTreeSet::new();
    let permits = Arc::new(Semaphore::new(max_parallel()));
    while !left.is_empty() {
        // A child can go once no remaining child of `left` depends on it.
        let needed: BTreeSet<&String> = left
            .iter()
            .filter_map(|a| outcome.children.get(a))
            .flat_map(|c| c.depends_on.iter())
            .collect();
        let wave: Vec<String> = left.iter().filter(|a| !needed.contains(a)).cloned().collect();
        if wave.is_empty() {
            // Recorded dependencies form a cycle (never written by us): delete the rest together.
            let rest: Vec<String> = left.iter().cloned().collect();
            delete_wave(target, outcome, rest, &mut kept, &permits, drivers).await;
            break;
        }
        for a in &wave {
            left.remove(a);
        }
        // A child that a kept (undeletable) child depends on must stay too.
        let (blocked, ready): (Vec<String>, Vec<String>) = wave.into_iter().partition(|a| {
            kept.iter()
                .any(|k| outcome.children.get(k).is_some_and(|c| c.depends_on.contains(a)))
        });
        kept.extend(blocked);
        delete_wave(target, outcome, ready, &mut kept, &permits, drivers).await;
    }
}

async fn delete_wave(
    target: &Target<'_>,
    outcome: &mut Outcome,
    wave: Vec<String>,
    kept: &mut BTreeSet<String>,
    permits: &Arc<Semaphore>,
    drivers: Lookup<'_>,
) {
    let jobs = wave.into_iter().filter_map(|address| {
        let child = outcome.children.get(&address)?.clone();
        let permits = permits.clone();
        Some(async move {
            if is_data(&address) {
                // Nothing exists in AWS for a data source.
                return (address, Ok(()));
            }
            let _permit = permits.acquire_owned().await;
            let Some(driver) = drivers(&child.resource_type) else {
                return (
                    address,
                    Err(DriverError::new(format!("no driver for {}", child.resource_type))),
                );
            };
            let tags = child_tags(target, &address);
            let ctx = child_ctx(target, child.region.as_deref(), &tags, &address);
            let result = guarded(target, driver.delete(&ctx, &child.state)).await;
            (address, result)
        })
    });
    for (address, result) in join_all(jobs).await {
        match result {
            Ok(()) => {
                outcome.children.remove(&address);
            }
            Err(e) => {
                outcome.errors.push(format!("{address}: {e}"));
                kept.insert(address);
            }
        }
    }
}

async fn read_with(
    target: &Target<'_>,
    expansion: &Expansion,
    prior: Children,
    drivers: Lookup<'_>,
) -> (Outcome, Vec<Drift>) {
    let permits = Arc::new(Semaphore::new(max_parallel()));
    let jobs = prior
        .iter()
        .filter(|(address, _)| !is_data(address))
        .map(|(address, child)| {
            let permits = permits.clone();
            async move {
                let _permit = permits.acquire_owned().await;
                let Some(driver) = drivers(&child.resource_type) else {
                    return (
                        address,
                        Err(DriverError::new(format!("no driver for {}", child.resource_type))),
                    );
                };
                let tags = child_tags(target, address);
                let ctx = child_ctx(target, child.region.as_deref(), &tags, address);
                (address, guarded(target, driver.read(&ctx, &child.state)).await)
            }
        });
    let results = join_all(jobs).await;
    let mut outcome = Outcome::default();
    for (address, child) in prior.iter().filter(|(address, _)| is_data(address)) {
        outcome.children.insert(address.clone(), child.clone());
    }
    let mut drift = Vec::new();
    for (address, result) in results {
        let child = &prior[address];
        match result {
            Ok(None) => drift.push(Drift {
                component: address.clone(),
                message: "deleted outside Terraform".into(),
            }),
            Ok(Some(current)) => {
                let mut state = child.state.clone();
                state.extend(current);
                outcome
                    .children
                    .insert(address.clone(), Child { state, ..child.clone() });
            }
            Err(e) => {
                // Unreadable is not gone: keep what we knew.
                outcome.errors.push(format!("{address}: {e}"));
                outcome.children.insert(address.clone(), child.clone());
            }
        }
    }
    // Compare against what the expansion wants, resolved with the refreshed children (and,
    // for a child deleted outside Terraform, with what it was).
    let mut known = prior.clone();
    known.extend(outcome.children.iter().map(|(a, c)| (a.clone(), c.clone())));
    for component in &expansion.components {
        let address = component.address();
        let Some(child) = outcome.children.get(&address) else {
            continue;
        };
        let Ok(want) = desired(component, &known, None) else {
            continue;
        };
        for key in differences(&want, &child.state) {
            drift.push(Drift {
                component: address.clone(),
                message: format!(
                    "{key} is {}, expected {}",
                    short(&child.state[&key]),
                    short(&want[&key])
                ),
            });
        }
    }
    drift.sort_by(|a, b| (&a.component, &a.message).cmp(&(&b.component, &b.message)));
    (outcome, drift)
}

#[cfg(test)]
mod tests {
    //! The orchestrator's ordering, partial-state and drift logic, with in-memory drivers
    //! standing in for AWS (the drivers themselves are tested against moto).

    use std::sync::Mutex;

    use async_trait::async_trait;
    use serde_json::json;
    use wellarch_blueprints::{Body, Expr};

    use super::*;

    /// A fake AWS: resources by id, a log of calls, and types whose create fails.
    #[derive(Default)]
    struct Fake {
        store: Mutex<BTreeMap<String, Map<String, Value>>>,
        log: Mutex<Vec<String>>,
        fail_create: Vec<&'static str>,
        fail_after_create: Vec<&'static str>,
        fail_delete: Vec<&'static str>,
    }

    struct FakeDriver {
        rtype: &'static str,
        fake: Arc<Fake>,
    }

    #[async_trait]
    impl Driver for FakeDriver {
        fn resource_type(&self) -> &'static str {
            self.rtype
        }
        fn service(&self) -> &'static str {
            "fake"
        }
        fn replace_on(&self) -> &'static [&'static str] {
            &["name"]
        }
        async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
            self.fake
                .log
                .lock()
                .expect("lock")
                .push(format!("create {}", ctx.component));
            if self.fake.fail_create.contains(&self.rtype) {
                return Err(DriverError::new("CreateThing: LimitExceeded: too many"));
            }
            if self.fake.fail_after_create.contains(&self.rtype) {
                let id = "half-made".to_string();
                let state: ChildState = [("id".to_string(), json!(id))].into_iter().collect();
                self.fake.store.lock().expect("lock").insert(id, state.clone());
                return Err(DriverError::after_create("waiting for Ready: timed out", state));
            }
            let mut state = desired.clone();
            let id = format!("{}-id", desired.get("name").and_then(Value::as_str).unwrap_or("x"));
            state.insert("id".into(), json!(id));
            state.insert("arn".into(), json!(format!("arn:{id}")));
            self.fake.store.lock().expect("lock").insert(id, state.clone());
            Ok(state)
        }
        async fn read(&self, _: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
            let id = crate::aws::state_id(state)?;
            Ok(self.fake.store.lock().expect("lock").get(id).cloned())
        }
        async fn update(
            &self,
            ctx: &ChildCtx<'_>,
            state: &ChildState,
            desired: &Map<String, Value>,
        ) -> Result<ChildState, DriverError> {
            self.fake
                .log
                .lock()
                .expect("lock")
                .push(format!("update {}", ctx.component));
            let id = crate::aws::state_id(state)?.to_string();
            let mut new = state.clone();
            new.extend(desired.clone());
            self.fake.store.lock().expect("lock").insert(id, new.clone());
            Ok(new)
        }
        async fn find(
            &self,
            _: &ChildCtx<'_>,
            desired: &Map<String, Value>,
        ) -> Result<Option<ChildState>, DriverError> {
            let id = format!("{}-id", desired.get("name").and_then(Value::as_str).unwrap_or("x"));
            Ok(self.fake.store.lock().expect("lock").get(&id).cloned())
        }
        async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
            self.fake
                .log
                .lock()
                .expect("lock")
                .push(format!("delete {}", ctx.component));
            if self.fake.fail_delete.contains(&self.rtype) {
                return Err(DriverError::new("DeleteThing: InUse"));
            }
            let id = crate::aws::state_id(state)?;
            self.fake.store.lock().expect("lock").remove(id);
            Ok(())
        }
    }

    fn env() -> AwsEnv {
        AwsEnv {
            base: aws_types::SdkConfig::builder().build(),
            endpoints: Default::default(),
            component_timeout: Duration::from_secs(5),
        }
    }

    /// queue ← dlq; role; function ← role, queue; mapping ← function, queue.
    fn expansion(queue_name: &str) -> Expansion {
        let c = |t: &str, n: &str, body: Body| Component::new(t, n, body);
        Expansion {
            components: vec![
                c(
                    "fake_mapping",
                    "m",
                    Body::new()
                        .attr("name", "m")
                        .attr("function", Expr::reference("fake_function.f", "arn"))
                        .attr("queue", Expr::reference("fake_queue.q", "arn")),
                ),
                c(
                    "fake_function",
                    "f",
                    Body::new()
                        .attr("name", "f")
                        .attr("role", Expr::reference("fake_role.r", "arn"))
                        .attr("timeout", 30),
                ),
                c(
                    "fake_queue",
                    "q",
                    Body::new()
                        .attr("name", queue_name)
                        .attr("dlq", Expr::reference("fake_queue.dlq", "arn")),
                ),
                c("fake_queue", "dlq", Body::new().attr("name", "dlq")),
                c("fake_role", "r", Body::new().attr("name", "r")),
            ],
            outputs: vec![("queue_arn".into(), Expr::reference("fake_queue.q", "arn"))],
        }
    }

    struct Harness {
        fake: Arc<Fake>,
        drivers: Vec<&'static FakeDriver>,
        env: AwsEnv,
        tags: BTreeMap<String, String>,
        cancel: CancellationToken,
    }

    impl Harness {
        fn new(fake: Fake) -> Self {
            let fake = Arc::new(fake);
            let drivers = ["fake_mapping", "fake_function", "fake_queue", "fake_role"]
                .into_iter()
                .map(|rtype| {
                    // Leaked: drivers are 'static like the real registry's.
                    &*Box::leak(Box::new(FakeDriver {
                        rtype,
                        fake: fake.clone(),
                    }))
                })
                .collect();
            Harness {
                fake,
                drivers,
                env: env(),
                tags: BTreeMap::new(),
                cancel: CancellationToken::new(),
            }
        }
        fn target(&self) -> Target<'_> {
            Target {
                env: &self.env,
                composite: "wellarch_fake.test",
                tags: &self.tags,
                cancel: &self.cancel,
            }
        }
        fn lookup(&self) -> impl Fn(&str) -> Option<&'static dyn Driver> + Sync + '_ {
            move |t| {
                self.drivers
                    .iter()
                    .find(|d| d.rtype == t)
                    .map(|d| *d as &'static dyn Driver)
            }
        }
        fn log(&self) -> Vec<String> {
            std::mem::take(&mut *self.fake.log.lock().expect("lock"))
        }
        fn position(log: &[String], entry: &str) -> usize {
            log.iter()
                .position(|l| l == entry)
                .unwrap_or_else(|| panic!("{entry} not in {log:?}"))
        }
    }

    #[tokio::test]
    async fn without_recorded_children_existing_ones_are_adopted_not_duplicated() {
        let h = Harness::new(Fake::default());
        let first = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        assert_eq!(first.errors, Vec::<String>::new());
        h.log();
        // A lost state (import, or a crash before the state was saved): nothing recorded.
        h.fake.store.lock().expect("lock").entry("f-id".into()).and_modify(|f| {
            f.insert("timeout".into(), json!(3));
        });
        let again = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        assert_eq!(again.errors, Vec::<String>::new());
        assert_eq!(
            h.log(),
            vec!["update fake_function.f".to_string()],
            "adopted, one drift fixed"
        );
        let ids = |c: &Children| -> Vec<(String, Value)> {
            c.iter().map(|(a, c)| (a.clone(), c.state["id"].clone())).collect()
        };
        assert_eq!(ids(&again.children), ids(&first.children));
        assert_eq!(h.fake.store.lock().expect("lock").len(), 5, "nothing duplicated");
    }

    #[tokio::test]
    async fn creates_in_dependency_order_and_resolves_references() {
        let h = Harness::new(Fake::default());
        let out = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        assert_eq!(out.errors, Vec::<String>::new());
        assert_eq!(out.children.len(), 5);
        let log = h.log();
        let at = |e: &str| Harness::position(&log, e);
        assert!(at("create fake_queue.dlq") < at("create fake_queue.q"));
        assert!(at("create fake_role.r") < at("create fake_function.f"));
        assert!(at("create fake_function.f") < at("create fake_mapping.m"));
        assert_eq!(out.children["fake_mapping.m"].state["function"], json!("arn:f-id"));
        assert_eq!(
            out.children["fake_function.f"].depends_on,
            vec!["fake_role.r".to_string()]
        );
        assert_eq!(outputs(&expansion("q"), &out.children)["queue_arn"], json!("arn:q-id"));
        // Applying again changes nothing.
        let again = apply_with(&h.target(), &expansion("q"), out.children.clone(), &h.lookup()).await;
        assert!(again.errors.is_empty());
        assert_eq!(h.log(), Vec::<String>::new());
        assert_eq!(again.children, out.children);
    }

    #[tokio::test]
    async fn a_failure_returns_every_child_that_exists() {
        let h = Harness::new(Fake {
            fail_create: vec!["fake_function"],
            ..Fake::default()
        });
        let out = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        let created: Vec<&str> = out.children.keys().map(String::as_str).collect();
        assert_eq!(created, ["fake_queue.dlq", "fake_queue.q", "fake_role.r"]);
        assert_eq!(
            out.errors,
            [
                "fake_function.f: CreateThing: LimitExceeded: too many",
                "fake_mapping.m: not applied because fake_function.f failed",
            ]
        );
        assert_eq!(
            h.fake.store.lock().expect("lock").len(),
            3,
            "nothing orphaned, nothing extra"
        );
    }

    #[tokio::test]
    async fn a_child_made_before_its_create_failed_is_recorded() {
        let h = Harness::new(Fake {
            fail_after_create: vec!["fake_role"],
            ..Fake::default()
        });
        let out = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        assert_eq!(out.children["fake_role.r"].state["id"], json!("half-made"));
        assert!(
            out.errors
                .contains(&"fake_role.r: waiting for Ready: timed out".to_string()),
            "{:?}",
            out.errors
        );
        assert!(
            !out.children.contains_key("fake_function.f"),
            "dependents wait for a converged role"
        );
    }

    #[tokio::test]
    async fn updates_in_place_and_replaces_on_forcing_changes() {
        let h = Harness::new(Fake::default());
        let first = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        h.log();
        let mut changed = expansion("q");
        changed.components[1].body.attributes[2].1 = Expr::int(60);
        let out = apply_with(&h.target(), &changed, first.children, &h.lookup()).await;
        assert!(out.errors.is_empty());
        assert_eq!(h.log(), ["update fake_function.f"]);
        assert_eq!(out.children["fake_function.f"].state["timeout"], json!(60));

        let renamed = apply_with(&h.target(), &expansion("q2"), out.children, &h.lookup()).await;
        assert!(renamed.errors.is_empty());
        let log = h.log();
        assert!(Harness::position(&log, "delete fake_queue.q") < Harness::position(&log, "create fake_queue.q"));
        // The mapping refers to the queue's ARN, which changed: updated in place.
        assert!(log.contains(&"update fake_mapping.m".to_string()), "{log:?}");
        assert_eq!(renamed.children["fake_mapping.m"].state["queue"], json!("arn:q2-id"));
    }

    #[tokio::test]
    async fn removed_components_are_deleted_after_the_rest_is_applied() {
        let h = Harness::new(Fake::default());
        let first = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        h.log();
        let mut smaller = expansion("q");
        smaller.components.retain(|c| c.name != "m");
        let out = apply_with(&h.target(), &smaller, first.children, &h.lookup()).await;
        assert!(out.errors.is_empty());
        assert_eq!(h.log(), ["delete fake_mapping.m"]);
        assert!(!out.children.contains_key("fake_mapping.m"));
    }

    #[tokio::test]
    async fn destroy_goes_in_reverse_and_keeps_what_a_failed_child_needs() {
        let h = Harness::new(Fake::default());
        let first = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        h.log();
        let mut out = Outcome {
            children: first.children.clone(),
            errors: Vec::new(),
        };
        let all = first.children.keys().cloned().collect();
        delete_children(&h.target(), &mut out, all, &h.lookup()).await;
        assert!(out.errors.is_empty() && out.children.is_empty());
        let log = h.log();
        let at = |e: &str| Harness::position(&log, e);
        assert!(at("delete fake_mapping.m") < at("delete fake_function.f"));
        assert!(at("delete fake_function.f") < at("delete fake_role.r"));
        assert!(at("delete fake_queue.q") < at("delete fake_queue.dlq"));

        let h = Harness::new(Fake {
            fail_delete: vec!["fake_function"],
            ..Fake::default()
        });
        let first = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        let mut out = Outcome {
            children: first.children.clone(),
            errors: Vec::new(),
        };
        let all = first.children.keys().cloned().collect();
        delete_children(&h.target(), &mut out, all, &h.lookup()).await;
        let left: Vec<&str> = out.children.keys().map(String::as_str).collect();
        assert_eq!(
            left,
            ["fake_function.f", "fake_role.r"],
            "the role stays while the function exists"
        );
        assert_eq!(out.errors, ["fake_function.f: DeleteThing: InUse"]);
    }

    #[tokio::test]
    async fn read_reports_deleted_and_changed_children_as_drift() {
        let h = Harness::new(Fake::default());
        let e = expansion("q");
        let first = apply_with(&h.target(), &e, Children::new(), &h.lookup()).await;
        {
            let mut store = h.fake.store.lock().expect("lock");
            store.remove("r-id");
            if let Some(f) = store.get_mut("f-id") {
                f.insert("timeout".into(), json!(3));
            }
        }
        let (out, drift) = read_with(&h.target(), &e, first.children, &h.lookup()).await;
        assert!(out.errors.is_empty());
        assert!(!out.children.contains_key("fake_role.r"));
        let messages: Vec<String> = drift
            .iter()
            .map(|d| format!("{}: {}", d.component, d.message))
            .collect();
        assert_eq!(
            messages,
            [
                "fake_function.f: timeout is 3, expected 30",
                "fake_role.r: deleted outside Terraform",
            ]
        );
        // Applying repairs both.
        let repaired = apply_with(&h.target(), &e, out.children, &h.lookup()).await;
        assert!(repaired.errors.is_empty(), "{:?}", repaired.errors);
        let (_, drift) = read_with(&h.target(), &e, repaired.children, &h.lookup()).await;
        assert_eq!(drift, []);
    }

    #[tokio::test]
    async fn cancellation_stops_work_and_keeps_the_partial_state() {
        let h = Harness::new(Fake::default());
        h.cancel.cancel();
        let out = apply_with(&h.target(), &expansion("q"), Children::new(), &h.lookup()).await;
        assert!(out.children.is_empty());
        assert!(out.errors.iter().any(|e| e.contains("cancelled")), "{:?}", out.errors);
    }

    #[test]
    fn json_documents_compare_by_content() {
        assert!(covers(
            &json!(r#"{"a":1,"b":[2]}"#),
            &json!(r#"{ "b": [2], "a": 1.0 }"#)
        ));
        assert!(!covers(&json!(r#"{"a":1}"#), &json!(r#"{"a":2}"#)));
        assert!(
            !covers(&json!(r#"{"a":1}"#), &json!(r#"{"a":1,"b":2}"#)),
            "documents compare whole"
        );
        assert!(covers(&json!(5), &json!(5.0)));
        assert!(!covers(&json!("a"), &json!("b")));
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":["sqs:SendMessage"],"Resource":"arn:q"}]}"#;
        let from_iam = r#"{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"arn:q","Sid":"S"}],"Version":"2012-10-17"}"#;
        assert!(covers(&json!(policy), &json!(from_iam)));
    }

    #[test]
    fn attributes_aws_chooses_are_not_drift() {
        let want = json!([{ "cloudfront_default_certificate": true, "acm_certificate_arn": null }]);
        let have = json!([{ "cloudfront_default_certificate": true, "minimum_protocol_version": "TLSv1" }]);
        assert!(covers(&want, &have));
        let changed = json!([{ "cloudfront_default_certificate": false }]);
        assert!(!covers(&changed, &have));
    }
}
