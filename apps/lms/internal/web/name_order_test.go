package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// A district admin chooses the name order on the imports page; people
// added afterwards are named in it. School admins see no such form and
// cannot post it.
func TestDistrictAdminChoosesTheNameOrder(t *testing.T) {
	d := newDistrict(t, "nameorder")
	admin, _ := d.session(db.DistrictAdmin)
	tok := admin.formToken("/admin/imports")
	res, _ := admin.post("/admin/imports/name-order", url.Values{"_csrf": {tok}, "name_order": {"family-given"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the order: %d", res.StatusCode)
	}
	if _, page := admin.get("/admin/imports"); !strings.Contains(page, `value="family-given" checked`) {
		t.Errorf("the form does not show the saved order: %s", snippet(page))
	}
	if res, _ := admin.post("/admin/imports/name-order", url.Values{"_csrf": {tok}, "name_order": {"backwards"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown order: %d, want 422", res.StatusCode)
	}
	tok = admin.formToken("/admin/users/new")
	res, _ = admin.post("/admin/users", url.Values{"_csrf": {tok}, "email": {"li.ming@nameorder.example"}, "given_name": {"明"},
		"family_name": {"李"}, "role": {"teacher"}, "school": {d.schoolA}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a user: %d", res.StatusCode)
	}
	if _, body := admin.get("/admin/users?q=li.ming"); !strings.Contains(body, "李 明") {
		t.Errorf("new user not named family first: %s", snippet(body))
	}

	sa, _ := d.session(db.SchoolAdmin)
	page := sa.formToken("/admin/imports")
	if _, body := sa.get("/admin/imports"); strings.Contains(body, "name-order") {
		t.Error("a school admin is offered the district's name order")
	}
	if res, _ := sa.post("/admin/imports/name-order", url.Values{"_csrf": {page}, "name_order": {"given-family"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("school admin saving the order: %d, want 403", res.StatusCode)
	}
}

// The vendor fields a roster import kept are shown on the person's page.
func TestPersonPageShowsVendorFields(t *testing.T) {
	d := newDistrict(t, "vendorext")
	student := d.users[db.Student].ID
	err := d.db.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		_, err := s.Tx.Exec(t.Context(), `UPDATE users SET ext = '{"ext_house": "Gryffindor", "ext_locker": "B-12"}' WHERE id = $1`, student)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := d.session(db.DistrictAdmin)
	_, page := admin.get("/admin/users/" + student)
	for _, want := range []string{"From the student information system", "<dt>ext_house</dt><dd>Gryffindor</dd>", "<dt>ext_locker</dt><dd>B-12</dd>"} {
		if !strings.Contains(page, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	if _, page := admin.get("/admin/users/" + d.users[db.Teacher].ID); strings.Contains(page, "From the student information system") {
		t.Error("a person without vendor fields shows the section")
	}
}
