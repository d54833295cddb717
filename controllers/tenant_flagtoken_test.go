package controllers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Each district gets a flag token for the LMS's OFREP endpoint: the token
// in a Secret of its namespace, only its SHA-256 in the directory entry. It
// stays across passes; deleting the Secret rotates it.
func TestFlagTokenPublishedAsItsHash(t *testing.T) {
	startManager(t, nil)
	create(t, externalTenant("flagtoken"))
	waitTenant(t, "flagtoken", metav1.ConditionTrue, 30*time.Second)
	digest := func(token string) string { sum := sha256.Sum256([]byte(token)); return hex.EncodeToString(sum[:]) }
	published := func(token string) func() (bool, string) {
		return func() (bool, string) {
			e := entryOf(t, "flagtoken")
			return e != nil && slices.Equal(e.FlagTokens, []string{digest(token)}), fmt.Sprintf("entry tokens %v", e.FlagTokens)
		}
	}
	first := secretData(t, "tenant-flagtoken", "flag-token")["token"]
	if len(first) < 32 {
		t.Fatalf("token %q is too short", first)
	}
	eventually(t, 30*time.Second, published(first))
	for _, v := range entryOf(t, "flagtoken").FlagTokens {
		if v == first {
			t.Fatal("the entry carries the token itself")
		}
	}

	s := &corev1.Secret{}
	s.Namespace, s.Name = "tenant-flagtoken", "flag-token"
	if err := env.Client.Delete(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	var second string
	eventually(t, 30*time.Second, func() (bool, string) {
		s := &corev1.Secret{}
		err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "tenant-flagtoken", Name: "flag-token"}, s)
		second = string(s.Data["token"])
		return err == nil && second != "" && second != first, fmt.Sprintf("secret: %v", err)
	})
	eventually(t, 30*time.Second, published(second))
}
