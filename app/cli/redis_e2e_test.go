package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"keyward/data/redis/redistest"
)

// servedProcess is a `keyward serve` the test runs.
type servedProcess struct {
	cmd    *exec.Cmd
	url    string // the API's base URL
	store  string // what it said of its store
	stderr *syncBuffer
	lines  *bufio.Scanner
}

// startServe runs `keyward serve` on a free loopback port with args before
// the command (and serve's own flags after "serve" among them, if any),
// and waits until it says where it serves. It is killed when the test
// ends.
func startServe(t *testing.T, bin, dataDir string, args ...string) *servedProcess {
	t.Helper()
	global, own := args, []string(nil)
	for i, a := range args {
		if a == "serve" {
			global, own = args[:i], args[i+1:]
		}
	}
	cmd := exec.Command(bin, append(append(append([]string{}, global...), "serve", "--listen", "127.0.0.1:0"), own...)...)
	cmd.Env = binaryEnv(dataDir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &servedProcess{cmd: cmd, stderr: &syncBuffer{}, lines: bufio.NewScanner(stdout)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for p.url == "" && p.lines.Scan() {
		line := p.lines.Text()
		if store, ok := strings.CutPrefix(line, "Store: "); ok {
			p.store = store
		} else if m := servingRE.FindStringSubmatch(line); m != nil {
			p.url = m[1]
		}
	}
	if p.url == "" {
		t.Fatalf("serve did not start: %s", p.stderr.String())
	}
	return p
}

// status returns the status of GET /v1/ with the keys, or 0 when the
// server does not answer.
func (p *servedProcess) status(accountKey, userKey string) int {
	req, _ := http.NewRequest("GET", p.url+"/v1/", nil)
	req.Header.Set("X-Api-Key", accountKey)
	req.Header.Set("X-Api-Secret-Key", userKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestEndToEndRedis runs the built keyward on one Redis of the test's own:
// two serve processes and the command line share the account. A key
// created through the command line works on both servers; deleted, both
// refuse it within a second; with one server killed the other serves on;
// with Redis killed and restarted every acknowledged change is there.
func TestEndToEndRedis(t *testing.T) {
	bin, err := keywardBinary()
	if err != nil {
		t.Fatal(err)
	}
	srv := redistest.Start(t)
	dir := t.TempDir()
	store := []string{"--store", srv.URL("acme"), "--seal-key-file", filepath.Join(dir, "acme.seal")}
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return binaryInvoke(bin)(t, filepath.Join(dir, "unused"), stdin, append(append([]string{}, store...), args...)...)
	}
	flow := func(steps []step) map[string]string {
		t.Helper()
		for i := range steps {
			steps[i].args = append(append([]string{}, store...), steps[i].args...)
		}
		return runFlow(t, binaryInvoke(bin), filepath.Join(dir, "unused"), steps)
	}
	saved := flow([]step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"}, stdin: "a long owner password\n",
			stdout: `(?s).*Every machine that uses this account needs a copy of it.*`},
		{args: []string{"api", "enable"}, stdout: `(?s).*`},
		{args: []string{"api", "account-key"}, stdout: accountKeyRE, save: "account"},
		{args: []string{"keys", "create", "--name", "first-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "first"},
	})
	account, first := saved["account"], saved["first"]

	a, b := startServe(t, bin, dir, store...), startServe(t, bin, dir, store...)
	if !strings.Contains(a.store, "appendonly yes") || strings.Contains(a.store, "WARNING") {
		t.Fatalf("serve says of its store %q, want its persistence, appendonly yes", a.store)
	}
	// A key created after the servers started reaches both.
	saved = flow([]step{{args: []string{"keys", "create", "--name", "second-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "second"}})
	second := saved["second"]
	for name, p := range map[string]*servedProcess{"a": a, "b": b} {
		awaitStatus(t, p, account, saved["second"], 200, time.Second, "the new key on server "+name)
		if got := p.status(account, "kwu_"+strings.Repeat("0", 40)); got != 401 {
			t.Fatalf("server %s: a wrong key got %d", name, got)
		}
	}
	// Deleted through the command line, it is refused by both within a
	// second of the command's end.
	if code, _, stderr := run("", "keys", "delete", "second-key-01"); code != 0 {
		t.Fatalf("keys delete: %d %s", code, stderr)
	}
	deleted := time.Now()
	for name, p := range map[string]*servedProcess{"a": a, "b": b} {
		awaitStatus(t, p, account, second, 401, time.Second, "the deleted key on server "+name)
	}
	t.Logf("both servers refused the deleted key %v after keys delete returned", time.Since(deleted))

	// Server a killed, b serves on, and follows a new key.
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	saved = flow([]step{{args: []string{"keys", "create", "--name", "third-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "third"}})
	third := saved["third"]
	awaitStatus(t, b, account, third, 200, time.Second, "a key created after server a was killed, on server b")

	// Redis killed: b keeps authenticating from its index, and changes
	// fail with a clear message.
	srv.Kill()
	if got := b.status(account, third); got != 200 {
		t.Fatalf("with Redis down, server b answered %d for a valid key, want 200 from its index", got)
	}
	code, _, stderr := run("", "keys", "delete", "third-key-01")
	if code != 1 || !strings.Contains(stderr, "unreachable") {
		t.Fatalf("keys delete with Redis down: %d %q, want exit 1 saying the shared store is unreachable", code, stderr)
	}
	// Restarted from its append-only file, Redis has every acknowledged
	// change, and b follows the changes made after.
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("", "keys", "list", "--json")
	if code != 0 {
		t.Fatalf("keys list after the restart: %d %s", code, stderr)
	}
	var keys []struct{ Name string }
	if err := json.Unmarshal([]byte(stdout), &keys); err != nil {
		t.Fatalf("keys list --json: %v: %s", err, stdout)
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	if got := strings.Join(names, " "); got != "first-key-01 third-key-01" {
		t.Fatalf("after Redis restarted the keys are %q, want first-key-01 third-key-01", got)
	}
	if code, _, stderr := run("", "keys", "delete", "third-key-01"); code != 0 {
		t.Fatalf("keys delete after the restart: %d %s", code, stderr)
	}
	awaitStatus(t, b, account, third, 401, 5*time.Second, "a key deleted after Redis restarted, on server b")
	if got := b.status(account, first); got != 200 {
		t.Fatalf("the first key after the restart: %d; serve's log:\n%s", got, b.stderr.String())
	}
	if out := b.stderr.String(); regexp.MustCompile(`kwu_[0-9a-zA-Z]{8,}`).MatchString(out) {
		t.Fatalf("serve logged a key: %s", out)
	}
}

// awaitStatus waits up to wait for p to answer want for the keys.
func awaitStatus(t *testing.T, p *servedProcess, accountKey, userKey string, want int, wait time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := p.status(accountKey, userKey)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d after %v, want %d; serve's log:\n%s", what, got, wait, want, p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
