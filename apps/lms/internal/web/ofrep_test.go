package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

const flagToken = "district-flag-token-for-tests"

func withFlagToken(e *directory.Entry) {
	sum := sha256.Sum256([]byte(flagToken))
	e.FlagTokens = []string{hex.EncodeToString(sum[:])}
}

// ofrepCall POSTs body to an OFREP path on the district's host with the
// given headers and decodes the JSON answer (nil when there is none).
func (d *district) ofrepCall(path, body string, header map[string]string) (*http.Response, map[string]any) {
	d.t.Helper()
	req, err := http.NewRequest("POST", d.http.URL+path, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Host = d.host
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			d.t.Fatalf("%s: answer is not JSON: %s", path, data)
		}
	}
	return res, out
}

var bearer = map[string]string{"Authorization": "Bearer " + flagToken}

// OFREP conformance for the two core endpoints: authentication, a single
// evaluation (value, variant, reason), FLAG_NOT_FOUND, INVALID_CONTEXT,
// and the bulk evaluation with its ETag and 304.
func TestOFREPEndpoints(t *testing.T) {
	d := newDistrict(t, "ofrep", withSchoolB, withFlagToken)
	d.publish(func(e *directory.Entry) {
		e.Features["roster-export"] = rosterExport("ofrep/A")
		e.Features["banner"] = flags.Flag{Variants: map[string]json.RawMessage{"plain": json.RawMessage(`"plain"`), "bold": json.RawMessage(`"bold"`)},
			DefaultVariant: "plain", Rules: []flags.Rule{{Roles: []string{"teacher"}, Variant: "bold"}}}
	})
	const one = "/ofrep/v1/evaluate/flags/roster-export"
	atA := `{"context": {"targetingKey": "u-1", "school": "A", "role": "teacher"}}`

	t.Run("authentication", func(t *testing.T) {
		for name, h := range map[string]map[string]string{
			"no token":     nil,
			"wrong token":  {"Authorization": "Bearer nope"},
			"basic scheme": {"Authorization": "Basic " + flagToken},
		} {
			res, body := d.ofrepCall(one, atA, h)
			if res.StatusCode != http.StatusUnauthorized || body["errorDetails"] == nil {
				t.Errorf("%s: %d %v, want 401 with errorDetails", name, res.StatusCode, body)
			}
		}
		if res, _ := d.ofrepCall(one, atA, map[string]string{"X-API-Key": flagToken}); res.StatusCode != http.StatusOK {
			t.Errorf("X-API-Key: %d, want 200", res.StatusCode)
		}
	})

	t.Run("single evaluation", func(t *testing.T) {
		res, body := d.ofrepCall(one, atA, bearer)
		if res.StatusCode != http.StatusOK || body["key"] != "roster-export" || body["value"] != true ||
			body["variant"] != "on" || body["reason"] != "TARGETING_MATCH" {
			t.Fatalf("school A: %d %v", res.StatusCode, body)
		}
		res, body = d.ofrepCall(one, `{"context": {"targetingKey": "u-2", "school": "B", "role": "teacher"}}`, bearer)
		if res.StatusCode != http.StatusOK || body["value"] != false || body["variant"] != "off" || body["reason"] != "DEFAULT" {
			t.Fatalf("school B: %d %v", res.StatusCode, body)
		}
		res, body = d.ofrepCall("/ofrep/v1/evaluate/flags/banner", "", bearer)
		if res.StatusCode != http.StatusOK || body["value"] != "plain" {
			t.Fatalf("no body (the context is optional): %d %v", res.StatusCode, body)
		}
	})

	t.Run("errors", func(t *testing.T) {
		res, body := d.ofrepCall("/ofrep/v1/evaluate/flags/no-such-flag", atA, bearer)
		if res.StatusCode != http.StatusNotFound || body["errorCode"] != "FLAG_NOT_FOUND" || body["key"] != "no-such-flag" {
			t.Fatalf("unknown flag: %d %v", res.StatusCode, body)
		}
		for name, in := range map[string]string{
			"not JSON":         `{"context": `,
			"unknown role":     `{"context": {"role": "principal"}}`,
			"another district": `{"context": {"tenant": "someone-else"}}`,
			"object attribute": `{"context": {"grade": {"x": 1}}}`,
		} {
			res, body := d.ofrepCall(one, in, bearer)
			if res.StatusCode != http.StatusBadRequest || body["errorCode"] != "INVALID_CONTEXT" || body["errorDetails"] == "" {
				t.Errorf("%s: %d %v, want 400 INVALID_CONTEXT", name, res.StatusCode, body)
			}
			res, body = d.ofrepCall("/ofrep/v1/evaluate/flags", in, bearer)
			if res.StatusCode != http.StatusBadRequest || body["errorCode"] != "INVALID_CONTEXT" {
				t.Errorf("bulk, %s: %d %v, want 400 INVALID_CONTEXT", name, res.StatusCode, body)
			}
		}
	})

	t.Run("bulk evaluation", func(t *testing.T) {
		res, body := d.ofrepCall("/ofrep/v1/evaluate/flags", atA, bearer)
		etag := res.Header.Get("ETag")
		if res.StatusCode != http.StatusOK || etag == "" {
			t.Fatalf("bulk: %d etag %q", res.StatusCode, etag)
		}
		got := map[string]any{}
		for _, f := range body["flags"].([]any) {
			f := f.(map[string]any)
			got[f["key"].(string)] = f["value"]
		}
		if len(got) != 2 || got["roster-export"] != true || got["banner"] != "bold" {
			t.Fatalf("bulk flags: %v", body)
		}
		h := map[string]string{"Authorization": bearer["Authorization"], "If-None-Match": etag}
		if res, _ := d.ofrepCall("/ofrep/v1/evaluate/flags", atA, h); res.StatusCode != http.StatusNotModified {
			t.Fatalf("If-None-Match with the current ETag: %d, want 304", res.StatusCode)
		}
		// A flip changes the answer, so the ETag no longer matches.
		d.publish(func(e *directory.Entry) { e.Features["roster-export"] = rosterExport() })
		res, body = d.ofrepCall("/ofrep/v1/evaluate/flags", atA, h)
		if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag {
			t.Fatalf("after a flip: %d etag %q (was %q)", res.StatusCode, res.Header.Get("ETag"), etag)
		}
		for _, f := range body["flags"].([]any) {
			if f := f.(map[string]any); f["key"] == "roster-export" && f["value"] != false {
				t.Fatalf("after the flip roster-export = %v", f)
			}
		}
	})
}

// A district without a flag token refuses every OFREP call: another
// district's token does not open it.
func TestOFREPWithoutTokensRefusesEveryone(t *testing.T) {
	d := newDistrict(t, "ofrepnone")
	if res, _ := d.ofrepCall("/ofrep/v1/evaluate/flags", "{}", bearer); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("%d, want 401", res.StatusCode)
	}
}
