package data

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func findAll(b []byte) (keys []string, offsets []int) {
	FindKeys(b, func(off int, key string) { keys, offsets = append(keys, key), append(offsets, off) })
	return keys, offsets
}

func TestFindKeys(t *testing.T) {
	user, _ := NewUserKey()
	acct, _ := NewAccountKey()
	typo := user[:10] + string(rune(user[10]^1)) + user[11:]
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{user, []string{user}},
		{"X_API_SECRET_KEY=" + user + "\n", []string{user}},
		{`"` + acct + `","` + user + `"`, []string{acct, user}},
		{user + user, []string{user, user}},                // pasted together
		{"a" + user, []string{user}},                       // after a letter
		{user + "x", []string{user}},                       // before one
		{`{"log":"with\n` + user + `\n"}`, []string{user}}, // after a JSON escape
		{"GET /hook?next=%2Fv1%3Fsecret%3D" + user + "%26x", []string{user}},
		{"\t" + user, []string{user}},
		{"kwu_" + strings.Repeat("a", 38), nil}, // the shape, a wrong checksum
		{typo, nil},
		{user[:KeyLen-1], nil},
		{"kwkwkw_" + user + ".", []string{user}},
	} {
		if got, _ := findAll([]byte(tt.text)); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("FindKeys(%q) = %q, want %q", Redact(tt.text), got, tt.want)
		}
	}
}

// TestFindKeysInText: keys are found with their lines, in UTF-16 text of
// either byte order too, as Windows PowerShell 5 writes files.
func TestFindKeysInText(t *testing.T) {
	user, _ := NewUserKey()
	acct, _ := NewAccountKey()
	text := "one\ntwo " + user + "\nthree é\n" + acct + "\n"
	utf16 := func(s string, bigEndian bool) []byte {
		var b []byte
		for _, r := range s {
			u := []byte{byte(r), byte(r >> 8)}
			if bigEndian {
				u[0], u[1] = u[1], u[0]
			}
			b = append(b, u...)
		}
		return b
	}
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"UTF-8", []byte(text)},
		{"UTF-16LE with its mark", append([]byte{0xff, 0xfe}, utf16(text, false)...)},
		{"UTF-16LE", utf16(text, false)},
		{"UTF-16BE with its mark", append([]byte{0xfe, 0xff}, utf16(text, true)...)},
		{"UTF-16BE, the last key at the end", utf16(strings.TrimSuffix(text, "\n"), true)},
		{"UTF-16BE, the last key before a character outside Latin-1", utf16(strings.TrimSuffix(text, "\n")+"中", true)},
		{"UTF-16LE, the last key before a character outside Latin-1", utf16(strings.TrimSuffix(text, "\n")+"中", false)},
	} {
		var got []string
		FindKeysInText(tt.b, func(line int, key string) { got = append(got, fmt.Sprint(line, " ", KeyHint(key))) })
		if want := []string{"2 " + KeyHint(user), "4 " + KeyHint(acct)}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: found %q, want %q", tt.name, got, want)
		}
	}
}

func FuzzFindKeys(f *testing.F) {
	user, _ := NewUserKey()
	f.Add([]byte("token: " + user + "\n"))
	f.Add([]byte("kwa_kwu_"))
	f.Add([]byte("\xff\xfek\x00w\x00u\x00_\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		FindKeys(b, func(off int, key string) {
			if string(b[off:off+len(key)]) != key {
				t.Fatalf("offset %d does not hold the key", off)
			}
			if CheckUserKeyFormat(key) != nil && CheckAccountKeyFormat(key) != nil {
				t.Fatalf("found %q, which is no key", key)
			}
		})
		FindKeysInText(b, func(line int, key string) {
			if line < 1 || CheckUserKeyFormat(key) != nil && CheckAccountKeyFormat(key) != nil {
				t.Fatalf("found %q on line %d", key, line)
			}
		})
	})
}

