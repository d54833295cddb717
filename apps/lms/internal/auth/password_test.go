package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err != ErrBadHash {
		t.Fatalf("foreign hash: %v", err)
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, wantOK := range map[string]bool{"short": false, "long enough pw": true, "a@b.org": false, "          x": true} {
		if got := ValidatePassword(pw, "a@b.org") == ""; got != wantOK {
			t.Errorf("ValidatePassword(%q) ok=%v, want %v", pw, got, wantOK)
		}
	}
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, ah := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 || ah != TokenSHA256(a) || len(ah) != 64 {
		t.Fatalf("tokens %q %q hash %q", a, b, ah)
	}
}
