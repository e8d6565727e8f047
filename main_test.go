package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// quietLocaleEnv, when set, makes the test binary exit as soon as its
// packages are initialized: what it printed by then, Fyne's own init
// printed.
const quietLocaleEnv = "KEYWARD_TEST_INIT_ONLY"

func TestMain(m *testing.M) {
	if os.Getenv(quietLocaleEnv) == "1" {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestQuietInTheCLocale: in Debian's and Docker's default environment
// (LANG=C.UTF-8) the binary prints nothing before it runs (Fyne's locale
// lookup logged "Fyne error: Error parsing user locale C" three times).
func TestQuietInTheCLocale(t *testing.T) {
	for _, env := range [][]string{{"LANG=C.UTF-8"}, {"LC_ALL=C.UTF-8", "LANG=en_US.UTF-8"}, {"LANG=POSIX"}, {"LANG=C"}} {
		cmd := exec.Command(os.Args[0])
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "LANG") && !strings.HasPrefix(kv, "LC_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, append(env, quietLocaleEnv+"=1")...)
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("with %v the binary printed %q (%v)", env, out, err)
		}
	}
}
