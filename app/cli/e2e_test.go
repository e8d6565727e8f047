package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"keyward/data"
)

// buildKeyward builds the real binary, as `make run` does, into a temporary
// directory.
func buildKeyward(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the end-to-end test builds keyward and needs the go command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "keyward")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binaryInvoke runs the built binary with a clean locale, so that Fyne has
// nothing to say about it.
func binaryInvoke(bin string) invoke {
	return func(t *testing.T, dataDir, stdin string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LC_ALL=") && !strings.HasPrefix(kv, "LANGUAGE=") && !strings.HasPrefix(kv, DataEnv+"=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "LANG=en_US.UTF-8", DataEnv+"="+dataDir)
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("running keyward: %v", err)
		}
		return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
	}
}

// TestEndToEnd builds keyward and runs the administrator's flow through
// the binary, checking stdout, stderr and exit statuses; then a command on
// a directory another process holds.
func TestEndToEnd(t *testing.T) {
	run := binaryInvoke(buildKeyward(t))
	dir := t.TempDir()
	saved := runFlow(t, run, dir, adminFlow())
	checkFlowResult(t, dir, saved)

	held, err := data.Open(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	runFlow(t, run, dir, []step{
		{args: []string{"api", "enable"}, code: 1, stderr: "keyward: The data directory " + held.Dir() + " is in use by another Keyward"},
	})
	if a, _ := held.Account(); a.APIEnabled {
		t.Fatal("a refused command changed the store")
	}
}