// TestFindKeysHasNoFalsePositives: a megabyte of random base62 and
// prefixes finds nothing.
func TestFindKeysHasNoFalsePositives(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	for b.Len() < 1<<20 {
		if rng.IntN(4) == 0 {
			b.WriteString([]string{"kwu_", "kwa_", " ", "\n"}[rng.IntN(4)])
		}
		b.WriteByte(base62[rng.IntN(62)])
	}
	if keys, _ := findAll(b.Bytes()); len(keys) > 0 {
		t.Fatalf("random text holds %d keys", len(keys))
	}
}

func TestIdentifyKeyAndDisableUserKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		live, liveSecret := f.createKey(t, "leaked-key-01", f.owner)
		off, offSecret := f.createKey(t, "disabled-key1", f.viewer)
		_, err := f.s.DisableUserKey(CommandLine, off.ID)
		must(t, err)
		rolled, old := f.createKey(t, "rolled-key-01", f.owner)
		_, _, err = f.s.RollUserKey(CommandLine, rolled.ID, time.Hour)
		must(t, err)
		stranger, _ := NewUserKey()

		for _, tt := range []struct {
			key     string
			known   bool
			live    bool
			name    string
			account bool
		}{
			{liveSecret, true, true, "leaked-key-01", false},
			{offSecret, true, false, "disabled-key1", false},
			{old, true, true, "rolled-key-01", false},
			{stranger, false, false, "", false},
			{f.accountKey, true, true, "", true},
		} {
			got := f.s.IdentifyKey(tt.key)
			if got.Known != tt.known || got.Live != tt.live || got.KeyName != tt.name || got.Account != tt.account || strings.Contains(got.Describe(), tt.key) {
				t.Errorf("IdentifyKey(%s) = %+v (%s)", KeyHint(tt.key), got, got.Describe())
			}
		}
		f.clock.Advance(time.Hour)
		if got := f.s.IdentifyKey(old); got.Live || !got.Previous || !strings.Contains(got.Describe(), "its grace period ended") {
			t.Errorf("an old value after its grace period: %+v %s", got, got.Describe())
		}

		out, err := f.s.DisableUserKeys(CommandLine, []uuid.UUID{live.ID, off.ID, live.ID}, "found in a file by keys scan")
		must(t, err)
		if len(out) != 1 || out[0].ID != live.ID || out[0].Status != KeyDisabled {
			t.Fatalf("DisableUserKeys disabled %+v", out)
		}
		if e := f.lastLog(t); e.Description != "Disabled API user key leaked-key-01 of Ada Owner (ada@example.com) (found in a file by keys scan)" {
			t.Fatalf("log %q", e.Description)
		}
		if f.authErr(liveSecret) != ErrDisabledUserKey {
			t.Fatal("the leaked key still authenticates")
		}
		before := takeSnapshot(t, f.s)
		_, err = f.s.DisableUserKeys(ActorFor(f.viewer), []uuid.UUID{rolled.ID}, "")
		assertRefused(t, f, before, err, EForbidden, "Only an Owner")
	})
}

// BenchmarkFindKeys scans text with a key every 100 KB, as keys scan
// reads a source tree.
func BenchmarkFindKeys(b *testing.B) {
	user, _ := NewUserKey()
	rng := rand.New(rand.NewPCG(5, 6))
	line := func() string {
		words := []string{"func", "return", "kw", "err", "nil", "token", "key", "kwu", "_", "=", "(", ")", "{", "}"}
		var s strings.Builder
		for range 10 {
			s.WriteString(words[rng.IntN(len(words))])
			s.WriteByte(' ')
		}
		return s.String()
	}
	var buf bytes.Buffer
	for buf.Len() < 8<<20 {
		if buf.Len()%(100<<10) < 80 {
			buf.WriteString("secret = " + user + "\n")
		}
		buf.WriteString(line() + "\n")
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		FindKeys(buf.Bytes(), func(int, string) {})
	}
}
