package pgadmin

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
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
	return Change{
		SQL:  fmt.Sprintf("ALTER ROLE %s PASSWORD %s", ident(role), quoteLiteral(SCRAMVerifier(password))),
		What: fmt.Sprintf("Set the password of role %s", role),
	}
}

func decodeBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
