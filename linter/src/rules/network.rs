//! VPC graph questions shared by rules: which route tables a subnet uses (explicitly, or the
//! VPC's main table), and whether one of them sends the whole internet to an internet gateway.
//!
//! Every answer here is "certainly" or nothing: a link that cannot be traced (an id only known
//! at apply, a table outside the configuration) yields no route, so callers flag only what is
//! certainly public.

use std::collections::HashMap;

use crate::graph::{Graph, Resource, Value};
use crate::rules::Finding;

/// `0.0.0.0/0` or `::/0`.
pub fn is_world_cidr(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

/// True when `value` designates `target`: by a reference that resolves to it, or by a known
/// string equal to the target's `key_attr` (an id or a name written out, or read from a plan).
pub fn designates(g: &Graph, value: &Value, target: &Resource, key_attr: &str) -> bool {
    g.linked(value, &target.rtype, key_attr)
        .iter()
        .any(|r| r.address == target.address)
}

/// True when `value` designates some resource of `rtype` (by reference or by a known key),
/// false when it is a literal naming nothing in the configuration or cannot be traced at all.
pub fn designates_any(g: &Graph, value: &Value, rtype: &str, key_attr: &str) -> bool {
    !g.linked(value, rtype, key_attr).is_empty()
}

/// True when a value can be followed to somewhere: it holds a known string or a reference.
/// `var.x` without a value is `Unknown([])`: it could designate anything.
pub fn traceable(value: &Value) -> bool {
    !value.refs().is_empty() || !value.strings().is_empty()
}

/// A route table a subnet uses.
#[derive(Debug, Clone, Copy)]
pub enum Table<'g> {
    /// An `aws_route_table` or `aws_default_route_table`.
    Managed(&'g Resource),
    /// The main table AWS creates with a VPC, not managed in the configuration: only the
    /// local route, plus any `aws_route` written against `aws_vpc.x.main_route_table_id`.
    ImplicitMain(&'g Resource),
}

/// The route tables of `subnet`: those of its `aws_route_table_association`s, or, when it has
/// none, its VPC's main route table. Empty when that cannot be told.
pub fn route_tables_of_subnet<'g>(g: &'g Graph, subnet: &Resource) -> Vec<(Table<'g>, bool)> {
    Network::new(g).route_tables_of_subnet(subnet)
}

pub fn main_tables<'g>(g: &'g Graph, vpc: &'g Resource) -> Vec<Table<'g>> {
    Network::new(g).main_tables(vpc)
}

fn managed_tables<'g>(g: &'g Graph, value: &Value) -> Vec<&'g Resource> {
    let mut out = g.linked(value, "aws_route_table", "id");
    out.extend(g.linked(value, "aws_default_route_table", "id"));
    out
}

/// True when `value` is the id of `vpc`'s own main/default route table
/// (`aws_vpc.x.default_route_table_id`, `aws_vpc.x.main_route_table_id`, or that id written out).
const VPC_TABLE_ATTRS: [&str; 2] = ["default_route_table_id", "main_route_table_id"];

fn designates_vpc_table(g: &Graph, value: &Value, vpc: &Resource) -> bool {
    const ATTRS: [&str; 2] = VPC_TABLE_ATTRS;
    let by_ref = value
        .refs()
        .into_iter()
        .any(|r| ATTRS.contains(&r.attr.as_str()) && g.resolve(r).iter().any(|t| t.address == vpc.address));
    by_ref
        || value
            .strings()
            .iter()
            .any(|s| ATTRS.iter().any(|a| vpc.str_attr(a) == Some(s)))
}

/// A route that sends the whole internet to an internet gateway.
#[derive(Debug, Clone)]
pub struct InternetRoute<'g> {
    pub subnet: &'g Resource,
    pub table: Table<'g>,
    /// True when the table is the subnet's only because it is its VPC's main table.
    pub via_main: bool,
    /// The separate `aws_route`, when the route is not an inline `route {}` block.
    pub route: Option<&'g Resource>,
    /// `0.0.0.0/0` or `::/0`.
    pub destination: String,
    /// The internet gateway resource, when the route references one.
    pub gateway: Option<&'g Resource>,
    /// The gateway as displayed: an address, or a literal `igw-…` id.
    pub gateway_name: String,
}

