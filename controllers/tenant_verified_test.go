package controllers

import (
	"testing"

	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
)

// A credential Secret's verified-checksum stands in for the SCRAM check
// only for the verifier, login and password it was recorded for.
func TestPasswordCheckTrustsOnlyTheRecordedVerifier(t *testing.T) {
	pw, other := pgadmin.GeneratePassword(), pgadmin.GeneratePassword()
	mine, theirs := pgadmin.SCRAMVerifier(pw), pgadmin.SCRAMVerifier(other)
	c := builders.Credential{User: "bw_x_owner", Password: pw, Annotations: map[string]string{}}

	// Nothing recorded: the rounds decide.
	if !passwordMatches(c, mine) {
		t.Error("the password's own verifier did not match")
	}
	if passwordMatches(c, theirs) {
		t.Error("another password's verifier matched")
	}

	// Recorded for a verifier: that verifier is taken as matching without
	// the rounds (which would say no here), and only that one.
	c.Annotations[annVerified] = verifiedChecksum(theirs, c.User, c.Password)
	if !passwordMatches(c, theirs) {
		t.Error("the recorded verifier was checked again instead of trusted")
	}
	if !passwordMatches(c, mine) {
		t.Error("a verifier other than the recorded one was not checked with the rounds")
	}
	if passwordMatches(c, pgadmin.SCRAMVerifier(other)) {
		t.Error("a new verifier of the same other password was trusted: the record names one verifier")
	}

	// The record names the password and login too: a password edited in
	// the Secret, or another login, is checked again.
	edited := builders.Credential{User: c.User, Password: other, Annotations: map[string]string{annVerified: c.Annotations[annVerified]}}
	if !passwordMatches(edited, theirs) {
		t.Error("the edited password's own verifier did not match")
	}
	if passwordMatches(edited, mine) {
		t.Error("the record made a verifier of the old password match the edited one")
	}
	renamed := builders.Credential{User: "bw_x_app", Password: pw, Annotations: map[string]string{annVerified: c.Annotations[annVerified]}}
	if passwordMatches(renamed, theirs) {
		t.Error("a record for another login was trusted")
	}
}
