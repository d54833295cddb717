package kit

import (
	"net/http"
	"net/url"
	"strings"
)

// redirect sends the browser on after a form, with an optional flash code.
func Redirect(c *Call, path, done string) {
	if done != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "done=" + url.QueryEscape(done)
	}
	http.Redirect(c.W, c.R, path, http.StatusSeeOther)
}

// flashMessage maps a ?done= code to its sentence; unknown codes show nothing,
// so a link cannot put arbitrary text on a page.
func flashMessage(code string) string {
	return flashes[code]
}

var flashes = map[string]string{
	"signed-out-everywhere":  "You are signed out on every other device.",
	"profile-saved":          "Your profile is saved.",
	"child-linked":           "Your account is linked to your child. Their work and posted grades are below.",
	"user-created":           "The user is created. They can sign in once they set a password from the invitation link.",
	"user-saved":             "Saved.",
	"user-deactivated":       "The user is deactivated and signed out everywhere.",
	"user-activated":         "The user can sign in again.",
	"reset-sent":             "A password reset link was e-mailed to the user.",
	"role-added":             "Role added.",
	"role-removed":           "Role removed.",
	"term-created":           "Term added.",
	"term-updated":           "Term saved.",
	"term-deleted":           "Term deleted.",
	"import-discarded":       "The import was discarded; nothing changed.",
	"name-order-saved":       "Saved. Imports from now on show names in this order; import again to rename people already imported.",
	"sync-saved":             "The sync settings are saved.",
	"sync-queued":            "The sync will run in a moment; its run appears below.",
	"password-set":           "Your password is set. Welcome to Bellwork!",
	"role-switched":          "Switched role.",
	"announced":              "Announcement posted.",
	"group-added":            "Assignment group added.",
	"group-saved":            "Assignment group saved.",
	"group-deleted":          "Assignment group deleted; its assignments are in the group you chose.",
	"announcement-saved":     "Announcement saved.",
	"announcement-deleted":   "Announcement deleted.",
	"assignment-deleted":     "Assignment deleted.",
	"assignment-archived":    "Assignment deleted. Its submissions and grades are kept in the district's records; course grades no longer count it.",
	"rubric-deleted":         "Rubric deleted.",
	"assignment-created":     "Assignment saved as a draft: students see it once you publish it.",
	"assignment-saved":       "Assignment saved.",
	"assignment-published":   "Published: students can see it now.",
	"assignment-unpublished": "Unpublished: students no longer see it.",
	"override-saved":         "Due date saved.",
	"file-attached":          "File attached.",
	"grades-posted":          "Grades posted: students and guardians can see them.",
	"grade-saved":            "Grade saved.",
	"rubric-saved":           "Rubric saved.",
	"alerts-saved":           "Your alert settings are saved.",
	"outcome-saved":          "Outcome saved; mastery is recalculated with it.",
	"outcome-created":        "Outcome added. Teachers can attach it to assignments and rubric criteria now.",
	"outcome-archived":       "Outcome archived. Its attachments, results and history are kept; restore it to attach it to more work.",
	"outcome-restored":       "Outcome restored: teachers can attach it to more work again.",
	"final-grade-overridden": "Final grade overridden. The change and its reason are in the history below.",
	"final-grade-cleared":    "Override cleared: the calculated grade shows again.",
	"submitted":              "Submitted. You can resubmit until the assignment closes; your teacher sees every attempt.",
}
