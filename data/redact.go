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
	for {
		i := nextPrefix(rest)
		if i < 0 {
			break
		}
		end := i + keyPrefixLen
		for end < len(rest) && isBase62[rest[end]] {
			end++
		}
		if end-i-keyPrefixLen < secretRun {
			b.WriteString(rest[:end])
			rest = rest[end:]
			continue
		}
		b.WriteString(rest[:i])
		b.WriteString(KeyHint(rest[i:end]))
		rest = rest[end:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

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

// IsKey reports whether s is a Keyward key, an account or a user key, with
// a valid checksum: a secret that must not be stored where a name goes.
func IsKey(s string) bool {
	return CheckAccountKeyFormat(s) == nil || CheckUserKeyFormat(s) == nil
}

// errPastedKey refuses a key typed into a field for a name.
func errPastedKey(what string) error {
	return Errorf(EInvalid, "The %s is an API key: a secret was pasted into the wrong field. Nothing was saved; type a %s instead, and keep the key where it belongs.", what, what)
}
