package importer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// newID returns a random (version 4) UUID. Ids are made here, not by the
// database, so that rows written in one batch can refer to each other and
// no INSERT needs RETURNING, which row-level security would check against
// the SELECT policy before the new user has a membership that makes them
// visible to a school admin.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// noEmailDomain holds the placeholder addresses of users imported without
// one. ".invalid" is reserved (RFC 2606): nothing is ever delivered there.
const noEmailDomain = "noemail.invalid"

// placeholderEmail makes the address of a user imported without one from
// their sourcedId: lower-case letters, digits, dots, dashes and underscores
// are kept, anything else becomes a dash, and a short hash of the sourcedId
// is added when anything was changed, so two ids never share an address.
func placeholderEmail(sourcedID string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(sourcedID) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	local := b.String()
	if local != sourcedID || local == "" || len(local) > 48 {
		sum := sha256.Sum256([]byte(sourcedID))
		local = truncate(local, 48) + "-" + hex.EncodeToString(sum[:4])
	}
	return local + "@" + noEmailDomain
}

func isPlaceholderEmail(email string) bool { return strings.HasSuffix(email, "@"+noEmailDomain) }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// normalizeGrade drops leading zeros from numeric grades ("09" becomes "9")
// and keeps the others ("KG", "PK") as written.
func normalizeGrade(g string) string {
	g = strings.TrimSpace(g)
	if g == "" || strings.Trim(g, "0123456789") != "" {
		return g
	}
	if t := strings.TrimLeft(g, "0"); t != "" {
		return t
	}
	return "0"
}

func normalizeGrades(gs []string) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		if g = normalizeGrade(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

// person is "Mary Archer <mary.archer@studentgps.org>".
func person(display, email string) string { return fmt.Sprintf("%s <%s>", display, email) }

// dayOf turns a roster date into the time a date column holds.
func dayOf(d roster.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func sameDay(a, b time.Time) bool { return a.Format(time.DateOnly) == b.Format(time.DateOnly) }

func sameOptionalDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return sameDay(*a, *b)
}

func pgDate(t *time.Time) pgtype.Date {
	if t == nil {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: *t, Valid: true}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// plural picks the singular or plural form for n: plural(2, "user has", "users have").
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// orderedSet keeps distinct strings in the order they were first added.
type orderedSet struct {
	items []string
	seen  map[string]bool
}

func (s *orderedSet) add(v string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if !s.seen[v] {
		s.seen[v] = true
		s.items = append(s.items, v)
	}
}

// vendorJSON is a user's ext_ columns as a JSON object, nil when none.
func vendorJSON(ext map[string]string) *string {
	if len(ext) == 0 {
		return nil
	}
	data, err := json.Marshal(ext)
	if err != nil {
		return nil
	}
	s := string(data)
	return &s
}
