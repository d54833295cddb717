package app

import (
	"fmt"
	"net/url"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
	"bellwork.dev/bellwork/pkg/directory"
)

// LinkKey is the key that signs a tenant's e-mailed links (the digest's
// one-click unsubscribe). It is derived per tenant from Config.LinkSecret
// (a mounted Secret: LMS_LINK_SECRET or LMS_LINK_SECRET_FILE) when the
// process has one, else from the tenant's system database password in its
// directory Secret, which every replica already holds and which is never
// stored in the database. A key is never written anywhere: links carry
// only their signature.
func (a *App) LinkKey(t *tenancy.Tenant) []byte {
	if len(a.linkSecret) > 0 {
		return auth.LinkKey(a.linkSecret, t.Name())
	}
	return auth.LinkKey([]byte(t.Entry.Database.System.Password), t.Name())
}

// district is what the digest job needs of a tenant from the directory.
func (a *App) district(tenant string) (jobs.District, error) {
	t, ok := a.Registry.Get(tenant)
	if !ok {
		return jobs.District{}, fmt.Errorf("tenant %s is not in the directory", tenant)
	}
	e := t.Entry
	return jobs.District{Name: e.DisplayName, TimeZone: e.TimeZone, Site: SiteOf(e, a.sitePort), LinkKey: a.LinkKey(t)}, nil
}

// SiteOf is a tenant's address for links in mail sent without a request:
// its first host, over HTTPS, or plain HTTP on port for localhost names
// (as invitation links are made).
func SiteOf(e *directory.Entry, port int) string {
	if len(e.Hosts) == 0 {
		return ""
	}
	u, err := url.Parse(directory.InvitationURL(e.Hosts[0], port, ""))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host, "/")
}
