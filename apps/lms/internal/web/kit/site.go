package kit

import (
	"net/http"
	"strings"
)

// SiteURL is the scheme and host the request came to.
func SiteURL(r *http.Request) string {
	scheme := "https"
	if !isHTTPS(r) && isLocalHost(r.Host) {
		scheme = "http"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}
