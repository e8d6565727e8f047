package data

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// No answer, message or log line repeats a key: whatever a person or a
// client typed is shown through Quote, and every message leaving Keyward
// (ErrorMessage, the REST API's error bodies, the command line's errors)
// goes through Redact, which also catches a key inside text that was not
// quoted.

// secretRun is how many base62 characters after a key prefix make the run
// a secret to hide: a truncated or mistyped key gives away as much as a
// whole one.
const secretRun = 8

// Redact returns s with every run that has the form of a Keyward key, an
// account or user key prefix followed by at least secretRun base62
// characters, whether its checksum is right or not, cut down to its hint:
// "kwu_…a1B2".
func Redact(s string) string {
	if !strings.Contains(s, AccountKeyPrefix[:2]) {
		return s
	}
	var b strings.Builder
	rest := s
	changed := false
	for {
		i := nextPrefix(rest)
		if i < 0 {
			break
		}
		end := keyRunEnd(rest, i)
		if end-i-keyPrefixLen < secretRun {
			// Not a key; another prefix may start inside this one's run.
			b.WriteString(rest[:i+1])
			rest = rest[i+1:]
			continue
		}
		b.WriteString(rest[:i])
		b.WriteString(KeyHint(rest[i:end]))
		rest = rest[end:]
		changed = true
	}
	if !changed {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// keyRunEnd returns where the run of base62 characters after the key
// prefix at s[i:] ends: at the first other character, or where another
// key's prefix begins (two keys pasted together are two keys).
func keyRunEnd(s string, i int) int {
	end := i + keyPrefixLen
	for end < len(s) && isBase62[s[end]] {
		if end > i+keyPrefixLen && nextPrefix(s[end:min(end+keyPrefixLen, len(s))]) == 0 {
			break
		}
		end++
	}
	return end
}

// looksLikeKey reports whether s holds a key prefix followed by at least
// keyLikeRun base62 characters: a key, or one cut short or mistyped, which
// has no place in a name.
func looksLikeKey(s string) bool {
	for rest := s; ; {
		i := nextPrefix(rest)
		if i < 0 {
			return false
		}
		if keyRunEnd(rest, i)-i-keyPrefixLen >= keyLikeRun {
			return true
		}
		rest = rest[i+1:]
	}
}

// keyLikeRun is how many base62 characters after a key prefix make a name
// a pasted key rather than a name that happens to start like one
// ("kwu_backup").
const keyLikeRun = 20

// nextPrefix returns where the first account or user key prefix in s
// starts, or -1.
func nextPrefix(s string) int {
	a, u := strings.Index(s, AccountKeyPrefix), strings.Index(s, UserKeyPrefix)
	switch {
	case a < 0:
		return u
	case u < 0 || a < u:
		return a
	}
	return u
}

// URLWithoutSecrets returns a URL as someone typed it, parsed or not,
// without what may be a user and password (everything between the scheme
// and the last @: a password may hold any character) and without its
// query and fragment (a parameter may hold a password), for messages.
func URLWithoutSecrets(raw string) string {
	scheme, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	return Redact(scheme + rest)
}

// QuoteMax is how many characters of what someone typed a message repeats.
const QuoteMax = 60

// Quote shows something a person or a client typed inside a message: in
// double quotes with Go's escapes, a key in it reduced to its hint, and cut
// to QuoteMax characters, so that a message never repeats a secret nor an
// argument of 100 KB.
func Quote(s string) string {
	s = Redact(s)
	if utf8.RuneCountInString(s) <= QuoteMax {
		return strconv.Quote(s)
	}
	cut, runes := 0, 0
	for i := range s {
		if runes == QuoteMax {
			cut = i
			break
		}
		runes++
	}
	return strconv.Quote(s[:cut]) + "… (" + strconv.Itoa(len(s)) + " bytes in all)"
}

// IsKey reports whether s is, or holds, a Keyward key, whole or cut short
// or mistyped: a secret that must not be stored where a name goes.
func IsKey(s string) bool { return looksLikeKey(s) }

// errPastedKey refuses a key typed into a field for a name.
func errPastedKey(what string) error {
	return Errorf(EInvalid, "The %s is an API key: a secret was pasted into the wrong field. Nothing was saved; type %s %s instead, and keep the key where it belongs.", what, article(what), what)
}