impl InternetRoute<'_> {
    /// The table as displayed.
    pub fn table_name(&self) -> String {
        match self.table {
            Table::Managed(t) => t.display_address(),
            Table::ImplicitMain(vpc) => {
                format!("the main route table of {}", vpc.display_address())
            }
        }
    }

    /// "routes 0.0.0.0/0 to aws_internet_gateway.main via aws_route_table.public"
    pub fn describe(&self) -> String {
        let mut via = self.table_name();
        if let Some(route) = self.route {
            via = format!("{} on {via}", route.display_address());
        }
        let main = match (self.via_main, self.table) {
            (true, Table::Managed(_)) => " (its VPC's main route table)",
            _ => "",
        };
        format!("routes {} to {} via {via}{main}", self.destination, self.gateway_name)
    }

    /// Adds the subnet and the table or route as related locations.
    /// Adds the subnet and the table or route as related locations (each place once).
    pub fn relate(&self, finding: &mut Finding) {
        let route_msg = format!("route {} to {}", self.destination, self.gateway_name);
        let mut add = |r: &Resource, attr: Option<&str>, msg: String| {
            let address = r.display_address();
            if !finding
                .related
                .iter()
                .any(|x| x.resource == address && x.message == msg)
            {
                finding.related(r, attr, msg);
            }
        };
        add(self.subnet, None, format!("this subnet {}", self.describe()));
        match (self.route, self.table) {
            (Some(route), _) => add(route, Some("gateway_id"), route_msg),
            (None, Table::Managed(table)) => add(table, Some("route"), route_msg),
            (None, Table::ImplicitMain(_)) => {}
        }
    }
}

/// One route, inline or separate, as far as this module cares.
struct RouteView<'a> {
    destinations: [Option<&'a Value>; 2],
    gateway: Option<&'a Value>,
}

fn internet_route<'g>(g: &'g Graph, view: &RouteView<'_>) -> Option<(String, Option<&'g Resource>, String)> {
    let destination = view
        .destinations
        .iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .find(|s| is_world_cidr(s))?
        .trim()
        .to_string();
    let gateway = view.gateway?;
    if let Some(igw) = g.targets(gateway, "aws_internet_gateway").into_iter().next() {
        return Some((destination, Some(igw), igw.display_address()));
    }
    let literal = gateway.as_str().filter(|s| s.starts_with("igw-"))?;
    Some((destination, None, literal.to_string()))
}

/// The internet routes of one table: inline `route {}` blocks and separate `aws_route`s.
pub fn internet_route_of_subnet<'g>(g: &'g Graph, subnet: &'g Resource) -> Option<InternetRoute<'g>> {
    Network::new(g).internet_route_of_subnet(subnet)
}

/// Resources of `rtype` whose `attr` designates `target` (by reference or by its `key_attr`
/// written out), in graph order.
fn designating<'g>(g: &'g Graph, rtype: &str, attr: &str, target: &Resource, key_attr: &str) -> Vec<&'g Resource> {
    g.of_type(rtype)
        .filter(|a| a.attr(attr).is_some_and(|v| designates(g, v, target, key_attr)))
        .collect()
}

