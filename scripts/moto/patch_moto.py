"""Fixes moto 5.2.5 bugs that contradict AWS's documented behaviour, in the installed copy.

1. GetBucketVersioning answers with the root element <GetBucketVersioningResponse>; S3 (and its
   documented response syntax) uses <VersioningConfiguration>. boto3 ignores the root name, the
   Rust SDK rejects the response. The patch makes moto return S3's documented XML.
2. CreateDistribution rejects a cache behaviour whose TargetOriginId names an origin group
   (NoSuchOrigin); CloudFront documents origin group ids as valid targets, and origin failover
   only works that way. The patch accepts the ids of the distribution's origin groups too.
3. DescribeSecurityGroupRules drops the description of a rule whose peer is a security group
   (it only looks at CIDR peers).
4. RDS instances ignore EnablePerformanceInsights: DescribeDBInstances always answers false.
5. GetBucketReplication answers a fixed DeleteMarkerReplication (Disabled) and Filter, and no
   SourceSelectionCriteria, whatever PutBucketReplication stored.
6. A secret's replica reports the default key whatever KmsKeyId its replica region was given.
7. A cluster of a global database is only detached from it (on RemoveFromGlobalCluster or
   DeleteDBCluster) when both live in the region the call is made in, so a global database
   with a member in another region can never be deleted. The patch finds the global cluster
   and the member (by identifier or ARN, as AWS accepts) in every region.
8. CreateGlobalCluster drops its Tags and silently replaces an existing global cluster of
   the same identifier (AWS answers GlobalClusterAlreadyExistsFault), losing its members.

Idempotent: prints "patched" or "already patched" per fix; fails loudly if moto's code no
longer looks as expected.
"""
import importlib
import pathlib
import sys

VERSIONING_MARK = "# wellarch: GetBucketVersioning root element"
ORIGIN_GROUP_MARK = "# wellarch: origin groups are cache behaviour targets"
RULE_DESCRIPTION_MARK = "# wellarch: descriptions of group-peer rules"
PERFORMANCE_INSIGHTS_MARK = "# wellarch: performance insights setting"
REPLICATION_MARK = "# wellarch: replication rules as stored"
REPLICA_KEY_MARK = "# wellarch: replica KMS key"
GLOBAL_MEMBERS_MARK = "# wellarch: global database members in any region"
GLOBAL_CREATE_MARK = "# wellarch: CreateGlobalCluster tags and uniqueness"

