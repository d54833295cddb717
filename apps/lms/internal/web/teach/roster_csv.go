package teach

import (
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// RosterCSV serves GET /teach/sections/{id}/roster.csv: the section's
// roster as the section page shows it, for a spreadsheet. It sits behind
// the roster-export flag: where the flag is off for the teacher the
// download does not exist (404), and the section page shows no link.
func (s *Handlers) RosterCSV(c *kit.Call) {
	if !c.Features().Enabled(features.RosterExport) {
		s.NotFound(c)
		return
	}
	d, err := LoadSection(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"name", "role", "grade", "email", "guardians"})
	for _, r := range d.Roster {
		grade, guardians := "", ""
		if r.Grade != nil {
			grade = *r.Grade
		}
		if r.Role == classes.Student {
			guardians = strconv.Itoa(r.Guardians)
		}
		_ = w.Write([]string{cell(r.DisplayName), string(r.Role), cell(grade), cell(r.Email), guardians})
	}
	w.Flush()
	h := c.W.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-roster.csv"`, fileName(d.Section.Title)))
	_, _ = c.W.Write([]byte(b.String()))
}

// cell keeps a spreadsheet from reading a name as a formula (CSV injection).
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(title string) string {
	n := strings.Trim(unsafeName.ReplaceAllString(title, "-"), "-")
	if n == "" {
		return "section"
	}
	return n
}
