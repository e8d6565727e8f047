package data

import (
	"errors"
	"hash/crc32"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewKeysHaveTheirFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		a, err := NewAccountKey()
		must(t, err)
		u, err := NewUserKey()
		must(t, err)
		if len(a) != KeyLen || len(u) != KeyLen || !strings.HasPrefix(a, AccountKeyPrefix) || !strings.HasPrefix(u, UserKeyPrefix) {
			t.Fatalf("keys %q, %q do not have the documented form", a, u)
		}
		if err := CheckAccountKeyFormat(a); err != nil {
			t.Fatalf("CheckAccountKeyFormat(new key) = %v", err)
		}
		if err := CheckUserKeyFormat(u); err != nil {
			t.Fatalf("CheckUserKeyFormat(new key) = %v", err)
		}
		if CheckUserKeyFormat(a) == nil || CheckAccountKeyFormat(u) == nil {
			t.Fatal("an account key passes as a user key or the other way round")
		}
		if seen[a] || seen[u] {
			t.Fatal("a key repeated")
		}
		seen[a], seen[u] = true, true
	}
}

func TestKeyBodyUsesEveryBase62Character(t *testing.T) {
	counts := map[rune]int{}
	for range 500 {
		k, err := NewUserKey()
		must(t, err)
		for _, r := range k[keyPrefixLen : keyPrefixLen+keyBodyLen] {
			counts[r]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("bodies used %d distinct characters, want all 62", len(counts))
	}
	// 16,000 characters over 62 symbols: about 258 each. A biased
	// generator (a plain modulo) would skew the first eight.
	for r, n := range counts {
		if n < 150 || n > 380 {
			t.Errorf("character %q appeared %d times, far from the expected 258", r, n)
		}
	}
}

func TestCheckKeyFormatRejects(t *testing.T) {
	good, err := NewUserKey()
	must(t, err)
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	tests := []struct {
		name, key, message string
	}{
		{"empty", "", "is not a Keyward user key"},
		{"truncated", good[:KeyLen-1], "is not a Keyward user key"},
		{"extended", good + "x", "is not a Keyward user key"},
		{"wrong prefix", "kwx_" + good[4:], "is not a Keyward user key"},
		{"non-base62", good[:10] + "-" + good[11:], "is not a Keyward user key"},
		{"typo in body", flip(good, 10), "checksum is wrong"},
		{"typo in checksum", flip(good, KeyLen-1), "checksum is wrong"},
		{"with space", " " + good[1:], "is not a Keyward user key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckUserKeyFormat(tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("CheckUserKeyFormat = %v, want %q", err, tt.message)
			}
			wantCode(t, err, EUnauthenticated)
			if strings.Contains(err.Error(), good[4:20]) {
				t.Fatal("the error echoes the key")
			}
		})
	}
}

func TestChecksumIsCRC32OfPrefixAndBody(t *testing.T) {
	k, err := NewUserKey()
	must(t, err)
	var want [keyCheckLen]byte
	putChecksum(want[:], crc32.ChecksumIEEE([]byte(k[:keyPrefixLen+keyBodyLen])))
	if string(want[:]) != k[keyPrefixLen+keyBodyLen:] {
		t.Fatalf("checksum of %q is not the base62 CRC32 %q", k, want)
	}
}

func TestNewKeyReportsRandomFailure(t *testing.T) {
	saved := randomSource
	randomSource = iotest.ErrReader(errors.New("entropy exhausted"))
	defer func() { randomSource = saved }()
	if _, err := NewUserKey(); err == nil || !strings.Contains(err.Error(), "entropy exhausted") {
		t.Fatalf("NewUserKey with a failing source = %v", err)
	}
}

func TestKeyHint(t *testing.T) {
	k, err := NewUserKey()
	must(t, err)
	if h := KeyHint(k); h != k[:4]+"…"+k[len(k)-4:] {
		t.Fatalf("KeyHint = %q", h)
	}
}

func TestKeyChecksAllocateNothing(t *testing.T) {
	k, err := NewUserKey()
	must(t, err)
	bad := k[:KeyLen-1] + "!"
	allocs := testing.AllocsPerRun(100, func() {
		_ = CheckUserKeyFormat(k)
		_ = CheckUserKeyFormat(bad)
		_ = HashKey(k)
	})
	if allocs != 0 {
		t.Fatalf("format check and hash allocate %.1f times a call", allocs)
	}
}

func FuzzKeyFormat(f *testing.F) {
	k, _ := NewUserKey()
	a, _ := NewAccountKey()
	for _, s := range []string{k, a, k[:20], "", "kwu_", strings.Repeat("0", KeyLen), "kwu_" + strings.Repeat("z", KeyLen-4)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		errU, errA := CheckUserKeyFormat(s), CheckAccountKeyFormat(s)
		if errU == nil && errA == nil {
			t.Fatalf("%q passes as both kinds of key", s)
		}
		for _, err := range []error{errU, errA} {
			if err != nil && ErrorCode(err) != EUnauthenticated {
				t.Fatalf("%q: error %v has code %q", s, err, ErrorCode(err))
			}
		}
		if errU == nil {
			// Valid means: documented length, prefix, alphabet and checksum.
			var want [keyCheckLen]byte
			putChecksum(want[:], crc32.ChecksumIEEE([]byte(s[:keyPrefixLen+keyBodyLen])))
			if len(s) != KeyLen || !strings.HasPrefix(s, UserKeyPrefix) || string(want[:]) != s[keyPrefixLen+keyBodyLen:] {
				t.Fatalf("%q passes as a user key", s)
			}
		}
	})
}
