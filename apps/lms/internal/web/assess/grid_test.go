package assess

import (
	"html/template"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
)

// cellTemplate is the markup the gradebook template wrote for each cell
// before appendCell took over.
const cellTemplate = `{{range .}}<td>{{if eq (print .State) "excused"}}<span class="badge">Excused</span>{{else if .Score}}{{.Score}}{{else}}<span class="muted" aria-label="Not graded">–</span>{{end}}{{if .Dropped}} <span class="badge">Dropped</span>{{end}}{{if .Missing}} <span class="badge warn">Missing</span>{{end}}{{if .Late}} <span class="badge warn">Late</span>{{end}}</td>{{end}}`

// TestCellsHTMLMatchesTemplate proves the hand-written cells are byte for
// byte what html/template wrote, for every combination of state and badge,
// and that a hostile value is escaped exactly as the template escapes it.
func TestCellsHTMLMatchesTemplate(t *testing.T) {
	tmpl := template.Must(template.New("cells").Parse(cellTemplate))
	var cells []GridCell
	for _, score := range []string{"", "9.50", "-1.25", `<script>alert("x")</script>&'`} {
		for _, state := range []calc.ItemState{calc.Counted, calc.Ungraded, calc.Excused, calc.Omitted} {
			for flags := range 8 {
				cells = append(cells, GridCell{Score: score, State: state, Dropped: flags&1 != 0, Missing: flags&2 != 0, Late: flags&4 != 0})
			}
		}
	}
	var want strings.Builder
	if err := tmpl.Execute(&want, cells); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for _, c := range cells {
		got = appendCell(got, c)
	}
	if string(got) != want.String() {
		t.Fatalf("cells differ from the template's:\n got %s\nwant %s", got, want.String())
	}
	if strings.Contains(string(got), "<script>") {
		t.Fatal("a score was written unescaped")
	}
}