/// The routing questions above for a whole graph: every association and route is read once,
/// indexed by what it designates, so that asking about each subnet of a large configuration
/// stays linear. Build one per rule run ([`Network::new`]) and ask it about many subnets.
pub struct Network<'g> {
    g: &'g Graph,
    /// `aws_subnet` address -> the `aws_route_table_association`s designating it.
    associations: HashMap<&'g str, Vec<&'g Resource>>,
    /// Some `aws_route_table_association` has a `subnet_id` that cannot be traced.
    untraceable_association: bool,
    /// `aws_vpc` address -> the `aws_main_route_table_association`s designating it.
    main_associations: HashMap<&'g str, Vec<&'g Resource>>,
    /// Some `aws_main_route_table_association` has a `vpc_id` that cannot be traced.
    untraceable_main_association: bool,
    /// `aws_vpc` address -> the `aws_default_route_table`s adopting its main table.
    default_tables: HashMap<&'g str, Vec<&'g Resource>>,
    /// `aws_vpc` (managed or data) `default_route_table_id` / `main_route_table_id` string ->
    /// the VPCs holding it.
    vpc_by_table_id: HashMap<&'g str, Vec<&'g str>>,
    /// The `aws_route`s with a `route_table_id`, in graph order.
    routes: Vec<&'g Resource>,
    /// Route table address -> positions in `routes` of the routes designating it by id.
    routes_by_table: HashMap<&'g str, Vec<usize>>,
    /// `aws_vpc` address -> positions in `routes` of the routes written against its main or
    /// default route table id.
    routes_by_vpc: HashMap<&'g str, Vec<usize>>,
}

