package v1_test

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Valid objects of each kind; every case below starts from one of them.
const (
	validTenant = `
apiVersion: platform.bellwork.dev/v1
kind: Tenant
metadata: {name: NAME}
spec:
  displayName: Test District
  hosts: [NAME.localhost]
  database:
    external: {host: 127.0.0.1, adminSecret: pg-admin}
`
	validCNPGTenant = `
apiVersion: platform.bellwork.dev/v1
kind: Tenant
metadata: {name: NAME}
spec:
  displayName: Test District
  hosts: [NAME.localhost]
  database:
    name: bw_test_db
    cloudNativePG:
      clusterRef: {name: shared-1, namespace: postgres}
`
	validDedicatedTenant = `
apiVersion: platform.bellwork.dev/v1
kind: Tenant
metadata: {name: NAME}
spec:
  displayName: Test District
  hosts: [NAME.localhost]
  database:
    cloudNativePG:
      dedicated: {instances: 1}
`
	validSchool = `
apiVersion: platform.bellwork.dev/v1
kind: School
metadata: {name: NAME, namespace: default}
spec:
  tenant: district
  code: S-1
  displayName: Test School
  timeZone: America/Chicago
  calendar:
    hours: [{days: [Monday], start: "08:00", end: "15:00"}]
    terms: [{name: Fall, start: "2026-08-17", end: "2026-12-18"}]
    holidays: [{name: Break, start: "2026-11-25", end: "2026-11-27"}]
  branding: {primaryColor: "#1d4ed8"}
  gradeBands: [{name: High, grades: ["9", "10"]}]
`
	validBackupPolicy = `
apiVersion: platform.bellwork.dev/v1
kind: BackupPolicy
metadata: {name: NAME, namespace: default}
spec:
  schedule: "0 2 * * *"
  destination:
    filesystem: {path: /var/tmp/backups}
`
	validAlertRule = `
apiVersion: platform.bellwork.dev/v1
kind: AlertRule
metadata: {name: NAME, namespace: default}
spec:
  check:
    type: BackupAge
    backupAge: {backupPolicy: nightly, maxAge: 26h}
`
	validReplicationLagRule = `
apiVersion: platform.bellwork.dev/v1
kind: AlertRule
metadata: {name: NAME, namespace: default}
spec:
  check:
    type: ReplicationLag
    replicationLag: {tenant: lincoln-usd, maxLag: 30s, maxLagBytes: 16777216}
`
	validFeatureFlag = `
apiVersion: platform.bellwork.dev/v1
kind: FeatureFlag
metadata: {name: NAME, namespace: default}
spec:
  description: A test flag.
  variants: [{name: "on", value: true}, {name: "off", value: false}]
  defaultVariant: "off"
  rules:
    - {tenants: [district], variant: "on"}
    - rollout: [{variant: "on", weight: 10}, {variant: "off", weight: 90}]
      bucketBy: "attribute:grade"
    - attributes: [{attribute: grade, operator: NotIn, values: ["12"]}]
      variant: "on"
  overrides:
    tenants: {district: "on"}
    schools: {"S-1": "off", "district/S-2": "on"}
`
	validDeployment = `
apiVersion: platform.bellwork.dev/v1
kind: Deployment
metadata: {name: NAME, namespace: default}
spec:
  image: lms:1
  deployWindows: [{days: [Saturday], start: "06:00", end: "12:00"}]
`
)

// edit changes an object; paths are dot-separated field names.
type edit func(t *testing.T, u *unstructured.Unstructured)

func set(path string, value any) edit {
	return func(t *testing.T, u *unstructured.Unstructured) {
		t.Helper()
		if err := unstructured.SetNestedField(u.Object, value, strings.Split(path, ".")...); err != nil {
			t.Fatalf("set %s: %v", path, err)
		}
	}
}

func del(path string) edit {
	return func(_ *testing.T, u *unstructured.Unstructured) {
		unstructured.RemoveNestedField(u.Object, strings.Split(path, ".")...)
	}
}

