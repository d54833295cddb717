package account

import "testing"

// Sign-in and the OpenID Connect callback redirect to ?next= only when it
// is a path on this site; browsers strip tabs and newlines and read "\" as
// "/", so those must never pass.
func TestLocalPathAcceptsOnlyPathsOnThisSite(t *testing.T) {
	for next, want := range map[string]string{
		"":                        "/",
		"/":                       "/",
		"/teach/sections/1?x=y#z": "/teach/sections/1?x=y#z",
		"/admin/users":            "/admin/users",
		"//evil.example":          "/",
		"/\\evil.example":         "/",
		"/\t/evil.example":        "/",
		"/\n/evil.example":        "/",
		"/\r/evil.example":        "/",
		"/x\\y":                   "/",
		"/\x7f/evil.example":      "/",
		"/\u0085/evil.example":    "/",
		"https://evil.example/":   "/",
		"evil.example":            "/",
		"/%09/evil.example":       "/%09/evil.example", // still encoded: a path here
	} {
		if got := localPath(next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}
}
