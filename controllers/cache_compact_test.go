package controllers

import (
	"reflect"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// The cache's transform changes how objects are held, never what they
// hold: a compacted object equals the decoded one without its
// managedFields, and what repeats across objects is held once.
func TestCompactCachedKeepsObjectsAndSharesRepeats(t *testing.T) {
	transform := defaultTransform()
	secret := func(name string) *corev1.Secret {
		return &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				// Copies, as a decoder makes them.
				Name: string([]byte(name)), Namespace: string([]byte("tenant-a")),
				Labels:          map[string]string{string([]byte("app.kubernetes.io/managed-by")): "bellwork", "platform.bellwork.dev/tenant": string([]byte("a"))},
				Annotations:     map[string]string{"platform.bellwork.dev/password-checksum": name + "-sum"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "platform.bellwork.dev/v1", Kind: "Tenant", Name: string([]byte("a")), UID: "uid-a"}},
				ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "bellwork"}},
			},
			Type: corev1.SecretType(string([]byte(corev1.SecretTypeBasicAuth))),
			Data: map[string][]byte{"username": []byte("u-" + name), "password": []byte("p")},
		}
	}
	var out []*corev1.Secret
	for _, name := range []string{"db-app", "db-owner"} {
		in := secret(name)
		want := in.DeepCopy()
		want.ManagedFields = nil
		got, err := transform(in)
		if err != nil {
			t.Fatal(err)
		}
		s := got.(*corev1.Secret)
		if !equality.Semantic.DeepEqual(s, want) {
			t.Errorf("compacted %s = %+v, want %+v", name, s, want)
		}
		out = append(out, s)
	}
	if reflect.ValueOf(out[0].Labels).UnsafePointer() != reflect.ValueOf(out[1].Labels).UnsafePointer() {
		t.Error("two objects with the same labels hold two maps")
	}
	if unsafe.StringData(out[0].Namespace) != unsafe.StringData(out[1].Namespace) ||
		unsafe.StringData(out[0].OwnerReferences[0].Name) != unsafe.StringData(out[1].Labels["platform.bellwork.dev/tenant"]) ||
		unsafe.StringData(string(out[0].Type)) != unsafe.StringData(string(out[1].Type)) {
		t.Error("repeated strings are held twice")
	}

	policy := func(ns string) *networkingv1.NetworkPolicy {
		return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "allow-lms", Namespace: ns},
			Spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "bellwork-system"}}}}}}}}
	}
	var selectors []map[string]string
	for _, ns := range []string{"tenant-a", "tenant-b"} {
		in := policy(ns)
		got, err := transform(in.DeepCopy())
		if err != nil {
			t.Fatal(err)
		}
		np := got.(*networkingv1.NetworkPolicy)
		if !equality.Semantic.DeepEqual(np, in) {
			t.Errorf("compacted policy = %+v, want %+v", np, in)
		}
		selectors = append(selectors, np.Spec.Ingress[0].From[0].NamespaceSelector.MatchLabels)
	}
	if reflect.ValueOf(selectors[0]).UnsafePointer() != reflect.ValueOf(selectors[1]).UnsafePointer() {
		t.Error("two policies with the same selector hold two maps")
	}

	var tenants []*platformv1.Tenant
	for _, name := range []string{"a", "b"} {
		tenant := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)},
			Status: platformv1.TenantStatus{Conditions: append(make([]metav1.Condition, 0, 8),
				metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Reconciled", Message: "ok"}),
				Database: &platformv1.DatabaseStatus{Provider: string([]byte("cloudnative-pg")), Name: "bw_" + name,
					Endpoint:           string([]byte("shared-rw.postgres.svc:5432")),
					CredentialsSecrets: map[string]string{"owner": string([]byte("db-owner")), "app": string([]byte("db-app"))}}}}
		want := tenant.DeepCopy()
		got, err := transform(tenant)
		if err != nil {
			t.Fatal(err)
		}
		tn := got.(*platformv1.Tenant)
		if !equality.Semantic.DeepEqual(tn, want) {
			t.Errorf("compacted tenant = %+v, want %+v", tn, want)
		}
		if cap(tn.Status.Conditions) != 1 {
			t.Errorf("conditions keep a capacity of %d for 1", cap(tn.Status.Conditions))
		}
		tenants = append(tenants, tn)
	}
	a, b := tenants[0].Status.Database, tenants[1].Status.Database
	if reflect.ValueOf(a.CredentialsSecrets).UnsafePointer() != reflect.ValueOf(b.CredentialsSecrets).UnsafePointer() ||
		unsafe.StringData(a.Endpoint) != unsafe.StringData(b.Endpoint) || unsafe.StringData(a.Provider) != unsafe.StringData(b.Provider) {
		t.Error("two tenants on one cluster hold their database status's repeats twice")
	}
}
