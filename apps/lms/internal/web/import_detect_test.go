package web

import (
	"net/http"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// An upload that names no format is checked as the format its files look
// like (importer.Detect): one lone CSV is the users CSV.
func TestUploadWithoutAFormatIsDetected(t *testing.T) {
	d := newDistrict(t, "detect")
	c, csrf := d.session(db.DistrictAdmin)
	res, _ := c.upload(csrf, "", map[string][]byte{"staff.csv": []byte(
		"email,given_name,family_name,role,school_code\nnew.teacher@detect.org,Nia,Teacher,teacher,A\n")})
	m := importLink.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload without a format: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, page := c.get("/admin/imports/" + m[1])
	if !strings.Contains(page, "new.teacher@detect.org") {
		t.Fatalf("the detected users CSV was not planned:\n%s", snippet(page))
	}
}
