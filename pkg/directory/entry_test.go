package directory

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// The shared fixture decodes, and encoding it again gives the same bytes:
// the operator relies on that to skip writes of unchanged entries.
func TestFixtureRoundTripsByteForByte(t *testing.T) {
	data, err := os.ReadFile("testdata/lincoln-usd.json")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tenant != "lincoln-usd" || len(e.Schools) != 1 || e.Schools[0].Code != "LHS-042" {
		t.Fatalf("decoded %+v", e)
	}
	if f := e.Features["roster-export"]; f.Overrides.Schools["lincoln-usd/LHS-042"] != "on" || len(e.FlagTokens) != 1 {
		t.Fatalf("features %+v, flag tokens %v", e.Features, e.FlagTokens)
	}
	if got := e.Database.AppURL(); got != "postgres://bw_lincoln_usd_app:example-app-password@127.0.0.1:5432/bw_lincoln_usd?sslmode=disable" {
		t.Errorf("AppURL = %s", got)
	}
	out, err := Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Fatalf("re-encoded entry differs from the fixture:\n%s", out)
	}
	if Hash(out) != Hash(data) || len(Hash(out)) != 16 {
		t.Fatal("hash is not stable")
	}
}

// A reader refuses an entry from a newer operator instead of misreading it.
func TestNewerFormatIsRefused(t *testing.T) {
	data, _ := os.ReadFile("testdata/lincoln-usd.json")
	newer := bytes.Replace(data, []byte(`"version": 1`), []byte(`"version": 2`), 1)
	if _, err := Unmarshal(newer); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("got %v, want ErrNewerFormat", err)
	}
}

// Validation names every problem of a broken entry.
func TestValidateNamesProblems(t *testing.T) {
	e := &Entry{Version: 1, Tenant: "Bad Name", TimeZone: "Mars/Base",
		Schools: []School{{Code: "A", TimeZone: "UTC"}, {Code: "A", TimeZone: "UTC"}},
		Admins:  []Admin{{Email: "x@y.org", TokenSHA256: "short"}}, FlagTokens: []string{"not-a-digest"}}
	err := e.Validate()
	if err == nil {
		t.Fatal("broken entry validated")
	}
	for _, want := range []string{`tenant "Bad Name"`, "hosts must not be empty", `timeZone "Mars/Base"`, "database needs", `school code "A"`, `admin "x@y.org"`, "flagTokens"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// A rostering provider needs http(s) URLs, a known version and auth, and
// its credentials; oauth1 needs no token URL.
func TestValidateRostering(t *testing.T) {
	data, _ := os.ReadFile("testdata/lincoln-usd.json")
	e, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	e.Rostering = &Rostering{BaseURL: "https://sis.example/", Version: "1.1", Auth: "oauth1", ClientID: "k", ClientSecret: "s"}
	if err := e.Validate(); err != nil {
		t.Errorf("oauth1 without a token URL: %v", err)
	}
	e.Rostering = &Rostering{BaseURL: "ftp://sis.example/", Version: "2.0", Auth: "saml", ClientID: "k"}
	err = e.Validate()
	for _, want := range []string{`"ftp://sis.example/" is not an http(s) URL`, `version "2.0"`, `auth "saml"`, "needs clientID and clientSecret"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
	e.Rostering = &Rostering{BaseURL: "https://sis.example/", Version: "1.2", ClientID: "k", ClientSecret: "s"}
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), `"" is not an http(s) URL`) {
		t.Errorf("oauth2 without a token URL: %v", err)
	}
}
