package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// The gradebook grid shows scores, drops, group totals and course grades;
// its filters narrow the columns; the CSV export has the same numbers with
// formula cells defused; saving the grading settings changes the grades.
func TestGradebookGridExportAndSettings(t *testing.T) {
	d := newDistrict(t, "gradebook")
	tc, tcsrf := d.session(db.Teacher)
	g := d.gradeSection(t, d.actorOf(tc, db.Teacher))
	if err := d.db.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		if _, err := s.Tx.Exec(t.Context(), `UPDATE users SET display_name = '=HYPERLINK("http://evil","x")' WHERE id = $1`, g.other); err != nil {
			return err
		}
		_, err := s.Tx.Exec(t.Context(), `UPDATE assignments SET title = '+SUM(1)' WHERE id = $1`, g.hw1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	page := "/assess/sections/" + d.section
	res, body := tc.get(page)
	mustStatus(t, "gradebook", res, body, 200)
	mustContain(t, "gradebook", body, "88.00%", "Dropped", "Unit test", "/students/"+d.users[db.Student].ID+`" title="Course grade, override and its history">`+d.users[db.Student].DisplayName+"</a></th>", "100.00%", "80.00%")

	var testsGroup string
	if err := d.db.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(t.Context(), `SELECT group_id FROM assignments WHERE id = $1`, g.test).Scan(&testsGroup)
	}); err != nil {
		t.Fatal(err)
	}
	res, body = tc.get(page + "?group=" + testsGroup)
	mustStatus(t, "filtered", res, body, 200)
	if strings.Contains(body, "HW 2") || !strings.Contains(body, "Unit test") {
		t.Errorf("the group filter kept other groups' columns\n%s", snippet(body))
	}
	res, body = tc.get(page + "?show=missing")
	mustStatus(t, "missing filter", res, body, 200)
	mustContain(t, "missing filter", body, "No student matches the filter.")

	res, body = tc.get(page + "/gradebook.csv")
	mustStatus(t, "csv", res, body, 200)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][1] != "'+SUM(1)" || recs[0][0] != "Student" {
		t.Fatalf("csv header: %q", recs)
	}
	var evil, mine []string
	for _, r := range recs[1:] {
		if strings.Contains(r[0], "HYPERLINK") {
			evil = r
		} else {
			mine = r
		}
	}
	if evil == nil || evil[0] != `'=HYPERLINK("http://evil","x")` {
		t.Errorf("the formula name was not defused: %q", evil)
	}
	// Student, HW 1, HW 2, Unit test, Homework %, Tests %, Current, Final, Override, Letter.
	if mine == nil || mine[1] != "10.00" || mine[3] != "80.00" || mine[6] != "88.00" || mine[9] != "B" {
		t.Errorf("student's csv row: %q", mine)
	}

	settings := "/teach/sections/" + d.section + "/grading"
	res, body = tc.get(settings)
	mustStatus(t, "settings", res, body, 200)
	mustContain(t, "settings", body, "Drop lowest in Homework", "A 90, B 80, C 70, F 0")
	form := url.Values{"_csrf": {tcsrf}, "weighting": {"percent"}, "post_policy": {"manual"}, "scheme": {"A 90, B eighty"}}
	res, body = tc.post(settings, form)
	mustStatus(t, "invalid settings", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid settings", body, "Grading scheme:")
	groups := map[string]string{}
	if err := d.db.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		rows, err := s.Tx.Query(t.Context(), `SELECT id, name FROM assignment_groups WHERE section_id = $1`, d.section)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			groups[name] = id
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	form.Set("scheme", "A 90, B 80, C 70, F 0")
	form.Set("drop_lowest_"+groups["Homework"], "0")
	res, body = tc.post(settings, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d\n%s", res.StatusCode, snippet(body))
	}
	// Nothing dropped now: Homework 15/20 = 75%; 0.4×75 + 0.6×80 = 78.
	res, body = tc.get(page)
	mustStatus(t, "gradebook after settings", res, body, 200)
	mustContain(t, "gradebook after settings", body, "78.00%", "75.00%")
	if strings.Contains(body, "Dropped") {
		t.Error("a score is still dropped after the drop rule was removed")
	}
	// Another teacher can neither see nor change this section's settings.
	other := d.otherTeacher()
	if res, _ := other.get(settings); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher's settings page: %d", res.StatusCode)
	}
	if res, _ := other.get(page + "/gradebook.csv"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher's export: %d", res.StatusCode)
	}
}

// The gradebook's rows are partly written by hand (the cells, for speed):
// a hostile student name and assignment title still reach the page escaped.
func TestGradebookEscapesHostileNames(t *testing.T) {
	d := newDistrict(t, "gbhostile")
	tc, _ := d.session(db.Teacher)
	g := d.gradeSection(t, d.actorOf(tc, db.Teacher))
	const name, title = `<img src=x onerror=alert(1)>&"Bobby'`, `</td><script>alert(2)</script>`
	if err := d.db.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		if _, err := s.Tx.Exec(t.Context(), `UPDATE users SET display_name = $2 WHERE id = $1`, g.other, name); err != nil {
			return err
		}
		_, err := s.Tx.Exec(t.Context(), `UPDATE assignments SET title = $2 WHERE id = $1`, g.hw1, title)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	res, body := tc.get("/assess/sections/" + d.section)
	mustStatus(t, "gradebook", res, body, 200)
	if strings.Contains(body, "<img src=x") || strings.Contains(body, "<script>alert") {
		t.Fatalf("a hostile name or title reached the page unescaped\n%s", snippet(body))
	}
	mustContain(t, "gradebook", body, "&lt;img src=x onerror=alert(1)&gt;&amp;&#34;Bobby&#39;", "&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;", "88.00%", "Dropped")
}
