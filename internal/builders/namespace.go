package builders

import (
	"net"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Names of the objects in a tenant namespace.
const (
	ResourceQuotaName      = "tenant-quota"
	LimitRangeName         = "tenant-limits"
	DefaultDenyPolicyName  = "default-deny"
	AllowPolicyName        = "allow-lms-and-backups"
	PostgresPolicyName     = "allow-postgres"
	OwnersRoleBindingName  = "tenant-owners"
	TenantOwnerClusterRole = "bellwork-tenant-owner"
)

// BuildNamespace is the tenant namespace "tenant-<name>", labelled and owned
// by the Tenant. An existing namespace (the samples create one) is adopted:
// these labels and the owner reference are added to it.
func BuildNamespace(t *platformv1.Tenant) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: objectMeta(t, "", t.NamespaceName())}
}

// BuildResourceQuota is spec.namespace.quota, or nil when it is empty.
func BuildResourceQuota(t *platformv1.Tenant) *corev1.ResourceQuota {
	if len(t.Spec.Namespace.Quota) == 0 {
		return nil
	}
	return &corev1.ResourceQuota{
		ObjectMeta: objectMeta(t, t.NamespaceName(), ResourceQuotaName),
		Spec:       corev1.ResourceQuotaSpec{Hard: t.Spec.Namespace.Quota.DeepCopy()},
	}
}

// BuildLimitRange gives containers spec.namespace's default limits and
// requests, or is nil when neither is set.
func BuildLimitRange(t *platformv1.Tenant) *corev1.LimitRange {
	ns := t.Spec.Namespace
	if len(ns.DefaultLimits) == 0 && len(ns.DefaultRequests) == 0 {
		return nil
	}
	item := corev1.LimitRangeItem{Type: corev1.LimitTypeContainer}
	if len(ns.DefaultLimits) > 0 {
		item.Default = ns.DefaultLimits.DeepCopy()
	}
	if len(ns.DefaultRequests) > 0 {
		item.DefaultRequest = ns.DefaultRequests.DeepCopy()
	}
	// The API server fills a missing default request from the default
	// limit; doing the same here keeps the stored object equal to this one.
	for name, q := range item.Default {
		if item.DefaultRequest == nil {
			item.DefaultRequest = corev1.ResourceList{}
		}
		if _, ok := item.DefaultRequest[name]; !ok {
			item.DefaultRequest[name] = q.DeepCopy()
		}
	}
	return &corev1.LimitRange{
		ObjectMeta: objectMeta(t, t.NamespaceName(), LimitRangeName),
		Spec:       corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{item}},
	}
}

var bothDirections = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}

// BuildDefaultDenyPolicy denies all ingress and egress in the tenant
// namespace; the other policies open what is needed.
func BuildDefaultDenyPolicy(t *platformv1.Tenant) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: objectMeta(t, t.NamespaceName(), DefaultDenyPolicyName),
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: bothDirections},
	}
}

// BuildAllowPolicy admits ingress from the LMS fleet's pods and from backup
// pods, and egress to DNS and to the tenant's database.
func BuildAllowPolicy(t *platformv1.Tenant, lmsNamespace string, top Topology) *networkingv1.NetworkPolicy {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	dns := intstr.FromInt32(53)
	return &networkingv1.NetworkPolicy{
		ObjectMeta: objectMeta(t, t.NamespaceName(), AllowPolicyName),
		Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: bothDirections,
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{
					lmsPods(lmsNamespace),
					backupPods(),
				},
			}},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}}},
				databaseEgress(top),
			},
		},
	}
}

// lmsPods are the LMS fleet's pods in the LMS namespace, not every pod there.
func lmsPods(lmsNamespace string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: namespaceSelector(lmsNamespace),
		PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{ComponentLabel: LMSComponent}}}
}

// operatorPods are the Bellwork operator's pods (as its Helm chart labels them).
func operatorPods(ns string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: namespaceSelector(ns),
		PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": OperatorAppName}}}
}

// OperatorAppName is the app.kubernetes.io/name label of the operator's pods.
const OperatorAppName = "bellwork-operator"

// backupPods are the tenant's backup and verification jobs.
func backupPods() networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{ComponentLabel: BackupComponent}}}
}

func namespaceSelector(name string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: name}}
}

