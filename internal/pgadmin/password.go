package pgadmin

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// GeneratePassword returns 32 random bytes from crypto/rand, base64url
// encoded: 43 characters, safe in URLs and connection strings.
func GeneratePassword() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidPassword says whether a password (perhaps set by hand in a Secret)
// can be sent as a SCRAM verifier: printable ASCII, for which SASLprep
// changes nothing, and long enough to be worth having.
func ValidPassword(p string) bool {
	if len(p) < 16 || len(p) > 256 {
		return false
	}
	for _, r := range p {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

const scramIterations = 4096

// SCRAMVerifier is what Postgres stores for a password with
// password_encryption = scram-sha-256 (RFC 5802, 7677). Sending it instead
// of the password keeps the password out of server logs and statistics.
func SCRAMVerifier(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return scramVerifier(password, salt, scramIterations)
}

func scramVerifier(password string, salt []byte, iterations int) string {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		panic(fmt.Sprintf("pbkdf2: %v", err))
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(storedKey[:]), b64(serverKey))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// quoteLiteral quotes a string constant; standard_conforming_strings is on
// in every supported Postgres.
func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// SetPassword is the change that gives role a password. The statement holds
// a SCRAM verifier, never the password.
func SetPassword(role, password string) Change {
	return SetVerifier(role, SCRAMVerifier(password))
}

// SetVerifier is the change that stores verifier (from SCRAMVerifier) as
// role's password: for a caller that needs to know what Postgres will hold.
func SetVerifier(role, verifier string) Change {
	return Change{
		SQL:  fmt.Sprintf("ALTER ROLE %s PASSWORD %s", ident(role), quoteLiteral(verifier)),
		What: fmt.Sprintf("Set the password of role %s", role),
	}
}

// InspectPasswords reads the stored password verifiers of roles ("" for
// none). Only superusers may read pg_authid: readable is false, and no
// error returned, when the admin may not.
func InspectPasswords(ctx context.Context, s Session, roles []string) (stored map[string]string, readable bool, err error) {
	rows, err := s.Query(ctx, "SELECT rolname, coalesce(rolpassword, '') FROM pg_authid WHERE rolname = ANY($1)", roles)
	if err == nil {
		stored = map[string]string{}
		for rows.Next() {
			var name, verifier string
			if err = rows.Scan(&name, &verifier); err != nil {
				break
			}
			stored[name] = verifier
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient_privilege
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read password verifiers: %w", err)
	}
	return stored, true, nil
}

// PasswordMatches says whether a stored verifier (SCRAM-SHA-256 or md5, as
// pg_authid holds it) accepts password for user.
func PasswordMatches(stored, user, password string) bool {
	switch {
	case strings.HasPrefix(stored, "SCRAM-SHA-256$"):
		// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
		parts := strings.Split(strings.TrimPrefix(stored, "SCRAM-SHA-256$"), "$")
		if len(parts) != 2 {
			return false
		}
		iterSalt := strings.SplitN(parts[0], ":", 2)
		if len(iterSalt) != 2 {
			return false
		}
		iterations, err := strconv.Atoi(iterSalt[0])
		if err != nil || iterations <= 0 || iterations > 1<<20 {
			return false
		}
		salt, err := base64.StdEncoding.DecodeString(iterSalt[1])
		if err != nil {
			return false
		}
		return hmac.Equal([]byte(scramVerifier(password, salt, iterations)), []byte(stored))
	case strings.HasPrefix(stored, "md5") && len(stored) == 35:
		sum := md5.Sum([]byte(password + user))
		return hmac.Equal([]byte("md5"+hex.EncodeToString(sum[:])), []byte(stored))
	}
	return false
}
