package roster

import "strings"

const manifestFile = "manifest.csv"

// manifest is what manifest.csv says about the rest of the bundle.
type manifest struct {
	properties map[string]string
	modes      map[string]manifestMode // by file name, e.g. "users.csv"
}

// manifestMode is a file's processing mode as the manifest states it.
type manifestMode struct {
	mode string // "absent", "bulk" or "delta"
	line int
}

var processingModes = vocabulary{"absent", "bulk", "delta"}

// readManifest reads manifest.csv. Version numbers are not checked for an
// exact value: real exports write "manifest.version,1".
func (p *bundleParser) readManifest(src Source) manifest {
	m := manifest{modes: map[string]manifestMode{}}
	spec := tableSpec{required: []string{"propertyName", "value"}}
	t := readTable(manifestFile, src, spec, p.lim, &p.problems)
	if t == nil {
		return m
	}
	m.properties = map[string]string{}
	lines := map[string]int{}
	for _, row := range t.rows {
		if row.misshapen {
			continue
		}
		c := &rowCheck{t: t, row: row, problems: &p.problems}
		name, value := c.required("propertyName"), t.value(row, "value")
		if name == "" {
			continue
		}
		if first, seen := lines[name]; seen {
			c.problem("propertyName", "%s is already given on line %d; list each property once", quote(name), first)
			continue
		}
		lines[name] = row.line
		m.properties[name] = value
		p.checkManifestProperty(c, &m, name, value)
	}
	return m
}

func (p *bundleParser) checkManifestProperty(c *rowCheck, m *manifest, name, value string) {
	if name == "oneroster.version" && !strings.HasPrefix(value, "1.0") && !strings.HasPrefix(value, "1.1") {
		c.problem("value", "oneroster.version is %s; this import reads OneRoster 1.1, so export the bundle as version 1.1", quote(value))
		return
	}
	file, ok := manifestFileName(name)
	if !ok {
		return
	}
	mode, ok := processingModes.lookup(value)
	if !ok {
		c.problem("value", "%s is %s; use bulk, or absent when the bundle leaves the file out", name, quote(value))
		return
	}
	m.modes[file] = manifestMode{mode: mode, line: c.row.line}
}

// manifestFileName maps "file.users" to "users.csv" for the files this
// package reads; entries for other files are ignored like the files.
func manifestFileName(property string) (string, bool) {
	base, ok := strings.CutPrefix(property, "file.")
	if !ok {
		return "", false
	}
	for _, f := range bundleFiles {
		if f.name == base+".csv" {
			return f.name, true
		}
	}
	return "", false
}
