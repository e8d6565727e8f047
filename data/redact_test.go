package data

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	user, err := NewUserKey()
	must(t, err)
	account, err := NewAccountKey()
	must(t, err)
	typo := user[:20] + "x" + user[21:] // the form of a key, a wrong checksum
	tests := []struct{ in, want string }{
		{"", ""},
		{"nothing secret", "nothing secret"},
		{user, KeyHint(user)},
		{"key " + user + " and " + account + ".", "key " + KeyHint(user) + " and " + KeyHint(account) + "."},
		{typo, KeyHint(typo)},
		{`"` + user[:20] + `"`, `"` + KeyHint(user[:20]) + `"`}, // cut short
		{"kwu_short", "kwu_short"},                              // too short to be one
		{"kwu_", "kwu_"},
		{"kwu_kwu_" + user[4:], "kwu_" + KeyHint("kwu_"+user[4:])},
		{user + user, KeyHint(user) + KeyHint(user)}, // two keys pasted together
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%.30q…) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	user, err := NewUserKey()
	must(t, err)
	if got := Quote("eve"); got != `"eve"` {
		t.Fatalf("Quote(eve) = %s", got)
	}
	if got := Quote("line\nbreak"); got != `"line\nbreak"` {
		t.Fatalf("Quote escapes = %s", got)
	}
	if got := Quote(user); strings.Contains(got, user[4:12]) {
		t.Fatalf("Quote(key) = %s", got)
	}
	long := strings.Repeat("é", 100_000)
	got := Quote(long)
	if utf8.RuneCountInString(got) > QuoteMax+40 || !strings.Contains(got, "… (200000 bytes in all)") || !utf8.ValidString(got) {
		t.Fatalf("Quote of 100,000 characters = %.100s…", got)
	}
}

// TestNoErrorRepeatsAKey feeds a real key, alone and inside other text, to
// every rule that takes what a person typed: no message repeats it, and a
// key typed where a name goes is refused as a secret in the wrong field.
func TestNoErrorRepeatsAKey(t *testing.T) {
	f := newFixture(t, diskStorage(t, ""))
	user, err := NewUserKey()
	must(t, err)
	account, err := NewAccountKey()
	must(t, err)
	for _, key := range []string{user, account} {
		for _, typed := range []string{key, " " + key + " ", "x" + key + "/24", key[:30]} {
			calls := map[string]error{}
			_, calls["ParseCIDR"] = ParseCIDR(typed)
			_, calls["ParseProxies"] = ParseProxies("10.0.0.0/8, " + typed)
			_, calls["ParseRole"] = ParseRole(typed)
			calls["ValidateEmail"] = ValidateEmail(typed)
			calls["ValidateListenAddr"] = ValidateListenAddr(typed)
			calls["ValidateKeyName"] = ValidateKeyName(typed)
			calls["ValidateName"] = ValidateName("name", typed)
			_, calls["UserByEmail"] = f.s.UserByEmail(typed)
			_, calls["UserKeyByName"] = f.s.UserKeyByName(typed)
			_, calls["AddUser"] = f.s.AddUser(CommandLine, NewUser{Name: typed, Email: "eve@example.com", Role: RoleViewer})
			_, _, calls["CreateUserKey"] = f.s.CreateUserKey(CommandLine, typed, f.owner.ID)
			_, calls["SetSettings"] = f.s.SetSettings(CommandLine, Settings{APIAddr: typed, RateLimit: 1})
			for name, err := range calls {
				if err == nil {
					if typed == key && (name == "ValidateKeyName" || name == "CreateUserKey") {
						t.Errorf("%s accepted a key", name)
					}
					continue
				}
				for _, msg := range []string{err.Error(), ErrorMessage(err)} {
					if strings.Contains(msg, key[keyPrefixLen:keyPrefixLen+12]) {
						t.Errorf("%s(%.12q…) says %q", name, typed, msg)
					}
				}
			}
		}
		// Where a name goes, a key is refused for what it is.
		for name, err := range map[string]error{
			"ValidateKeyName": ValidateKeyName(key),
			"ValidateName":    ValidateName("account name", key),
			"ValidateEmail":   ValidateEmail(key),
		} {
			if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "a secret was pasted into the wrong field") {
				t.Errorf("%s(key) = %v", name, err)
			}
		}
		for name, says := range map[string]string{
			"account name":  "type an account name instead",
			"email address": "type an email address instead",
			"key name":      "type a key name instead",
		} {
			if err := errPastedKey(name); !strings.Contains(err.Error(), says) {
				t.Errorf("errPastedKey(%q) = %v; want it to say %q", name, err, says)
			}
		}
		if p := KeyNameProblems(key); len(p) != 1 || !strings.Contains(p[0], "a secret was pasted into the wrong field") {
			t.Errorf("KeyNameProblems(key) = %q", p)
		}
	}
	// Nothing of it was stored.
	snap := takeSnapshot(t, f.s)
	for _, e := range snap.Log {
		if strings.Contains(e.Description, user[4:16]) || strings.Contains(e.Description, account[4:16]) {
			t.Fatalf("the log holds a key: %q", e.Description)
		}
	}
	if len(snap.Keys) != 0 {
		t.Fatalf("a key was stored under a key's name: %+v", snap.Keys)
	}
}

// FuzzRedact: whatever the text, what Redact leaves has no run that looks
// like a key, and text without one comes back as it was.
func FuzzRedact(f *testing.F) {
	user, _ := NewUserKey()
	f.Add(user)
	f.Add("a kwa_" + strings.Repeat("A", 38) + " b")
	f.Add("kwu_kwu_kwa_123456789")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		for i := 0; ; {
			j := nextPrefix(out[i:])
			if j < 0 {
				break
			}
			if run := keyRunEnd(out, i+j) - (i + j + keyPrefixLen); run >= secretRun {
				t.Fatalf("Redact(%q) = %q keeps a key-like run", s, out)
			}
			i += j + 1
		}
		if !strings.Contains(s, AccountKeyPrefix) && !strings.Contains(s, UserKeyPrefix) && out != s {
			t.Fatalf("Redact changed %q, which holds no key, to %q", s, out)
		}
	})
}