FIXES = [
    (
        "moto.s3.responses",
        VERSIONING_MARK,
        """        result = {"Status": versioning}
        self.data["Action"] = "GetBucketVersioning"
        return self.serialized(ActionResult(result))
""",
        f"""        {VERSIONING_MARK}
        status = f"<Status>{{versioning}}</Status>" if versioning else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"{{status}}</VersioningConfiguration>"
        )
        return 200, {{"Content-Type": "application/xml"}}, body
""",
    ),
    (
        "moto.cloudfront.models",
        ORIGIN_GROUP_MARK,
        """        if config["DefaultCacheBehavior"].target_origin_id not in [
            o.id for o in config["Origins"]["Items"]
        ]:
            raise OriginDoesNotExist
""",
        f"""        {ORIGIN_GROUP_MARK}
        targets = [o.id for o in config["Origins"]["Items"]] + [
            g.get("Id") for g in (config["OriginGroups"].get("Items") or [])
        ]
        if config["DefaultCacheBehavior"].target_origin_id not in targets:
            raise OriginDoesNotExist
""",
    ),
    (
        "moto.ec2.models.security_groups",
        RULE_DESCRIPTION_MARK,
        """    def description(self) -> str | None:
        return self.ip_range.get("Description")
""",
        f"""    def description(self) -> str | None:
        {RULE_DESCRIPTION_MARK}
        return self.ip_range.get("Description") or self.source_group.get("Description")
""",
    ),
    (
        "moto.rds.models",
        PERFORMANCE_INSIGHTS_MARK,
        """        self.monitoring_role_arn = monitoring_role_arn
        self.monitoring_interval = monitoring_interval
        if self.monitoring_role_arn and self.monitoring_interval == 0:
""",
        f"""        self.monitoring_role_arn = monitoring_role_arn
        self.monitoring_interval = monitoring_interval
        {PERFORMANCE_INSIGHTS_MARK} (ModifyDBInstance sets the same attribute)
        self.enable_performance_insights = kwargs.get("enable_performance_insights", False)
        if self.monitoring_role_arn and self.monitoring_interval == 0:
""",
    ),
    (
        "moto.rds.models",
        PERFORMANCE_INSIGHTS_MARK + " (read)",
        """    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ["Endpoint.Address", "Endpoint.Port"]
""",
        f"""    {PERFORMANCE_INSIGHTS_MARK} (read)
    @property
    def performance_insights_enabled(self) -> bool:
        return bool(getattr(self, "enable_performance_insights", False))

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ["Endpoint.Address", "Endpoint.Port"]
""",
    ),
    (
        "moto.s3.responses",
        REPLICATION_MARK,
        """                "DeleteMarkerReplication": {"Status": "Disabled"},
                "Filter": {"Prefix": ""},
                "Destination": rule["Destination"],
            }
            for rule in replication["Rule"]
        ]
""",
        f"""                {REPLICATION_MARK}
                "DeleteMarkerReplication": rule.get("DeleteMarkerReplication")
                or {{"Status": "Disabled"}},
                "Filter": {{
                    k: "" if v is None else v
                    for k, v in (rule.get("Filter") or {{"Prefix": ""}}).items()
                }},
                "Destination": rule["Destination"],
                **(
                    {{"SourceSelectionCriteria": rule["SourceSelectionCriteria"]}}
                    if rule.get("SourceSelectionCriteria")
                    else {{}}
                ),
            }}
            for rule in replication["Rule"]
        ]
""",
    ),
    (
        "moto.secretsmanager.models",
        REPLICA_KEY_MARK,
        """                replica = ReplicaSecret(self, replica_region)
                backend.secrets[replica.arn] = replica
            replicas.append(replica)
""",
        f"""                replica = ReplicaSecret(self, replica_region)
                backend.secrets[replica.arn] = replica
            {REPLICA_KEY_MARK}
            if replica_config.get("KmsKeyId"):
                replica.config["KmsKeyId"] = replica_config["KmsKeyId"]
            replicas.append(replica)
""",
    ),
    (
        "moto.rds.models",
        GLOBAL_MEMBERS_MARK,
        """            global_id = cluster.global_cluster_identifier or ""
            if global_id in self.global_clusters:
                self.remove_from_global_cluster(global_id, cluster_identifier)
""",
        f"""            {GLOBAL_MEMBERS_MARK}
            if cluster.global_cluster_identifier:
                self.remove_from_global_cluster(
                    cluster.global_cluster_identifier, cluster.db_cluster_arn
                )
""",
    ),
    (
        "moto.rds.models",
        GLOBAL_MEMBERS_MARK + " (remove)",
        """        try:
            global_cluster = self.global_clusters[global_cluster_identifier]
            cluster = self.describe_db_clusters(
                db_cluster_identifier=db_cluster_identifier
            )[0]
            global_cluster.members.remove(cluster)
            return global_cluster
        except:  # noqa: E722 Do not use bare except
            pass
        return None
""",
        f"""        {GLOBAL_MEMBERS_MARK} (remove)
        for region in rds_backends[self.account_id]:
            for global_cluster in rds_backends[self.account_id][region].global_clusters.values():
                if global_cluster_identifier not in (
                    global_cluster.global_cluster_identifier,
                    global_cluster.global_cluster_arn,
                ):
                    continue
                global_cluster.members = [
                    m
                    for m in global_cluster.members
                    if db_cluster_identifier not in (m.db_cluster_identifier, m.db_cluster_arn)
                ]
                return global_cluster
        return None
""",
    ),
    (
        "moto.rds.responses",
        GLOBAL_CREATE_MARK,
        """    def create_global_cluster(self) -> ActionResult:
        params = self.params
        cluster = self.global_backend.create_global_cluster(
""",
        f"""    def create_global_cluster(self) -> ActionResult:
        params = self.params
        {GLOBAL_CREATE_MARK}
        if params["GlobalClusterIdentifier"] in self.global_backend.global_clusters:
            from moto.rds.exceptions import RDSClientError

            raise RDSClientError(
                "GlobalClusterAlreadyExistsFault",
                f"Global cluster {{params['GlobalClusterIdentifier']}} already exists",
            )
        cluster = self.global_backend.create_global_cluster(
""",
    ),
    (
        "moto.rds.responses",
        GLOBAL_CREATE_MARK + " (tags)",
        """            deletion_protection=params.get("DeletionProtection"),
        )
        result = {"GlobalCluster": cluster}
""",
        f"""            deletion_protection=params.get("DeletionProtection"),
        )
        {GLOBAL_CREATE_MARK} (tags)
        cluster.add_tags(params.get("Tags") or [])
        result = {{"GlobalCluster": cluster}}
""",
    ),
]

for module, mark, old, new in FIXES:
    path = pathlib.Path(importlib.import_module(module).__file__)
    text = path.read_text()
    if mark in text:
        print(f"{module}: already patched")
    elif text.count(old) == 1:
        path.write_text(text.replace(old, new))
        print(f"{module}: patched")
    else:
        sys.exit(f"moto changed: {path} no longer has the code that {mark!r} fixes")
