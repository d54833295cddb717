package roster

import (
	"fmt"
	"strings"
	"unicode"
)

// rowCheck reads one row's values and records what is wrong with them.
// Each reader returns its best reading of the value, so a row is checked in
// full even after its first problem.
type rowCheck struct {
	t        *table
	row      tableRow
	problems *problemList
	failed   bool
	reason   string // the first problem's, for the skipped-rows list
}

func (c *rowCheck) problem(field, format string, args ...any) {
	c.failed = true
	if c.reason == "" {
		c.reason = fmt.Sprintf(format, args...)
	}
	c.problems.add(c.t.file, c.row.line, field, format, args...)
}

// text returns an optional value.
func (c *rowCheck) text(column string) string {
	return c.t.value(c.row, column)
}

// required returns a value that must not be empty.
func (c *rowCheck) required(column string) string {
	v := c.t.value(c.row, column)
	if v == "" {
		c.problem(column, "%s is empty; fill it in, it is required", column)
	}
	return v
}

// choice returns the vocabulary's spelling of a required value that must be
// one of its words. Case is forgiven: "Student" is read as "student".
func (c *rowCheck) choice(column string, words vocabulary) string {
	v := c.t.value(c.row, column)
	if v == "" {
		c.problem(column, "%s is empty; use one of %s", column, words)
		return ""
	}
	word, ok := words.lookup(v)
	if !ok {
		c.problem(column, "%s %s is not one of %s", column, quote(v), words)
	}
	return word
}

// status returns the row's status: "", "active" or "tobedeleted". The
// words older exports use for a row that is gone, inactive and deleted,
// are read as tobedeleted with a warning.
func (c *rowCheck) status() string {
	v := c.t.value(c.row, "status")
	if v == "" {
		return ""
	}
	if old, ok := legacyStatuses.lookup(v); ok {
		c.problems.warnRows(c.t.file, c.row.line, "status",
			fmt.Sprintf("status %s is from an older OneRoster version; it was read as tobedeleted", quote(old)))
		return "tobedeleted"
	}
	word, ok := statuses.lookup(v)
	if !ok {
		c.problem("status", "status %s must be empty, active or tobedeleted", quote(v))
	}
	return word
}

// boolean reads true or false in any case; an empty value means whenEmpty.
func (c *rowCheck) boolean(column string, whenEmpty bool) bool {
	v := c.t.value(c.row, column)
	switch {
	case v == "":
		return whenEmpty
	case strings.EqualFold(v, "true"):
		return true
	case strings.EqualFold(v, "false"):
		return false
	}
	c.problem(column, "%s %s must be true or false (empty means %t)", column, quote(v), whenEmpty)
	return whenEmpty
}

// date reads a required YYYY-MM-DD date.
func (c *rowCheck) date(column string) Date {
	v := c.t.value(c.row, column)
	if v == "" {
		c.problem(column, "%s is empty; fill it in as YYYY-MM-DD", column)
		return Date{}
	}
	d, ok := parseDate(v)
	if !ok {
		c.problem(column, "%s %s is not a date written as YYYY-MM-DD, such as 2024-08-19", column, quote(v))
	}
	return d
}

// optionalDate reads a YYYY-MM-DD date that may be empty (nil).
func (c *rowCheck) optionalDate(column string) *Date {
	if c.t.value(c.row, column) == "" {
		return nil
	}
	d := c.date(column)
	return &d
}

// endNotBeforeStart reports an end date earlier than its start. Zero dates
// (empty or unreadable, reported already) are not compared.
func (c *rowCheck) endNotBeforeStart(startColumn string, start Date, endColumn string, end Date) {
	if start == (Date{}) || end == (Date{}) || !end.before(start) {
		return
	}
	c.problem(endColumn, "%s %s is before %s %s; the end must be on or after the start",
		endColumn, end, startColumn, start)
}

// list reads a comma-separated list held in one (quoted) CSV field,
// trimming spaces and dropping empty items.
func (c *rowCheck) list(column string) []string {
	return splitList(c.t.value(c.row, column), ",")
}

func splitList(v, sep string) []string {
	var items []string
	for item := range strings.SplitSeq(v, sep) {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// email reads an optional email address, lower-cased.
func (c *rowCheck) email(column string) string {
	v := c.t.value(c.row, column)
	if v == "" {
		return ""
	}
	if !looksLikeEmail(v) {
		c.problem(column, "%s %s is not an email address; it needs one @, a domain with a dot, and no spaces",
			column, quote(v))
	}
	return strings.ToLower(v)
}

// looksLikeEmail is a plausibility check, not RFC 5322: one @ with text
// before it, a domain holding a dot that neither starts nor ends it, and no
// spaces. Delivery is the real test.
func looksLikeEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || strings.ContainsFunc(v, unicode.IsSpace) {
		return false
	}
	dot := strings.Index(domain, ".")
	return dot > 0 && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// vocabulary lists the allowed words of an enumerated column in their
// canonical spelling.
type vocabulary []string

func (v vocabulary) lookup(s string) (string, bool) {
	for _, word := range v {
		if strings.EqualFold(word, s) {
			return word, true
		}
	}
	return "", false
}

func (v vocabulary) String() string {
	return strings.Join(v, ", ")
}

var (
	statuses       = vocabulary{"active", "tobedeleted"}
	legacyStatuses = vocabulary{"inactive", "deleted"}
)

// orgType reads an org's type. A type OneRoster 1.1 does not list (such
// as "other" or "campus") is read as department, with a warning: the
// importer places departments under their parent school, or takes them as
// a school when no school is above them.
func (c *rowCheck) orgType() string {
	v := c.t.value(c.row, "type")
	if v == "" {
		c.problem("type", "type is empty; use one of %s", orgTypes)
		return ""
	}
	if word, ok := orgTypes.lookup(v); ok {
		return word
	}
	c.problems.warnRows(c.t.file, c.row.line, "type", fmt.Sprintf("type %s is not a OneRoster org type; it was read as department", quote(v)))
	return "department"
}

// vendorColumns returns the row's non-empty values of columns named ext_…
// (vendor extensions OneRoster allows), nil when there are none.
func (c *rowCheck) vendorColumns() map[string]string {
	var ext map[string]string
	for name, i := range c.t.columns {
		if !strings.HasPrefix(strings.ToLower(name), "ext_") || c.row.fields[i] == "" {
			continue
		}
		if ext == nil {
			ext = map[string]string{}
		}
		ext[name] = c.row.fields[i]
	}
	return ext
}