func databaseEgress(top Topology) networkingv1.NetworkPolicyEgressRule {
	tcp := corev1.ProtocolTCP
	ports := []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(int32(top.DirectPort)))}}
	rule := networkingv1.NetworkPolicyEgressRule{Ports: ports}
	switch top.Provider {
	case ProviderExternal:
		// An address can be pinned; a host name cannot (policies match
		// addresses), so then only the port is.
		if ip := net.ParseIP(top.DirectHost); ip != nil {
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			rule.To = []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{
				CIDR: (&net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}).String()}}}
		}
	case ProviderCloudNativePG:
		rule.To = []networkingv1.NetworkPolicyPeer{{NamespaceSelector: namespaceSelector(top.Cluster.Namespace)}}
	case ProviderDedicated:
		rule.To = []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}
	}
	return rule
}

// BuildPostgresPolicy opens a dedicated cluster's Postgres pods to what
// they serve: each other (replication), the LMS fleet, backup jobs and the
// Bellwork operator (roles, grants, drift checks) on Postgres's port, and
// CloudNativePG's operator on the instance manager's status port (it runs
// in a namespace of the platform team's choosing; the port is
// TLS-authenticated). Their egress stays open: they reach the API server
// and object storage. Nil for other providers.
func BuildPostgresPolicy(t *platformv1.Tenant, top Topology, lmsNamespace, operatorNamespace string) *networkingv1.NetworkPolicy {
	if top.Provider != ProviderDedicated {
		return nil
	}
	tcp := corev1.ProtocolTCP
	cluster := &metav1.LabelSelector{MatchLabels: map[string]string{"cnpg.io/cluster": DedicatedClusterName}}
	port := func(p int32) []networkingv1.NetworkPolicyPort {
		return []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(p))}}
	}
	return &networkingv1.NetworkPolicy{
		ObjectMeta: objectMeta(t, t.NamespaceName(), PostgresPolicyName),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *cluster,
			PolicyTypes: bothDirections,
			Ingress: []networkingv1.NetworkPolicyIngressRule{
				{From: []networkingv1.NetworkPolicyPeer{{PodSelector: cluster}}},
				{From: []networkingv1.NetworkPolicyPeer{lmsPods(lmsNamespace), backupPods(), operatorPods(operatorNamespace)}, Ports: port(int32(top.DirectPort))},
				{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}}}, Ports: port(cnpgStatusPort)},
			},
			Egress: []networkingv1.NetworkPolicyEgressRule{{}},
		},
	}
}

// cnpgStatusPort is CloudNativePG's instance manager status port.
const cnpgStatusPort = 8000

// BuildTenantOwnerClusterRole is what a tenant's owners may do in its
// namespace: manage Schools, FeatureFlags, BackupPolicies and AlertRules and
// read their status. Nothing else: not Secrets, not the namespace.
func BuildTenantOwnerClusterRole() *rbacv1.ClusterRole {
	resources := []string{"schools", "featureflags", "backuppolicies", "alertrules"}
	var status []string
	for _, r := range resources {
		status = append(status, r+"/status")
	}
	return &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{
			Name:   TenantOwnerClusterRole,
			Labels: map[string]string{ManagedByLabel: ManagedByValue},
		},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{platformv1.GroupVersion.Group}, Resources: resources,
				Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
			{APIGroups: []string{platformv1.GroupVersion.Group}, Resources: status,
				Verbs: []string{"get"}},
		},
	}
}

// BuildOwnersRoleBinding binds spec.owners to the tenant-owner ClusterRole
// in the tenant namespace, or is nil when there are no owners.
func BuildOwnersRoleBinding(t *platformv1.Tenant) *rbacv1.RoleBinding {
	if len(t.Spec.Owners) == 0 {
		return nil
	}
	subjects := make([]rbacv1.Subject, len(t.Spec.Owners))
	copy(subjects, t.Spec.Owners)
	// As the API server defaults them, so the stored binding equals this one.
	for i := range subjects {
		if subjects[i].APIGroup == "" && (subjects[i].Kind == rbacv1.UserKind || subjects[i].Kind == rbacv1.GroupKind) {
			subjects[i].APIGroup = rbacv1.GroupName
		}
	}
	return &rbacv1.RoleBinding{
		ObjectMeta: objectMeta(t, t.NamespaceName(), OwnersRoleBindingName),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: TenantOwnerClusterRole},
		Subjects:   subjects,
	}
}
