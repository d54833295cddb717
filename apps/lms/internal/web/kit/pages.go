package kit

import (
	"fmt"
	"html/template"
	"io/fs"
	"slices"
)

// KitPages are rendered by the kit itself (error pages for any route), so
// every server loads them whatever its table says.
var KitPages = []string{"error"}

// Pages are the parsed templates, one per page, each with the layout and
// the partials. Page templates live at templates/Pages/<name>.html.
type Pages struct {
	byName map[string]*template.Template
}

// LoadPages parses every page the route table names, plus the kit's. A
// missing or broken template stops the server here, at start, naming the
// route that wanted it. extra adds template helpers that need the server's
// state (the asset helper, which knows the fingerprinted names).
func LoadPages(fsys fs.FS, rs []Route, extra ...template.FuncMap) (*Pages, error) {
	p := &Pages{byName: map[string]*template.Template{}}
	wanted := map[string]string{} // template → the first route naming it
	for _, name := range KitPages {
		wanted[name] = "the web kit"
	}
	var order []string
	order = append(order, KitPages...)
	for _, rt := range rs {
		for _, name := range rt.Templates {
			if _, ok := wanted[name]; !ok {
				wanted[name] = "route " + rt.Key()
				order = append(order, name)
			}
		}
	}
	for _, name := range order {
		file := "templates/pages/" + name + ".html"
		if _, err := fs.Stat(fsys, file); err != nil {
			return nil, fmt.Errorf("%s renders page %q, but %s does not exist", wanted[name], name, file)
		}
		t := template.New("layout.html").Funcs(funcs)
		for _, fm := range extra {
			t = t.Funcs(fm)
		}
		t, err := t.ParseFS(fsys,
			"templates/layout.html", "templates/partials/*.html", file)
		if err != nil {
			return nil, fmt.Errorf("page %s (wanted by %s): %w", name, wanted[name], err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("page %s (wanted by %s) defines no content block", name, wanted[name])
		}
		p.byName[name] = t
	}
	return p, nil
}

// names lists the loaded pages, sorted (for tests).
func (p *Pages) Names() []string {
	var out []string
	for n := range p.byName {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
