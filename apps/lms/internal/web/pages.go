package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"slices"
)

//go:embed templates assets
var embedded embed.FS

// kitPages are rendered by the kit itself (error pages for any route), so
// every server loads them whatever its table says.
var kitPages = []string{"error"}

// pages are the parsed templates, one per page, each with the layout and
// the partials. Page templates live at templates/pages/<name>.html.
type pages struct {
	byName map[string]*template.Template
}

// loadPages parses every page the route table names, plus the kit's. A
// missing or broken template stops the server here, at start, naming the
// route that wanted it.
func loadPages(fsys fs.FS, rs []route) (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	wanted := map[string]string{} // template → the first route naming it
	for _, name := range kitPages {
		wanted[name] = "the web kit"
	}
	var order []string
	order = append(order, kitPages...)
	for _, rt := range rs {
		for _, name := range rt.templates {
			if _, ok := wanted[name]; !ok {
				wanted[name] = "route " + rt.key()
				order = append(order, name)
			}
		}
	}
	for _, name := range order {
		file := "templates/pages/" + name + ".html"
		if _, err := fs.Stat(fsys, file); err != nil {
			return nil, fmt.Errorf("%s renders page %q, but %s does not exist", wanted[name], name, file)
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys,
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
func (p *pages) names() []string {
	var out []string
	for n := range p.byName {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func subFS(dir string) fs.FS {
	sub, err := fs.Sub(embedded, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