func list(items ...any) []any { return append([]any{}, items...) }

type obj = map[string]any

type invalidCase struct {
	name string
	base string
	// create edits the base before it is created; the create must fail.
	create []edit
	// update, when set, creates the base as is and then applies these edits
	// as an update, which must fail.
	update []edit
	// want is part of the message the user sees.
	want string
}

var invalidCases = []invalidCase{
	// Tenant
	{name: "tenant without database provider", base: validTenant,
		create: []edit{del("spec.database.external")},
		want:   "set exactly one database provider: cloudNativePG or external"},
	{name: "tenant with two database providers", base: validTenant,
		create: []edit{set("spec.database.cloudNativePG", obj{"clusterRef": obj{"name": "c", "namespace": "p"}})},
		want:   "set exactly one database provider: cloudNativePG or external"},
	{name: "tenant with shared and dedicated cluster", base: validCNPGTenant,
		create: []edit{set("spec.database.cloudNativePG.dedicated", obj{"instances": int64(1)})},
		want:   "set exactly one of clusterRef (a shared cluster) or dedicated"},
	{name: "tenant time zone not IANA", base: validTenant,
		create: []edit{set("spec.timeZone", "Central Time")},
		want:   "must be an IANA time zone name such as America/Chicago"},
	{name: "tenant name with capitals", base: validTenant,
		create: []edit{set("metadata.name", "Lincoln-USD")},
		want:   "lowercase"},
	{name: "tenant name starting with a digit", base: validTenant,
		create: []edit{set("metadata.name", "1district")},
		want:   "starting with a letter: it becomes the namespace tenant-<name>"},
	{name: "tenant name too long for its namespace", base: validTenant,
		create: []edit{set("metadata.name", strings.Repeat("a", 51))},
		want:   "tenant name must be at most 50 lowercase letters"},
	{name: "tenant database name changed", base: validCNPGTenant,
		update: []edit{set("spec.database.name", "bw_other")},
		want:   "database name is immutable"},
	{name: "tenant database name added later", base: validTenant,
		update: []edit{set("spec.database.name", "bw_late")},
		want:   "database name cannot be added or removed after creation"},
	{name: "tenant database name removed", base: validCNPGTenant,
		update: []edit{del("spec.database.name")},
		want:   "database name cannot be added or removed after creation"},
	{name: "tenant moved from an external server to CloudNativePG", base: validTenant,
		update: []edit{del("spec.database.external"), set("spec.database.cloudNativePG", obj{"clusterRef": obj{"name": "shared-1", "namespace": "postgres"}})},
		want:   "cannot switch a district between an external server and CloudNativePG"},
	{name: "tenant given restoreFrom after creation", base: validTenant,
		update: []edit{set("spec.database.restoreFrom", obj{"tenant": "lincoln-usd", "backupPolicy": "nightly"})},
		want:   "restoreFrom can be set only when the Tenant is created"},
	{name: "tenant restored from another backup after creation", base: validTenant,
		create: []edit{set("spec.database.restoreFrom", obj{"tenant": "lincoln-usd", "backupPolicy": "nightly"})},
		update: []edit{set("spec.database.restoreFrom.backup", "20261128T020000Z-3fa9c1")},
		want:   "restoreFrom is immutable"},
	{name: "tenant restored from a backup id that is not one", base: validTenant,
		create: []edit{set("spec.database.restoreFrom", obj{"tenant": "lincoln-usd", "backupPolicy": "nightly", "backup": "latest"})},
		want:   "spec.database.restoreFrom.backup"},
	{name: "tenant moved to another shared cluster", base: validCNPGTenant,
		update: []edit{set("spec.database.cloudNativePG.clusterRef.name", "shared-2")},
		want:   "clusterRef is immutable"},
	{name: "tenant moved from dedicated to shared cluster", base: validDedicatedTenant,
		update: []edit{del("spec.database.cloudNativePG.dedicated"), set("spec.database.cloudNativePG.clusterRef", obj{"name": "shared-1", "namespace": "postgres"})},
		want:   "cannot switch between a shared and a dedicated cluster"},
	{name: "tenant moved from shared to dedicated cluster", base: validCNPGTenant,
		update: []edit{del("spec.database.cloudNativePG.clusterRef"), set("spec.database.cloudNativePG.dedicated", obj{"instances": int64(1)})},
		want:   "cannot switch between a shared and a dedicated cluster"},
	{name: "tenant OIDC issuer over http", base: validTenant,
		create: []edit{set("spec.signIn.oidc", obj{"displayName": "Google", "issuerURL": "http://accounts.example.com",
			"clientID": "id", "clientSecret": obj{"name": "oidc", "key": "secret"}})},
		want: "issuerURL must be an https URL"},
	{name: "tenant OIDC without verified e-mail and without domains", base: validTenant,
		create: []edit{set("spec.signIn.oidc", obj{"displayName": "Entra", "issuerURL": "https://login.microsoftonline.com/x/v2.0",
			"clientID": "id", "clientSecret": obj{"name": "oidc", "key": "secret"}, "allowUnverifiedEmail": true})},
		want: "allowUnverifiedEmail needs allowedDomains"},
	{name: "tenant admin not an e-mail address", base: validTenant,
		create: []edit{set("spec.admins", list("superintendent"))},
		want:   "every admin must be an e-mail address such as superintendent@district.org"},
	{name: "tenant unknown reclaim policy", base: validTenant,
		create: []edit{set("spec.reclaimPolicy", "Destroy")},
		want:   `Unsupported value: "Destroy"`},

	// School
	{name: "school time zone not IANA", base: validSchool,
		create: []edit{set("spec.timeZone", "CST")},
		want:   "must be an IANA time zone name"},
	{name: "school moved to another tenant", base: validSchool,
		update: []edit{set("spec.tenant", "other-district")},
		want:   "tenant is immutable: a school cannot move to another district"},
	{name: "school code changed", base: validSchool,
		update: []edit{set("spec.code", "S-2")},
		want:   "code is immutable"},
	{name: "school term ends before it starts", base: validSchool,
		create: []edit{set("spec.calendar.terms", list(obj{"name": "Fall", "start": "2026-12-18", "end": "2026-08-17"}))},
		want:   "a term's end must be after its start"},
	{name: "school hours end before they start", base: validSchool,
		create: []edit{set("spec.calendar.hours", list(obj{"days": list("Monday"), "start": "15:00", "end": "08:00"}))},
		want:   "start must be before end"},
	{name: "school hours not a time", base: validSchool,
		create: []edit{set("spec.calendar.hours", list(obj{"days": list("Monday"), "start": "8am", "end": "15:00"}))},
		want:   "must be a time of day written HH:MM in 24-hour notation"},
	{name: "school term date not a date", base: validSchool,
		create: []edit{set("spec.calendar.terms", list(obj{"name": "Fall", "start": "17/08/2026", "end": "2026-12-18"}))},
		want:   "must be a date written YYYY-MM-DD"},
	{name: "school holiday ends before it starts", base: validSchool,
		create: []edit{set("spec.calendar.holidays", list(obj{"name": "Break", "start": "2026-11-27", "end": "2026-11-25"}))},
		want:   "a holiday's end must not be before its start"},
	{name: "school colour not hex", base: validSchool,
		create: []edit{set("spec.branding.primaryColor", "blue")},
		want:   "primaryColor must be a hex colour such as #1d4ed8"},
	{name: "school logo over http", base: validSchool,
		create: []edit{set("spec.branding.logoURL", "http://example.com/logo.png")},
		want:   "logoURL must be an https URL"},
	{name: "school grade out of range", base: validSchool,
		create: []edit{set("spec.gradeBands", list(obj{"name": "High", "grades": list("13")}))},
		want:   `Unsupported value: "13"`},

	// BackupPolicy
	{name: "backup schedule in words", base: validBackupPolicy,
		create: []edit{set("spec.schedule", "every night")},
		want:   "must be a cron expression with five fields"},
	{name: "backup schedule minute out of range", base: validBackupPolicy,
		create: []edit{set("spec.schedule", "61 2 * * *")},
		want:   "must be a cron expression with five fields"},
	{name: "backup schedule with four fields", base: validBackupPolicy,
		create: []edit{set("spec.verification.schedule", "0 2 * *")},
		want:   "must be a cron expression with five fields"},
	{name: "backup with two destinations", base: validBackupPolicy,
		create: []edit{set("spec.destination.s3", obj{"endpoint": "https://s3.example.com", "bucket": "backups", "credentialsSecret": "s3"})},
		want:   "set exactly one backup destination: s3 or filesystem"},
	{name: "backup to a relative folder", base: validBackupPolicy,
		create: []edit{set("spec.destination.filesystem.path", "backups")},
		want:   "path must be absolute"},
	{name: "backup to a folder that climbs out", base: validBackupPolicy,
		create: []edit{set("spec.destination.filesystem.path", "/var/backups/../../etc")},
		want:   "must not contain /../"},
	{name: "backup to an s3 endpoint that is not http", base: validBackupPolicy,
		create: []edit{del("spec.destination.filesystem"), set("spec.destination.s3", obj{"endpoint": "ftp://s3.example.com", "bucket": "backups", "credentialsSecret": "s3"})},
		want:   "endpoint must be an http or https URL"},

	// AlertRule
	{name: "alert with neither expression nor check", base: validAlertRule,
		create: []edit{del("spec.check")},
		want:   "set exactly one of expr (a PromQL expression) or check (a typed check)"},
	{name: "alert with expression and check", base: validAlertRule,
		create: []edit{set("spec.expr", "up == 0")},
		want:   "set exactly one of expr (a PromQL expression) or check (a typed check)"},
	{name: "alert check without its settings", base: validAlertRule,
		create: []edit{set("spec.check", obj{"type": "HTTPProbe", "backupAge": obj{"backupPolicy": "nightly", "maxAge": "26h"}})},
		want:   "an HTTPProbe check needs httpProbe settings"},
	{name: "backup-age check without its settings", base: validAlertRule,
		create: []edit{set("spec.check", obj{"type": "BackupAge", "httpProbe": obj{"url": "https://lms.example/readyz"}})},
		want:   "a BackupAge check needs backupAge settings"},
	{name: "database check without its settings", base: validAlertRule,
		create: []edit{set("spec.check", obj{"type": "DatabaseReachable", "httpProbe": obj{"url": "https://lms.example/readyz"}})},
		want:   "a DatabaseReachable check needs databaseReachable settings"},
	{name: "replication check without its settings", base: validAlertRule,
		create: []edit{set("spec.check", obj{"type": "ReplicationLag", "httpProbe": obj{"url": "https://lms.example/readyz"}})},
		want:   "a ReplicationLag check needs replicationLag settings"},
	{name: "replication check of a tenant and a cluster", base: validReplicationLagRule,
		create: []edit{set("spec.check.replicationLag.cluster", obj{"name": "pg", "namespace": "postgres"})},
		want:   "set exactly one of tenant (the tenant's database server) or cluster (a CloudNativePG Cluster)"},
	{name: "replication check of no server", base: validReplicationLagRule,
		create: []edit{del("spec.check.replicationLag.tenant")},
		want:   "set exactly one of tenant (the tenant's database server) or cluster (a CloudNativePG Cluster)"},
	{name: "replication check that could never fire", base: validReplicationLagRule,
		create: []edit{del("spec.check.replicationLag.maxLag"), del("spec.check.replicationLag.maxLagBytes"), set("spec.check.replicationLag.minStandbys", int64(0))},
		want:   "a ReplicationLag check with none of them could never fire"},
	{name: "replication check with a zero time limit", base: validReplicationLagRule,
		create: []edit{set("spec.check.replicationLag.maxLag", "0s")},
		want:   "maxLag must be longer than 0s"},
	{name: "replication check with a negative byte limit", base: validReplicationLagRule,
		create: []edit{set("spec.check.replicationLag.maxLagBytes", int64(-1))},
		want:   "spec.check.replicationLag.maxLagBytes: Invalid value"},
	{name: "http probe of a non-web URL", base: validAlertRule,
		create: []edit{set("spec.check", obj{"type": "HTTPProbe", "httpProbe": obj{"url": "ftp://lms.example/readyz"}})},
		want:   "url must be an http or https URL"},
	{name: "alert check with another type's settings", base: validAlertRule,
		create: []edit{set("spec.check.httpProbe", obj{"url": "https://lms.example/readyz"})},
		want:   "set only the settings that match the check's type"},
	{name: "alert silence without a reason", base: validAlertRule,
		create: []edit{set("spec.silences", list(obj{"until": "2026-11-25T10:00:00Z", "by": "sre@example.com"}))},
		want:   "spec.silences[0].reason: Required value"},
	{name: "alert silence with an unknown operator", base: validAlertRule,
		create: []edit{set("spec.silences", list(obj{"until": "2026-11-25T10:00:00Z", "by": "sre", "reason": "maintenance",
			"matchers": list(obj{"name": "tenant", "operator": "~=", "value": "x"})}))},
		want: `Unsupported value: "~="`},
	{name: "alert unknown severity", base: validAlertRule,
		create: []edit{set("spec.severity", "page")},
		want:   `Unsupported value: "page"`},
	{name: "alert source without an expression", base: validAlertRule,
		create: []edit{set("spec.source", obj{"url": "http://prometheus:9090"})},
		want:   "source is where expr is evaluated, so it needs expr"},
	{name: "alert source that is not a web URL", base: validAlertRule,
		create: []edit{del("spec.check"), set("spec.expr", "up == 0"), set("spec.source", obj{"url": "file:///etc"})},
		want:   "source url must be an http or https URL"},
	{name: "alert evaluated too often", base: validAlertRule,
		create: []edit{set("spec.interval", "1s")},
		want:   "interval must be at least 5s"},
	{name: "alert receiver both slack and webhook", base: validAlertRule,
		create: []edit{set("spec.receivers", list(obj{"name": "sre",
			"slack":   obj{"url": obj{"name": "s", "key": "url"}},
			"webhook": obj{"url": obj{"name": "s", "key": "url"}, "signingKey": obj{"name": "s", "key": "key"}}}))},
		want: "a receiver is either slack or webhook: set exactly one"},
	{name: "alert receiver neither slack nor webhook", base: validAlertRule,
		create: []edit{set("spec.receivers", list(obj{"name": "sre"}))},
		want:   "a receiver is either slack or webhook: set exactly one"},
	{name: "alert webhook without a signing key", base: validAlertRule,
		create: []edit{set("spec.receivers", list(obj{"name": "hook", "webhook": obj{"url": obj{"name": "s", "key": "url"}}}))},
		want:   "spec.receivers[0].webhook.signingKey: Required value"},
	{name: "alert receivers with one name twice", base: validAlertRule,
		create: []edit{set("spec.receivers", list(
			obj{"name": "sre", "slack": obj{"url": obj{"name": "s", "key": "url"}}},
			obj{"name": "sre", "slack": obj{"url": obj{"name": "t", "key": "url"}}}))},
		want: "Duplicate value"},

	// FeatureFlag
	{name: "flag default is not a variant", base: validFeatureFlag,
		create: []edit{set("spec.defaultVariant", "maybe")},
		want:   "defaultVariant must be the name of one of the variants"},
	{name: "flag rule names an unknown variant", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"tenants": list("district"), "variant": "beta"}))},
		want:   "every rule's variant must be the name of one of the variants"},
	{name: "flag rollout names an unknown variant", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"rollout": list(obj{"variant": "on", "weight": int64(50)}, obj{"variant": "beta", "weight": int64(50)})}))},
		want:   "every rollout entry must name one of the variants"},
	{name: "flag rollout weights do not add up", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"rollout": list(obj{"variant": "on", "weight": int64(10)}, obj{"variant": "off", "weight": int64(80)})}))},
		want:   "rollout weights must add up to 100"},
	{name: "flag rule with variant and rollout", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"variant": "on", "rollout": list(obj{"variant": "on", "weight": int64(100)})}))},
		want:   "a rule sets exactly one of variant or rollout"},
	{name: "flag tenant override names an unknown variant", base: validFeatureFlag,
		create: []edit{set("spec.overrides", obj{"tenants": obj{"district": "beta"}})},
		want:   "every tenant override must name one of the variants"},
	{name: "flag school override names an unknown variant", base: validFeatureFlag,
		create: []edit{set("spec.overrides", obj{"schools": obj{"district/LHS-042": "beta"}})},
		want:   "every school override must name one of the variants"},
	{name: "flag tenant override key is not a tenant name", base: validFeatureFlag,
		create: []edit{set("spec.overrides", obj{"tenants": obj{"Lincoln USD": "on"}})},
		want:   "tenant override keys must be tenant names, such as lincoln-usd"},
	{name: "flag school override key has two slashes", base: validFeatureFlag,
		create: []edit{set("spec.overrides", obj{"schools": obj{"a/b/c": "on"}})},
		want:   "school override keys must be a school code (LHS-042) or tenant/code (lincoln-usd/LHS-042)"},
	{name: "flag bucketBy without a rollout", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"variant": "on", "bucketBy": "school"}))},
		want:   "bucketBy only applies to a rule with a rollout"},
	{name: "flag bucketBy names nothing known", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"bucketBy": "classroom", "rollout": list(obj{"variant": "on", "weight": int64(100)})}))},
		want:   "spec.rules[0].bucketBy: Invalid value"},
	{name: "flag attribute match with an unknown operator", base: validFeatureFlag,
		create: []edit{set("spec.rules", list(obj{"variant": "on", "attributes": list(obj{"attribute": "grade", "operator": "Equals", "values": list("9")})}))},
		want:   `Unsupported value: "Equals"`},

	// Deployment
	{name: "deployment with empty deploy windows", base: validDeployment,
		create: []edit{set("spec.deployWindows", list())},
		want:   "deployWindows must list at least one window when given"},
	{name: "deployment window ends before it starts", base: validDeployment,
		create: []edit{set("spec.deployWindows", list(obj{"days": list("Saturday"), "start": "12:00", "end": "06:00"}))},
		want:   "start must be before end"},
	{name: "deployment window without days", base: validDeployment,
		create: []edit{set("spec.deployWindows", list(obj{"days": list(), "start": "06:00", "end": "12:00"}))},
		want:   "days must name at least one day"},
	{name: "deployment window in a zone that is not IANA", base: validDeployment,
		create: []edit{set("spec.deployWindows", list(obj{"days": list("Saturday"), "start": "06:00", "end": "12:00", "timeZone": "EST"}))},
		want:   "must be an IANA time zone name"},
	{name: "deployment window override without a reason", base: validDeployment,
		create: []edit{set("spec.windowOverride", obj{"reason": ""})},
		want:   "spec.windowOverride.reason"},
	{name: "deployment rollback to revision zero", base: validDeployment,
		create: []edit{set("spec.rollbackTo", int64(0))},
		want:   "spec.rollbackTo"},
	{name: "deployment check of two kinds", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "smoke", "job": obj{}, "web": obj{"url": "http://x/"}}))},
		want:   "a check sets exactly one of job, web or metrics"},
	{name: "deployment check of no kind", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "smoke"}))},
		want:   "a check sets exactly one of job, web or metrics"},
	{name: "deployment default smoke check without a probe account", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "smoke", "job": obj{"timeout": "1m"}}))},
		want:   "the default smoke test (no args) signs in with a probe account: set probeAccountSecret"},
	{name: "deployment web check of a non-web URL", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "up", "web": obj{"url": "ftp://x/"}}))},
		want:   "url must be an http or https URL"},
	{name: "deployment JSON condition with two comparisons", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "up", "web": obj{"url": "http://x/",
			"json": list(obj{"path": "status", "equals": "ok", "lessThan": "3"})}}))},
		want: "a JSON condition sets exactly one of equals, lessThan or greaterThan"},
	{name: "deployment JSON threshold not a number", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "up", "web": obj{"url": "http://x/",
			"json": list(obj{"path": "latency", "lessThan": "fast"})}}))},
		want: "must be a decimal number such as 0.01 or 250"},
	{name: "deployment metrics check without a threshold", base: validDeployment,
		create: []edit{set("spec.analysis.postPromotion", obj{"duration": "5m", "checks": list(obj{"name": "errors",
			"metrics": obj{"url": "http://x/metrics", "sum": obj{"metric": "errors_total"}}})})},
		want: "a metrics check needs a threshold: max, min or both"},
	{name: "deployment metrics check computing two values", base: validDeployment,
		create: []edit{set("spec.analysis.postPromotion", obj{"duration": "5m", "checks": list(obj{"name": "errors",
			"metrics": obj{"url": "http://x/metrics", "max": "1", "sum": obj{"metric": "errors_total"},
				"quantile": obj{"metric": "latency_seconds", "quantile": "0.99"}}})})},
		want: "a metrics check computes exactly one of sum, ratio or quantile"},
	{name: "deployment check name with capitals", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "Smoke", "job": obj{"probeAccountSecret": "lms-probe"}}))},
		want:   "spec.analysis.prePromotion[0].name"},
	{name: "deployment two checks with one name", base: validDeployment,
		create: []edit{set("spec.analysis.prePromotion", list(obj{"name": "smoke", "job": obj{"probeAccountSecret": "lms-probe"}}, obj{"name": "smoke", "web": obj{"url": "http://x/"}}))},
		want:   "Duplicate value"},
	{name: "deployment notifications without a Secret", base: validDeployment,
		create: []edit{set("spec.notifications", obj{"webhookURLSecret": obj{"name": "", "key": "url"}})},
		want:   "spec.notifications.webhookURLSecret.name"},
}

