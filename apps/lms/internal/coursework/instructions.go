package coursework

import (
	"html/template"

	"github.com/microcosm-cc/bluemonday"
)

// instructionsPolicy is what rich-text instructions may contain: the
// formatting, lists, tables, links and images of user-generated content,
// never scripts, styles, forms or event handlers. Links get
// rel="nofollow noopener" and open in a new tab.
var instructionsPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// SanitizeInstructions keeps the safe part of a teacher's rich text.
func SanitizeInstructions(html string) string { return instructionsPolicy.Sanitize(html) }

// Instructions is stored, already sanitised HTML, safe to put in a page.
func (a *Assignment) Instructions() template.HTML {
	return template.HTML(SanitizeInstructions(a.InstructionsHTML)) //nolint:gosec // sanitised again on the way out
}

// Text is a text submission as a page shows it: sanitised again on the way out.
func (s *Submission) Text() template.HTML {
	if s.Body == nil {
		return ""
	}
	return template.HTML(SanitizeInstructions(*s.Body)) //nolint:gosec // sanitised
}

// Body is an announcement's rich text, sanitised again on the way out.
func (a *Announcement) Body() template.HTML {
	return template.HTML(SanitizeInstructions(a.BodyHTML)) //nolint:gosec // sanitised
}
