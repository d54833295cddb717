package alerting

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Labels is an instance's label set.
type Labels map[string]string

// Key is the label set written "a=1,b=2" with names sorted: an instance's
// identity in status and in messages.
func (l Labels) Key() string {
	names := slices.Sorted(maps.Keys(l))
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(l[n])
	}
	return b.String()
}

// subset is the labels named, "" for those missing, as a key.
func (l Labels) subset(names []string) string {
	sub := Labels{}
	for _, n := range names {
		sub[n] = l[n]
	}
	return sub.Key()
}

// Matches reports whether every matcher holds for l. A regular expression
// is anchored, as in Prometheus; one that does not compile never matches
// (admission refuses such silences, so this only guards old objects).
func Matches(l Labels, matchers []platformv1.LabelMatcher) bool {
	for _, m := range matchers {
		v := l[m.Name]
		switch m.Operator {
		case platformv1.MatchNotEqual:
			if v == m.Value {
				return false
			}
		case platformv1.MatchRegexp, platformv1.MatchNotRegexp:
			re, err := regexp.Compile("^(?:" + m.Value + ")$")
			if err != nil {
				return false
			}
			if re.MatchString(v) != (m.Operator == platformv1.MatchRegexp) {
				return false
			}
		default:
			if v != m.Value {
				return false
			}
		}
	}
	return true
}
