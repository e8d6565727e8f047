package cli

import (
	"bytes"
	"strings"
	"testing"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/badger"
)

// runInProcess is the invoke of the in-process tests.
func runInProcess(t *testing.T, dataDir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string {
			if k == DataEnv {
				return dataDir
			}
			return ""
		},
		DefaultDataDir: "/nonexistent/default",
		Open:           badger.OpenStore,
		IsDataDir:      badger.IsDataDir,
		RequestBackup:  badger.RequestBackup,
		API:            api.NewSupervisor,
	})
	return code, stdout.String(), stderr.String()
}

func TestAdminFlow(t *testing.T) {
	dir := t.TempDir()
	saved := runFlow(t, runInProcess, dir, adminFlow())
	checkFlowResult(t, dir, saved)
}

func TestFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	init := []string{"init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"}
	runFlow(t, runInProcess, "", []step{
		{args: append([]string{"--data", dir}, init...), stdin: "a long owner password", stdout: `(?s)Created the account Acme.*`},
		{args: []string{"users", "add", "--data", dir, "--name", "Vic", "--email", "vic@example.com", "--role", "owner"}, stdout: `Added Vic .*\n`},
		// Flags after positional arguments, and a key name that starts
		// with '-' after "--".
		{args: []string{"keys", "create", "--user", "vic@example.com", "--name", "-dash-first-key", "--data", dir}, stdout: userKeyRE},
		{args: []string{"cidr", "add", "--data", dir, "--", "-dash-first-key", "192.0.2.1"}, stdout: "Added 192.0.2.1/32 to the allow list of -dash-first-key.\n"},
		{args: []string{"cidr", "list", "--", "-dash-first-key", "--json"}, code: 2, stderr: "cidr list takes 1 argument"},
		{args: []string{"--json", "cidr", "list", "--data", dir, "--", "-dash-first-key"}, stdout: `(?s)\[\n  \{\n    "id": "[0-9a-f-]{36}",\n    "prefix": "192.0.2.1/32",.*`},
		{args: []string{"keys", "create", "--data", dir, "--json", "--name", "json-created-key", "--user", "vic@example.com"},
			stdout: `(?s)\{\n  "id": .*"name": "json-created-key",.*"key": "kwu_[0-9A-Za-z]{38}"\n\}\n`},
	})
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, stdout, stderr := runInProcess(t, t.TempDir(), "", args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "keys create --name NAME --user EMAIL") ||
			!strings.Contains(stdout, "/nonexistent/default") {
			t.Fatalf("keyward %v = %d, %q, %q", args, code, stdout, stderr)
		}
	}
	// Every command in the table is in the help text.
	_, stdout, _ := runInProcess(t, t.TempDir(), "", "help")
	for _, cmd := range commands {
		first := strings.Fields(cmd.usage())
		if !strings.Contains(stdout, strings.Join(first[:min(2, len(first))], " ")) && !strings.Contains(stdout, strings.Fields(cmd.name)[0]) {
			t.Errorf("help does not mention %q", cmd.name)
		}
	}
}

// TestCommandListLayout checks the generated list: lines no longer than
// lineWidth, and each command's usage and help all there once the wrapped
// lines are joined again.
func TestCommandListLayout(t *testing.T) {
	list := commandList()
	for _, l := range strings.Split(strings.TrimSuffix(list, "\n"), "\n") {
		if len(l) > lineWidth {
			t.Errorf("%d characters: %q", len(l), l)
		}
	}
	joined := strings.Join(strings.Fields(list), " ")
	for _, c := range commands {
		if !strings.Contains(joined, c.usage()) || !strings.Contains(joined, c.help) {
			t.Errorf("the list lacks %q or its help", c.usage())
		}
	}
}

func TestConsoleIsTheDefault(t *testing.T) {
	var opened string
	code := Run([]string{"--data", "/some/dir"}, Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" },
		Console: func(w Location, _ func(data.Options) (*data.Store, error)) int { opened = w.DataDir; return 7 }})
	if code != 7 || opened != "/some/dir" {
		t.Fatalf("no command: status %d, console opened on %q", code, opened)
	}
	code = Run(nil, Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(k string) string {
		if k == DataEnv {
			return "/from/env"
		}
		return ""
	}, Console: func(w Location, _ func(data.Options) (*data.Store, error)) int { opened = w.DataDir; return 0 }})
	if code != 0 || opened != "/from/env" {
		t.Fatalf("KEYWARD_DATA: console opened on %q", opened)
	}
}

func TestHeldDataDirectory(t *testing.T) {
	dir := t.TempDir()
	runFlow(t, runInProcess, dir, []step{{args: []string{"init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"},
		stdin: "a long owner password\n", stdout: `(?s).*`}})
	held, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	before := held.Users()
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"users", "add", "--name", "Vic", "--email", "vic@example.com", "--role", "viewer"}, code: 1, stderr: "is in use by another Keyward"},
	})
	if len(held.Users()) != len(before) {
		t.Fatal("a refused command changed the store")
	}
}

func TestNoDefaultDataDirectory(t *testing.T) {
	var stderr bytes.Buffer
	code := Run([]string{"keys", "list"}, Env{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != ExitUsage || !strings.Contains(stderr.String(), "choose one with --data DIR or KEYWARD_DATA") {
		t.Fatalf("status %d, %q", code, stderr.String())
	}
}

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	code := Run([]string{"--version"}, Env{Stdout: &stdout, Stderr: &bytes.Buffer{}, Version: "Keyward 9.9.9 (build 7)"})
	if code != 0 || stdout.String() != "Keyward 9.9.9 (build 7)\n" {
		t.Fatalf("--version: %d %q", code, stdout.String())
	}
}

// TestOnlyOwnerWhoCanSignIn: the command line, which cannot give anyone
// a console password, neither deletes nor demotes the only Owner who has
// one while the other Owners have none.
func TestOnlyOwnerWhoCanSignIn(t *testing.T) {
	runFlow(t, runInProcess, t.TempDir(), []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"},
			stdin: "a long owner password\n", stdout: `(?s).*`},
		{args: []string{"users", "add", "--name", "Olga Owner", "--email", "olga@example.com", "--role", "owner"}, stdout: `(?s).*`},
		{args: []string{"users", "delete", "ada@example.com"}, code: 1,
			stderr: "Ada Owner is the only Owner who can sign in to the console and cannot be deleted: give another Owner a console password first (in the console: Team, Edit, Console password)."},
		{args: []string{"users", "set-role", "ada@example.com", "viewer"}, code: 1,
			stderr: "cannot be given another role: give another Owner a console password first (in the console: Team, Edit, Console password)."},
		{args: []string{"users", "delete", "olga@example.com"}, stdout: `(?s).*Olga Owner.*`},
	})
}