// Each invalid object is rejected by the API server with a message that
// tells the platform engineer what to fix.
func TestInvalidObjectsAreRejected(t *testing.T) {
	if len(invalidCases) < 20 {
		t.Fatalf("only %d invalid cases", len(invalidCases))
	}
	for i, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("invalid-%d", i)
			u := decodeAll(t, tc.name, []byte(strings.ReplaceAll(tc.base, "NAME", name)))[0]
			var err error
			if tc.update == nil {
				for _, e := range tc.create {
					e(t, u)
				}
				err = env.Client.Create(ctx(t), u)
			} else {
				for _, e := range tc.create {
					e(t, u)
				}
				if err := env.Client.Create(ctx(t), u); err != nil {
					t.Fatalf("valid base rejected: %v", err)
				}
				t.Cleanup(func() { _ = env.Client.Delete(ctx(t), u) })
				for _, e := range tc.update {
					e(t, u)
				}
				err = env.Client.Update(ctx(t), u)
			}
			if err == nil {
				t.Fatalf("accepted, want rejection with %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("rejected with\n  %v\nwant a message containing\n  %q", err, tc.want)
			}
		})
	}
}

// The valid bases themselves are accepted, so each rejection above is due to
// its one edit.
func TestValidBasesAreAccepted(t *testing.T) {
	for i, base := range []string{validTenant, validCNPGTenant, validDedicatedTenant, validSchool, validBackupPolicy, validAlertRule, validReplicationLagRule, validFeatureFlag, validDeployment} {
		u := decodeAll(t, "base", []byte(strings.ReplaceAll(base, "NAME", fmt.Sprintf("valid-%d", i))))[0]
		if err := env.Client.Create(ctx(t), u); err != nil {
			t.Errorf("%s rejected: %v", u.GetKind(), err)
		}
	}
}
