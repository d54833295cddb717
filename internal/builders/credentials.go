package builders

import (
	"maps"
	"net"
	"net/url"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// CredentialKind is one of the five credentials a tenant gets.
type CredentialKind string

// The credentials, each in a Secret "db-<kind>" in the tenant namespace.
const (
	CredentialOwner    CredentialKind = "owner"
	CredentialApp      CredentialKind = "app"
	CredentialSystem   CredentialKind = "system"
	CredentialReadonly CredentialKind = "readonly"
	CredentialBackup   CredentialKind = "backup"
)

// CredentialKinds lists the credentials in the order they are made.
var CredentialKinds = []CredentialKind{CredentialOwner, CredentialApp, CredentialSystem, CredentialReadonly, CredentialBackup}

// SecretName is the credential's Secret in the tenant namespace.
func (k CredentialKind) SecretName() string { return "db-" + string(k) }

// Keys of a credentials Secret.
const (
	KeyUsername = "username"
	KeyPassword = "password"
	KeyHost     = "host"
	KeyPort     = "port"
	KeyDBName   = "dbname"
	KeyURI      = "uri"
)

// Credential is one role's login and the bookkeeping the operator keeps on
// its Secret (annotations: when it was generated, whether Postgres has it).
type Credential struct {
	Kind        CredentialKind
	User        string
	Password    string
	Annotations map[string]string
}

// BuildCredentialsSecret is a credential's Secret: user, password and where
// to connect. The LMS's credentials (app and system) point at the pooler
// when there is one; the others at the server, since they need session
// state (migrations, pg_dump) or are used rarely.
func BuildCredentialsSecret(t *platformv1.Tenant, top Topology, database string, c Credential) *corev1.Secret {
	host, port := top.DirectHost, top.DirectPort
	if c.Kind == CredentialApp || c.Kind == CredentialSystem {
		host, port = top.Host, top.Port
	}
	s := &corev1.Secret{
		ObjectMeta: objectMeta(t, t.NamespaceName(), c.Kind.SecretName()),
		Type:       corev1.SecretTypeBasicAuth,
		Data: map[string][]byte{
			KeyUsername: []byte(c.User),
			KeyPassword: []byte(c.Password),
			KeyHost:     []byte(host),
			KeyPort:     []byte(strconv.Itoa(port)),
			KeyDBName:   []byte(database),
			KeyURI:      []byte(ConnectionURI(host, port, database, c.User, c.Password, top.SSLMode)),
		},
	}
	if len(c.Annotations) > 0 {
		s.Annotations = maps.Clone(c.Annotations)
	}
	return s
}

// ConnectionURI is a libpq/pgx connection URI.
func ConnectionURI(host string, port int, database, user, password, sslMode string) string {
	u := url.URL{Scheme: "postgresql", User: url.UserPassword(user, password),
		Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: "/" + database}
	if sslMode != "" {
		u.RawQuery = url.Values{"sslmode": {sslMode}}.Encode()
	}
	return u.String()
}