impl<'g> Network<'g> {
    pub fn new(g: &'g Graph) -> Network<'g> {
        let mut n = Network {
            g,
            associations: HashMap::new(),
            untraceable_association: false,
            main_associations: HashMap::new(),
            untraceable_main_association: false,
            default_tables: HashMap::new(),
            vpc_by_table_id: HashMap::new(),
            routes: Vec::new(),
            routes_by_table: HashMap::new(),
            routes_by_vpc: HashMap::new(),
        };
        for vpc in g.of_type("aws_vpc").chain(g.data_of_type("aws_vpc")) {
            for attr in VPC_TABLE_ATTRS {
                if let Some(id) = vpc.str_attr(attr) {
                    let list = n.vpc_by_table_id.entry(id).or_default();
                    if !list.contains(&vpc.address.as_str()) {
                        list.push(vpc.address.as_str());
                    }
                }
            }
        }
        for a in g.of_type("aws_route_table_association") {
            let Some(v) = a.attr("subnet_id") else { continue };
            n.untraceable_association |= !traceable(v);
            for s in g.linked(v, "aws_subnet", "id") {
                n.associations.entry(s.address.as_str()).or_default().push(a);
            }
        }
        for a in g.of_type("aws_main_route_table_association") {
            let Some(v) = a.attr("vpc_id") else { continue };
            n.untraceable_main_association |= !traceable(v);
            for vpc in g.linked(v, "aws_vpc", "id") {
                n.main_associations.entry(vpc.address.as_str()).or_default().push(a);
            }
        }
        for t in g.of_type("aws_default_route_table") {
            let Some(v) = t.attr("default_route_table_id") else {
                continue;
            };
            for vpc in n.vpc_tables_designated(v) {
                n.default_tables.entry(vpc).or_default().push(t);
            }
        }
        for route in g.of_type("aws_route") {
            let Some(table_id) = route.attr("route_table_id") else {
                continue;
            };
            let i = n.routes.len();
            n.routes.push(route);
            let mut tables = g.linked(table_id, "aws_route_table", "id");
            tables.extend(g.linked(table_id, "aws_default_route_table", "id"));
            for t in tables {
                n.routes_by_table.entry(t.address.as_str()).or_default().push(i);
            }
            for vpc in n.vpc_tables_designated(table_id) {
                n.routes_by_vpc.entry(vpc).or_default().push(i);
            }
        }
        n
    }

    /// The `aws_vpc` addresses whose main or default route table `value` designates: what
    /// [`designates_vpc_table`] answers for every VPC at once. Deduplicated.
    fn vpc_tables_designated(&self, value: &Value) -> Vec<&'g str> {
        let mut out: Vec<&'g str> = Vec::new();
        for r in value.refs() {
            if VPC_TABLE_ATTRS.contains(&r.attr.as_str()) {
                out.extend(self.g.resolve(r).into_iter().map(|t| t.address.as_str()));
            }
        }
        for s in value.strings() {
            out.extend(self.vpc_by_table_id.get(s).into_iter().flatten().copied());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn route_tables_of_subnet(&self, subnet: &Resource) -> Vec<(Table<'g>, bool)> {
        let g = self.g;
        let mine: Vec<&Resource> = if subnet.rtype == "aws_subnet" {
            self.associations
                .get(subnet.address.as_str())
                .cloned()
                .unwrap_or_default()
        } else {
            designating(g, "aws_route_table_association", "subnet_id", subnet, "id")
        };
        if !mine.is_empty() {
            return mine
                .iter()
                .filter_map(|a| a.attr("route_table_id"))
                .flat_map(|v| managed_tables(g, v))
                .map(|t| (Table::Managed(t), false))
                .collect();
        }
        // An association whose subnet cannot be traced might be this subnet's: no fallback then.
        if self.untraceable_association {
            return Vec::new();
        }
        let Some(vpc_id) = subnet.attr("vpc_id") else {
            return Vec::new();
        };
        let vpcs = g.linked(vpc_id, "aws_vpc", "id");
        vpcs.into_iter()
            .flat_map(|vpc| self.main_tables(vpc))
            .map(|t| (t, true))
            .collect()
    }

    pub fn main_tables(&self, vpc: &'g Resource) -> Vec<Table<'g>> {
        let g = self.g;
        let indexed = vpc.rtype == "aws_vpc";
        let mine: Vec<&Resource> = if indexed {
            self.main_associations
                .get(vpc.address.as_str())
                .cloned()
                .unwrap_or_default()
        } else {
            designating(g, "aws_main_route_table_association", "vpc_id", vpc, "id")
        };
        if !mine.is_empty() {
            return mine
                .iter()
                .filter_map(|a| a.attr("route_table_id"))
                .flat_map(|v| managed_tables(g, v))
                .map(Table::Managed)
                .collect();
        }
        if self.untraceable_main_association {
            return Vec::new();
        }
        let defaults: Vec<Table<'g>> = if indexed {
            self.default_tables
                .get(vpc.address.as_str())
                .into_iter()
                .flatten()
                .map(|t| Table::Managed(t))
                .collect()
        } else {
            g.of_type("aws_default_route_table")
                .filter(|t| {
                    t.attr("default_route_table_id")
                        .is_some_and(|v| designates_vpc_table(g, v, vpc))
                })
                .map(Table::Managed)
                .collect()
        };
        if defaults.is_empty() {
            vec![Table::ImplicitMain(vpc)]
        } else {
            defaults
        }
    }

    /// Positions in `routes` of the routes written against `vpc`'s main or default table id.
    fn routes_on_vpc_table(&self, vpc: &Resource) -> Vec<usize> {
        if vpc.rtype == "aws_vpc" {
            return self
                .routes_by_vpc
                .get(vpc.address.as_str())
                .cloned()
                .unwrap_or_default();
        }
        (0..self.routes.len())
            .filter(|&i| {
                self.routes
                    .get(i)
                    .and_then(|r| r.attr("route_table_id"))
                    .is_some_and(|v| designates_vpc_table(self.g, v, vpc))
            })
            .collect()
    }

    fn internet_routes_of(
        &self,
        table: Table<'g>,
    ) -> Vec<(Option<&'g Resource>, String, Option<&'g Resource>, String)> {
        let g = self.g;
        let mut out = Vec::new();
        if let Table::Managed(t) = table {
            for block in t.attrs.blocks("route") {
                let view = RouteView {
                    destinations: [block.field("cidr_block"), block.field("ipv6_cidr_block")],
                    gateway: block.field("gateway_id"),
                };
                if let Some((dest, gw, name)) = internet_route(g, &view) {
                    out.push((None, dest, gw, name));
                }
            }
        }
        let mut on_table: Vec<usize> = match table {
            Table::Managed(t) => {
                let mut ix = if matches!(t.rtype.as_str(), "aws_route_table" | "aws_default_route_table") {
                    self.routes_by_table
                        .get(t.address.as_str())
                        .cloned()
                        .unwrap_or_default()
                } else {
                    (0..self.routes.len())
                        .filter(|&i| {
                            self.routes
                                .get(i)
                                .and_then(|r| r.attr("route_table_id"))
                                .is_some_and(|v| designates(g, v, t, "id"))
                        })
                        .collect()
                };
                if t.rtype == "aws_default_route_table"
                    && let Some(d) = t.attr("default_route_table_id")
                {
                    for vpc in g.linked(d, "aws_vpc", "default_route_table_id") {
                        ix.extend(self.routes_on_vpc_table(vpc));
                    }
                }
                ix
            }
            Table::ImplicitMain(vpc) => self.routes_on_vpc_table(vpc),
        };
        on_table.sort_unstable();
        on_table.dedup();
        for route in on_table.into_iter().filter_map(|i| self.routes.get(i).copied()) {
            let view = RouteView {
                destinations: [
                    route.attr("destination_cidr_block"),
                    route.attr("destination_ipv6_cidr_block"),
                ],
                gateway: route.attr("gateway_id"),
            };
            if let Some((dest, gw, name)) = internet_route(g, &view) {
                out.push((Some(route), dest, gw, name));
            }
        }
        out
    }

    pub fn internet_route_of_subnet(&self, subnet: &'g Resource) -> Option<InternetRoute<'g>> {
        for (table, via_main) in self.route_tables_of_subnet(subnet) {
            if let Some((route, destination, gateway, gateway_name)) = self.internet_routes_of(table).into_iter().next()
            {
                return Some(InternetRoute {
                    subnet,
                    table,
                    via_main,
                    route,
                    destination,
                    gateway,
                    gateway_name,
                });
            }
        }
        None
    }
}

/// The subnets (`aws_subnet`, including data sources) a `subnet_ids` value designates.
pub fn subnets<'g>(g: &'g Graph, subnet_ids: &Value) -> Vec<&'g Resource> {
    g.linked(subnet_ids, "aws_subnet", "id")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::lint;

    fn graph(tf: &str) -> Graph {
        let mut outcome = lint(&[("main.tf", tf)]);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        outcome.graphs.remove(0)
    }

    fn public(g: &Graph, subnet: &str) -> Option<String> {
        let s = g.get(subnet)?;
        internet_route_of_subnet(g, s).map(|r| r.describe())
    }

    #[test]
    fn default_route_table_and_routes_written_against_the_vpc() {
        let g = graph(
            r#"
            resource "aws_vpc" "v" {}
            resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.v.id }
            resource "aws_subnet" "s" { vpc_id = aws_vpc.v.id }
            resource "aws_route" "r" {
              route_table_id         = aws_vpc.v.main_route_table_id
              destination_cidr_block = "0.0.0.0/0"
              gateway_id             = aws_internet_gateway.igw.id
            }
        "#,
        );
        assert_eq!(
            public(&g, "aws_subnet.s").as_deref(),
            Some("routes 0.0.0.0/0 to aws_internet_gateway.igw via aws_route.r on the main route table of aws_vpc.v")
        );
    }

    #[test]
    fn an_untraceable_association_stops_the_main_table_fallback() {
        let g = graph(
            r#"
            variable "subnet" {}
            resource "aws_vpc" "v" {}
            resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.v.id }
            resource "aws_subnet" "s" { vpc_id = aws_vpc.v.id }
            resource "aws_default_route_table" "d" {
              default_route_table_id = aws_vpc.v.default_route_table_id
              route {
                cidr_block = "0.0.0.0/0"
                gateway_id = aws_internet_gateway.igw.id
              }
            }
            resource "aws_route_table" "private" { vpc_id = aws_vpc.v.id }
            resource "aws_route_table_association" "a" {
              subnet_id      = var.subnet
              route_table_id = aws_route_table.private.id
            }
        "#,
        );
        assert_eq!(public(&g, "aws_subnet.s"), None);
    }
}
