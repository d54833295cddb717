//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// web is a plain HTTP client for setup steps that are not the journey
// itself. It keeps the district's cookies itself: it dials 127.0.0.1 and
// names the district in the Host header, which a cookie jar would file
// under the wrong host.
type web struct {
	t       *testing.T
	d       *district
	hc      *http.Client
	cookies map[string]string
}

func newWeb(t *testing.T, d *district) *web {
	return &web{t: t, d: d, cookies: map[string]string{},
		hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// session is the client's session cookie ("" when signed out).
func (w *web) session() string { return w.cookies["bw_session"] }

func (w *web) do(method, path string, form url.Values) (int, string) {
	w.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = w.d.Base + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		w.t.Fatal(err)
	}
	// *.localhost resolves to loopback in browsers; here, dial it directly.
	req.URL.Host = fmt.Sprintf("127.0.0.1:%s", req.URL.Port())
	req.Host = fmt.Sprintf("%s:%s", w.d.Host, req.URL.Port())
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, value := range w.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(w.cookies, c.Name)
		} else {
			w.cookies[c.Name] = c.Value
		}
	}
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// acceptInvitation sets the admin's password from the operator's link.
func (w *web) acceptInvitation(link, password string) {
	w.t.Helper()
	_, page := w.do("GET", link, nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatalf("invitation page has no form:\n%s", page)
	}
	if code, _ := w.do("POST", link, url.Values{"_csrf": {m[1]}, "name": {"Dana Admin"}, "password": {password}, "confirm": {password}}); code != http.StatusSeeOther {
		w.t.Fatalf("accept invitation: %d", code)
	}
}

func (w *web) csrf(path string) string {
	_, page := w.do("GET", path, nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatalf("no form on %s", path)
	}
	return m[1]
}

// apiIDs reads the ids of a JSON API list ({"items": [{"id": ...}]}).
func (w *web) apiIDs(path string) []string {
	w.t.Helper()
	code, body := w.do("GET", path, nil)
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil {
		w.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	ids := make([]string, 0, len(list.Items))
	for _, it := range list.Items {
		ids = append(ids, it.ID)
	}
	return ids
}
