// Package locale keeps Fyne quiet in the C locale. Debian's and Docker's
// default environment sets LANG=C.UTF-8, which Fyne's locale lookup
// (github.com/jeandeaual/go-locale, as of Fyne 2.7.1) reads as the
// language "C" and logs three lines of "Fyne error: Error parsing user
// locale C" on stderr of every command, from an init function, before
// main runs. When the locale is C or POSIX with a codeset, this package
// sets LANGUAGE (which gettext ignores in the C locale, and which nothing
// else reads) to English, the language the C locale speaks anyway.
//
// It must be initialized before fyne.io/fyne/v2/lang: it imports only
// os, and Go initializes, at each step, the first package by import path
// whose imports are done, so it goes before text/template, which that
// package needs. main.go imports it for that, and a test checks it.
package locale

import "os"

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			if isC(v) {
				os.Setenv("LANGUAGE", "en")
			}
			return
		}
	}
}

// isC tells whether a locale name is the C or POSIX locale with a
// codeset or modifier ("C.UTF-8", "POSIX@euro"); the bare names Fyne
// reads correctly.
func isC(v string) bool {
	for _, base := range [...]string{"C", "POSIX"} {
		if len(v) > len(base) && v[:len(base)] == base && (v[len(base)] == '.' || v[len(base)] == '@') {
			return true
		}
	}
	return false
}
