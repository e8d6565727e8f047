package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"keyward/data"
	"keyward/data/badger"
)

// binaryEnv is the environment of the built binary: a clean locale, so
// that Fyne has nothing to say about it, and the data directory.
func binaryEnv(dataDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LC_ALL=") && !strings.HasPrefix(kv, "LANGUAGE=") && !strings.HasPrefix(kv, DataEnv+"=") {
			env = append(env, kv)
		}
	}
	return append(env, "LANG=en_US.UTF-8", DataEnv+"="+dataDir)
}

// binaryInvoke runs the built binary with a clean locale, so that Fyne has
// nothing to say about it.
func binaryInvoke(bin string) invoke {
	return func(t *testing.T, dataDir, stdin string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = binaryEnv(dataDir)
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

// binaryDir holds the binary the end-to-end tests build; TestMain removes it.
var binaryDir string

func TestMain(m *testing.M) {
	// Opening a data directory sets the umask to 077 for the process;
	// setting it first makes t.TempDir's directories (0777 under the
	// umask) private from the start, whichever test runs first, so that
	// no test's first command says it tightened them.
	keepPrivate()
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// keywardBinary is built once for the end-to-end tests.
var keywardBinary = sync.OnceValues(func() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the end-to-end tests build keyward and need the go command: %w", err)
	}
	dir, err := os.MkdirTemp("", "keyward-e2e")
	if err != nil {
		return "", err
	}
	binaryDir = dir
	bin := filepath.Join(dir, "keyward")
	cmd := exec.Command(goTool, "build", "-tags", buildTags(), "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// buildTags returns the tags this test binary was built with (make test
// passes the Makefile's), so that the binary under test is built as the
// shipped one is, and from the same compiled packages.
func buildTags() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-tags" {
				return s.Value
			}
		}
	}
	return ""
}

// TestEndToEnd builds keyward and runs the administrator's flow through
// the binary, checking stdout, stderr and exit statuses; then a command on
// a directory another process holds.
func TestEndToEnd(t *testing.T) {
	bin, err := keywardBinary()
	if err != nil {
		t.Fatal(err)
	}
	run := binaryInvoke(bin)
	dir := t.TempDir()
	// The version comes from FyneApp.toml, built in.
	var meta struct{ Details struct{ Version string } }
	if _, err := toml.DecodeFile(filepath.Join("..", "..", "FyneApp.toml"), &meta); err != nil || meta.Details.Version == "" {
		t.Fatalf("FyneApp.toml: %v", err)
	}
	runFlow(t, run, dir, []step{{args: []string{"--version"}, stdout: `Keyward ` + regexp.QuoteMeta(meta.Details.Version) + ` \(build \d+\)\n`}})
	saved := runFlow(t, run, dir, adminFlow())
	checkFlowResult(t, dir, saved)

	held, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	runFlow(t, run, dir, []step{
		{args: []string{"api", "enable"}, code: 1, stderr: "keyward: The data directory " + held.Location() + " is in use by another Keyward"},
	})
	if a, _ := held.Account(); a.APIEnabled {
		t.Fatal("a refused command changed the store")
	}
}

// TestEndToEndServeStopsOnInterrupt stops `keyward serve` with SIGINT, the
// signal of Ctrl+C in a terminal and the one Go gives on Windows for Ctrl+C
// and Ctrl+Break in a console (SIGTERM, which TestEndToEndServe sends, is
// Windows' console close, log-off and shutdown): it says Stopped. and exits 0.
func TestEndToEndServeStopsOnInterrupt(t *testing.T) {
	bin, err := keywardBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	runFlow(t, binaryInvoke(bin), dir, []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"}, stdin: "a long owner password\n", stdout: `(?s).*`},
		{args: []string{"api", "enable"}, stdout: `(?s).*`},
	})
	p := startServe(t, bin, dir, "serve")
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for p.lines.Scan() {
		rest = append(rest, p.lines.Text())
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGINT: %v: %s", err, p.stderr.String())
	}
	if len(rest) == 0 || rest[len(rest)-1] != "Stopped." {
		t.Fatalf("serve after SIGINT wrote %q, want it to end with Stopped.", rest)
	}
}

// TestEndToEndServe runs `keyward serve`, calls the API, and stops it with
// SIGTERM: it must exit 0 and leave the key's last use on disk.
func TestEndToEndServe(t *testing.T) {
	bin, err := keywardBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	saved := runFlow(t, binaryInvoke(bin), dir, []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"}, stdin: "a long owner password\n", stdout: `(?s).*`},
		{args: []string{"api", "enable"}, stdout: `(?s).*`},
		{args: []string{"api", "account-key"}, stdout: accountKeyRE, save: "account"},
		{args: []string{"keys", "create", "--name", "served-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "user"},
	})
	p := startServe(t, bin, dir, "serve", "--log-requests")
	if p.store != dir {
		t.Fatalf("serve says its store is %q, want the data directory %s", p.store, dir)
	}
	if got := p.status(saved["account"], saved["user"]); got != 200 {
		t.Fatalf("GET /v1/: %d", got)
	}
	// The gate, and its request log line.
	req, _ := http.NewRequest("GET", p.url+"/gate", nil)
	req.Header.Set("X-Api-Key", saved["account"])
	req.Header.Set("X-Api-Secret-Key", saved["user"])
	req.Header.Set("X-Original-URI", "/reports/7")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("X-Keyward-Key") != "served-key-01" {
		t.Fatalf("GET /gate: %d %v", resp.StatusCode, resp.Header)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.stderr.String(), `gate 204 GET "/reports/7" key served-key-01`); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve --log-requests wrote %q", p.stderr.String())
		}
	}
	cmd, lines, stderr := p.cmd, p.lines, p.stderr
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v: %s", err, stderr.String())
	}
	s, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if k, _ := s.UserKeyByName("served-key-01"); k.LastUsedAt.IsZero() {
		t.Fatal("the last use was lost on shutdown")
	}
}
