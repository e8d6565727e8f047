package data

import (
	"bytes"
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h1, err := HashPassword(testPassword)
	must(t, err)
	h2, err := HashPassword(testPassword)
	must(t, err)
	if bytes.Equal(h1.Salt, h2.Salt) || bytes.Equal(h1.Hash, h2.Hash) {
		t.Fatal("two hashes of one password share a salt")
	}
	if bytes.Contains(h1.Hash, []byte(testPassword)) {
		t.Fatal("the hash contains the password")
	}
	if !h1.Verify(testPassword) || !h2.Verify(testPassword) {
		t.Fatal("the right password is refused")
	}
	for _, wrong := range []string{"", "correct horse battery ", "Correct horse battery", testPassword[:11]} {
		if h1.Verify(wrong) {
			t.Errorf("Verify(%q) = true", wrong)
		}
	}
	if (PasswordHash{}).Verify("") || dummyPassword.Verify("") {
		t.Fatal("an unset hash verifies")
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, want := range map[string]string{
		"":                           "at least 12 characters long (it has 0)",
		"elevenchars":                "at least 12 characters long (it has 11)",
		"twelve chars":               "",
		"ünïcödé-pässwörd":           "",
		strings.Repeat("p", 257):     "at most 256",
		"invalid utf8 \xff\xfe here": "not valid UTF-8",
	} {
		err := ValidatePassword(pw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("ValidatePassword(%q) = %v, want %q", pw, err, want)
		}
	}
}
