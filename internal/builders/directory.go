package builders

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// EntryInput is everything a directory entry is made of besides the Tenant.
type EntryInput struct {
	Topology Topology
	Database string
	// App is the active app login; System the LMS's system login; Owner
	// is the owner role.
	App, System, Owner directory.Credentials
	// Schools are the published Schools (see SelectSchools).
	Schools []platformv1.School
	// Admins are the invitations, in spec.admins order.
	Admins []directory.Admin
	// OIDCClientSecret is the value spec.signIn.oidc.clientSecret points to.
	OIDCClientSecret string
	// RosteringSecret is the value spec.rostering.clientSecret points to.
	RosteringSecret string
	// Features are the tenant's resolved flags (see TenantFlags).
	Features flags.Set
	// FlagTokens are the SHA-256 digests of the district's OFREP tokens.
	FlagTokens []string
}

// BuildEntry is the tenant's directory entry.
func BuildEntry(t *platformv1.Tenant, in EntryInput) *directory.Entry {
	e := &directory.Entry{
		Version:     directory.FormatVersion,
		Tenant:      t.Name,
		DisplayName: t.Spec.DisplayName,
		Hosts:       slices.Clone(t.Spec.Hosts),
		TimeZone:    string(t.Spec.TimeZone),
		Database: directory.Database{
			Name:       in.Database,
			Host:       in.Topology.Host,
			Port:       in.Topology.Port,
			DirectHost: in.Topology.DirectHost,
			DirectPort: in.Topology.DirectPort,
			SSLMode:    in.Topology.SSLMode,
			App:        in.App,
			System:     in.System,
			Owner:      in.Owner,
		},
		Admins:     in.Admins,
		SignIn:     directory.SignIn{PasswordsDisabled: t.Spec.SignIn.PasswordsDisabled},
		Features:   in.Features,
		FlagTokens: in.FlagTokens,
	}
	if e.TimeZone == "" {
		e.TimeZone = "UTC"
	}
	for _, s := range in.Schools {
		e.Schools = append(e.Schools, BuildSchool(&s))
	}
	if o := t.Spec.SignIn.OIDC; o != nil {
		e.SignIn.OIDC = &directory.OIDC{
			DisplayName:    o.DisplayName,
			IssuerURL:      o.IssuerURL,
			ClientID:       o.ClientID,
			ClientSecret:   in.OIDCClientSecret,
			AllowedDomains: slices.Clone(o.AllowedDomains),
			// Both sides check it: the CRD refuses it without domains, and
			// the LMS ignores it without them.
			AllowUnverifiedEmail: o.AllowUnverifiedEmail && len(o.AllowedDomains) > 0,
		}
	}
	if ro := t.Spec.Rostering; ro != nil {
		e.Rostering = &directory.Rostering{BaseURL: ro.BaseURL, Version: ro.Version, Auth: ro.Auth, TokenURL: ro.TokenURL,
			ClientID: ro.ClientID, ClientSecret: in.RosteringSecret, Scope: ro.Scope}
	}
	return e
}

// BuildSchool is a School as the directory publishes it.
func BuildSchool(s *platformv1.School) directory.School {
	out := directory.School{
		Code:     s.Spec.Code,
		Name:     s.Spec.DisplayName,
		TimeZone: string(s.Spec.TimeZone),
		Branding: directory.Branding{
			PrimaryColor: s.Spec.Branding.PrimaryColor,
			LogoURL:      s.Spec.Branding.LogoURL,
			Motto:        s.Spec.Branding.Motto,
		},
		Seats: int(s.Spec.Seats),
	}
	for _, h := range s.Spec.Calendar.Hours {
		days := make([]string, len(h.Days))
		for i, d := range h.Days {
			days[i] = string(d)
		}
		out.Calendar.Hours = append(out.Calendar.Hours, directory.Hours{Days: days, Start: string(h.Start), End: string(h.End)})
	}
	for _, term := range s.Spec.Calendar.Terms {
		out.Calendar.Terms = append(out.Calendar.Terms, directory.Term{Name: term.Name, Start: string(term.Start), End: string(term.End)})
	}
	for _, h := range s.Spec.Calendar.Holidays {
		out.Calendar.Holidays = append(out.Calendar.Holidays, directory.Holiday{Name: h.Name, Start: string(h.Start), End: string(h.End)})
	}
	for _, b := range s.Spec.GradeBands {
		out.GradeBands = append(out.GradeBands, directory.GradeBand{Name: b.Name, Grades: slices.Clone(b.Grades)})
	}
	return out
}

// SchoolHash is the digest of a School as published, which the LMS reports
// back in operator_status once it holds that version.
func SchoolHash(s *platformv1.School) string { return directory.SchoolHash(BuildSchool(s)) }

// BuildDirectorySecret is the tenant's directory Secret in the LMS
// namespace, holding the encoded entry.
func BuildDirectorySecret(t *platformv1.Tenant, lmsNamespace string, entry []byte) *corev1.Secret {
	meta := objectMeta(t, lmsNamespace, directory.SecretName(t.Name))
	meta.Labels[directory.LabelKey] = directory.LabelValue
	return &corev1.Secret{
		ObjectMeta: meta,
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{directory.EntryKey: entry},
	}
}

// InvitationSecretName is the Secret in the tenant namespace holding the
// admins' one-time sign-in links.
const InvitationSecretName = "admin-invitations"

// InvitationExpiryAnnotation holds, as JSON, each link's expiry by key.
const InvitationExpiryAnnotation = "platform.bellwork.dev/invitation-expiry"

var invitationKeyRE = regexp.MustCompile(`[^a-z0-9._-]+`)

// InvitationKey is the Secret key of an admin's link: the e-mail address,
// lower-cased, with "@" written "_at_" and other characters a Secret key
// cannot hold written "-".
func InvitationKey(email string) string {
	k := strings.ReplaceAll(strings.ToLower(email), "@", "_at_")
	return invitationKeyRE.ReplaceAllString(k, "-")
}

// InvitationToken is the token at the end of a link made by
// directory.InvitationURL, or "" when link is not one.
func InvitationToken(link string) string {
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, directory.InvitationPath) {
		return ""
	}
	return strings.TrimPrefix(u.Path, directory.InvitationPath)
}

// BuildInvitationSecret holds each admin's link (by InvitationKey) and the
// links' expiry times (annotation, JSON); nil when there are no admins.
func BuildInvitationSecret(t *platformv1.Tenant, links map[string]string, expiryJSON string) *corev1.Secret {
	if len(t.Spec.Admins) == 0 {
		return nil
	}
	data := make(map[string][]byte, len(links))
	for k, v := range links {
		data[k] = []byte(v)
	}
	meta := objectMeta(t, t.NamespaceName(), InvitationSecretName)
	meta.Annotations = map[string]string{InvitationExpiryAnnotation: expiryJSON}
	return &corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeOpaque, Data: data}
}

// FlagTokenSecretName is the Secret in the tenant namespace holding the
// token the district's services present to the LMS's OFREP endpoint
// (key FlagTokenKey); the directory carries only its SHA-256.
const FlagTokenSecretName = "flag-token"

// FlagTokenKey is the key of the token in the flag-token Secret.
const FlagTokenKey = "token"

// BuildFlagTokenSecret holds the district's flag token.
func BuildFlagTokenSecret(t *platformv1.Tenant, token string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: objectMeta(t, t.NamespaceName(), FlagTokenSecretName), Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{FlagTokenKey: []byte(token)}}
}
