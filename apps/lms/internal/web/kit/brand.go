package kit

import (
	"fmt"
	"math"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/schools"
)

// brand is the school's look as the layout shows it.
type brand struct {
	SchoolName string
	Color      string // readable on white
	LogoURL    string
	Motto      string
}

// brandOf is the branding of the school the request acts in; without one,
// the default colour.
func brandOf(school *schools.School) brand {
	if school == nil {
		return brand{Color: readableColor("")}
	}
	b := school.BrandingInfo()
	return brand{SchoolName: school.Name, Color: readableColor(b.PrimaryColor), LogoURL: b.LogoURL, Motto: b.Motto}
}

// readableColor returns the brand colour, darkened until white text on it
// has at least 4.5:1 contrast (WCAG AA); a default blue when unset or invalid.
func readableColor(hex string) string {
	r, g, b, ok := parseHex(hex)
	if !ok {
		r, g, b = 0x1d, 0x4e, 0xd8
	}
	for i := 0; i < 20 && contrastWithWhite(r, g, b) < 4.5; i++ {
		r, g, b = r*9/10, g*9/10, b*9/10
	}
	return fmt.Sprintf("#%02x%02x%02x", r, g, b)
}

func parseHex(s string) (r, g, b int, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff), true
}

// contrastWithWhite is WCAG 2's contrast ratio of white on the colour.
func contrastWithWhite(r, g, b int) float64 {
	lin := func(c int) float64 {
		v := float64(c) / 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	return 1.05 / (l + 0.05)
}
