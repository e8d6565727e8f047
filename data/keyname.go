package data

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a key name, as Redis Cloud sets them.
const (
	KeyNameMinLen = 10
	KeyNameMaxLen = 50
)

// KeyNameProblems returns every rule that name breaks, each as a sentence
// that says how to fix it, in a fixed order: length first, then spaces, then
// other characters. It returns nil for a valid name. The console shows the
// whole list under the field as the name is typed.
func KeyNameProblems(name string) []string {
	if IsKey(name) {
		return []string{"This is an API key, not a name: a secret was pasted into the wrong field. Type a name instead."}
	}
	var problems []string
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		problems = append(problems, fmt.Sprintf("Enter a key name of %d to %d characters.", KeyNameMinLen, KeyNameMaxLen))
	case n < KeyNameMinLen:
		problems = append(problems, fmt.Sprintf("Use at least %d characters (this name has %d).", KeyNameMinLen, n))
	case n > KeyNameMaxLen:
		problems = append(problems, fmt.Sprintf("Use at most %d characters (this name has %d).", KeyNameMaxLen, n))
	}
	if strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		problems = append(problems, "Remove the spaces: a key name cannot contain spaces.")
	}
	var bad []string
	for i, r := range name {
		if isKeyNameChar(r) || unicode.IsSpace(r) {
			continue
		}
		q := fmt.Sprintf("%q", r)
		if r == utf8.RuneError {
			q = fmt.Sprintf("byte 0x%02x", name[i])
		}
		if !slices.Contains(bad, q) {
			bad = append(bad, q)
		}
	}
	if len(bad) > 0 {
		problems = append(problems, fmt.Sprintf("Use only ASCII letters, digits, '-' and '_' (not %s).", strings.Join(bad, ", ")))
	}
	return problems
}

// ValidateKeyName returns an EInvalid error naming every rule name breaks,
// or nil.
func ValidateKeyName(name string) error {
	if IsKey(name) {
		return errPastedKey("key name")
	}
	problems := KeyNameProblems(name)
	if problems == nil {
		return nil
	}
	return Errorf(EInvalid, "Invalid key name: %s", strings.Join(problems, " "))
}

func isKeyNameChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}
