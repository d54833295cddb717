package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// The form and the API reject the same invalid person with the same
// sentences: the API as problem+json naming each field, the form above
// itself. One rule, worded once (people.Invitee.Check).
func TestFormAndAPIRenderTheSameValidationErrors(t *testing.T) {
	d := newDistrict(t, "invalid")
	c, csrf := d.session(db.DistrictAdmin)
	res, body := c.doBody("POST", "/api/v1/users", `{"email":"not-an-address","givenName":"","role":"wizard","schoolId":""}`,
		http.Header{"X-Csrf-Token": {csrf}, "Content-Type": {"application/json"}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var doc struct {
		Errors    validate.Errors `json:"errors"`
		RequestID string          `json:"requestId"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Errors) != 3 || doc.Errors.For("email") == "" || doc.Errors.For("givenName") == "" || doc.Errors.For("role") == "" || doc.RequestID == "" {
		t.Fatalf("API field errors: %s", body)
	}

	tok := c.formToken("/admin/users/new")
	res, page := c.post("/admin/users", url.Values{"_csrf": {tok}, "email": {"not-an-address"}, "given_name": {""}, "role": {"wizard"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("form: %d", res.StatusCode)
	}
	for _, f := range doc.Errors {
		if !strings.Contains(page, f.Message) {
			t.Errorf("the form does not say %q", f.Message)
		}
	}
}
