package cli

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"keyward/data"
	"keyward/data/badger"
)

// invoke runs keyward with args and stdin in dataDir and returns its exit
// status, stdout and stderr. The in-process tests call Run; the end-to-end
// test runs the built binary.
type invoke func(t *testing.T, dataDir, stdin string, args ...string) (code int, stdout, stderr string)

// step is one command of a flow and what it must answer.
type step struct {
	args   []string
	stdin  string
	code   int
	stdout string // regular expression the whole of stdout must match
	stderr string // substring of stderr; "" means stderr must be empty
	save   string // name under which to keep stdout (trimmed) for later steps
}

var (
	userKeyRE    = `kwu_[0-9A-Za-z]{38}\n`
	accountKeyRE = `kwa_[0-9A-Za-z]{38}\n`
)

// adminFlow is the flow of the core issue: init → users add → api enable →
// keys create → cidr add/edit/delete → keys delete → users delete → logs,
// with every bad input answered by exit status 1 and a message that says
// what to fix.
func adminFlow() []step {
	return []step{
		{args: []string{"keys", "list"}, code: 1, stderr: "has no account yet: create one with 'keyward init'"},
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"}, stdin: "short\n",
			code: 1, stderr: "at least 12 characters"},
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"}, stdin: "",
			code: 1, stderr: "No password on standard input"},
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"}, stdin: "a long owner password\n",
			stdout: `Created the account Acme with its Owner Ada Owner \(ada@example.com\)\.\nData directory: .*\n`},
		{args: []string{"init", "--account", "Other", "--owner-name", "Bob", "--owner-email", "bob@example.com"}, stdin: "a long owner password\n",
			code: 1, stderr: "already has the account Acme"},
		{args: []string{"users", "add", "--name", "Vic Viewer", "--email", "vic@example.com", "--role", "viewer"},
			stdout: `Added Vic Viewer \(vic@example.com\) to the team as Viewer \(id \d+\)\.\n`},
		{args: []string{"users", "add", "--name", "Lou Logs", "--email", "lou@example.com", "--role", "Logs Viewer (API use only)"},
			stdout: `Added Lou Logs .* as Logs Viewer \(API use only\) .*\n`},
		{args: []string{"users", "add", "--name", "Max Member", "--email", "max@example.com", "--role", "member"}, stdout: `Added Max Member .*\n`},
		{args: []string{"users", "add", "--name", "Vic Again", "--email", "VIC@example.com", "--role", "viewer"},
			code: 1, stderr: "Vic Viewer already uses the email vic@example.com"},
		{args: []string{"users", "add", "--name", "Eve", "--email", "eve@example.com", "--role", "admin"}, code: 1, stderr: `Unknown role "admin": use one of`},
		{args: []string{"users", "add", "--name", "Eve", "--email", "eve", "--role", "viewer"}, code: 1, stderr: `"eve" is not an email address`},
		{args: []string{"keys", "create", "--name", "early-key-01", "--user", "vic@example.com"}, stdout: userKeyRE},
		{args: []string{"api", "account-key"}, code: 1, stderr: "The REST API is disabled, so there is no account key"},
		{args: []string{"api", "status"}, stdout: `Account:       Acme \(id \d+\)\nREST API:      disabled\nAPI user keys: 1\n`},
		{args: []string{"api", "enable"}, stdout: `The REST API is enabled and a new account key was issued.*\n`},
		{args: []string{"api", "enable"}, stdout: "The REST API is already enabled.\n"},
		{args: []string{"api", "account-key"}, stdout: accountKeyRE, save: "accountKey"},
		{args: []string{"keys", "create", "--name", "ci-deploy-key", "--user", "vic@example.com"}, stdout: userKeyRE, save: "userKey"},
		// Bad key names, users and roles: exit 1, a message naming the rule.
		{args: []string{"keys", "create", "--name", "short", "--user", "vic@example.com"}, code: 1, stderr: "Use at least 10 characters (this name has 5)"},
		{args: []string{"keys", "create", "--name", strings.Repeat("k", 51), "--user", "vic@example.com"}, code: 1, stderr: "Use at most 50 characters (this name has 51)"},
		{args: []string{"keys", "create", "--name", "has spaces in it", "--user", "vic@example.com"}, code: 1, stderr: "a key name cannot contain spaces"},
		{args: []string{"keys", "create", "--name", "clé-de-déploiement", "--user", "vic@example.com"}, code: 1, stderr: "Use only ASCII letters, digits, '-' and '_' (not 'é')"},
		{args: []string{"keys", "create", "--name", "nobodys-key-01", "--user", "nobody@example.com"}, code: 1, stderr: `There is no user with the email "nobody@example.com"`},
		{args: []string{"keys", "create", "--name", "member-key-01", "--user", "max@example.com"}, code: 1, stderr: "Max Member is a Member: only Owner, Viewer and Logs Viewer users can own API user keys"},
		{args: []string{"keys", "create", "--name", "CI-Deploy-Key", "--user", "ada@example.com"}, code: 1, stderr: "An API user key named ci-deploy-key already exists"},
		// The allow list.
		{args: []string{"cidr", "list", "ci-deploy-key"}, stdout: "The allow list of ci-deploy-key is empty: all addresses are allowed.\n"},
		{args: []string{"cidr", "add", "ci-deploy-key", "10.0.0.1/8"}, code: 1, stderr: "did you mean 10.0.0.0/8?"},
		{args: []string{"cidr", "add", "ci-deploy-key", "10.0.0.300/8"}, code: 1, stderr: `"10.0.0.300/8" is not a valid IP address or CIDR prefix`},
		{args: []string{"cidr", "add", "ci-deploy-key", "10.0.0.0/33"}, code: 1, stderr: "can be at most /32"},
		{args: []string{"cidr", "add", "ci-deploy-key", "198.51.100.7"}, stdout: "Added 198.51.100.7/32 to the allow list of ci-deploy-key.\n"},
		{args: []string{"cidr", "add", "ci-deploy-key", "198.51.100.7/32"}, code: 1, stderr: "198.51.100.7/32 is already in the allow list of ci-deploy-key"},
		{args: []string{"cidr", "add", "ci-deploy-key", "2001:db8::/32"}, stdout: "Added 2001:db8::/32 to the allow list of ci-deploy-key.\n"},
		{args: []string{"cidr", "edit", "ci-deploy-key", "198.51.100.7", "127.0.0.0/8"}, stdout: "Changed 198.51.100.7/32 to 127.0.0.0/8 in the allow list of ci-deploy-key.\n"},
		{args: []string{"cidr", "edit", "ci-deploy-key", "203.0.113.0/24", "10.0.0.0/8"}, code: 1, stderr: "203.0.113.0/24 is not in the allow list of ci-deploy-key"},
		{args: []string{"cidr", "edit", "ci-deploy-key", "127.0.0.0/8", "127.0.0.1/8"}, code: 1, stderr: "did you mean 127.0.0.0/8?"},
		{args: []string{"cidr", "list", "ci-deploy-key"}, stdout: "127.0.0.0/8\n2001:db8::/32\n"},
		{args: []string{"cidr", "delete", "ci-deploy-key", "2001:db8::/32"}, stdout: "Deleted 2001:db8::/32 from the allow list of ci-deploy-key.\n"},
		{args: []string{"cidr", "add", "no-such-key-01", "10.0.0.0/8"}, code: 1, stderr: `There is no API user key named "no-such-key-01"`},
		{args: []string{"keys", "list"}, stdout: `NAME +USER +CIDR ALLOW LIST +CREATED +LAST USED +EXPIRES +STATE\nci-deploy-key +Vic Viewer +1 rule +\S+ \S+ UTC +Never +never +active\nearly-key-01 +Vic Viewer +All addresses .* +Never +never +active\n`},
		// Changes to the team.
		{args: []string{"users", "set-role", "ada@example.com", "viewer"}, code: 1, stderr: "Ada Owner is the account's last Owner"},
		{args: []string{"users", "delete", "ada@example.com"}, code: 1, stderr: "Ada Owner is the account's last Owner and cannot be deleted"},
		{args: []string{"users", "set-role", "vic@example.com", "member"}, stdout: "Vic Viewer \\(vic@example.com\\) is now Member.\nTheir 2 API user keys will not authenticate while they have this role.\n"},
		{args: []string{"keys", "list"}, stdout: `(?s).*ci-deploy-key .* inactive\n.*`},
		{args: []string{"users", "set-role", "vic@example.com", "viewer"}, stdout: "Vic Viewer \\(vic@example.com\\) is now Viewer.\n"},
		{args: []string{"keys", "delete", "early-key-01"}, stdout: "Deleted the API user key early-key-01 of Vic Viewer; requests with it are refused from now on.\n"},
		{args: []string{"keys", "delete", "early-key-01"}, code: 1, stderr: `There is no API user key named "early-key-01"`},
		{args: []string{"users", "list"}, stdout: `ID +NAME +EMAIL +ROLE +API KEYS +CONSOLE\n\d+ +Ada Owner +ada@example.com +Owner +0 +yes\n\d+ +Lou Logs .*\n\d+ +Max Member .*\n\d+ +Vic Viewer +vic@example.com +Viewer +1 +no\n`},
		{args: []string{"users", "delete", "vic@example.com"}, stdout: "Removed Vic Viewer \\(vic@example.com\\) from the team, with 1 API user key.\n"},
		{args: []string{"keys", "list"}, stdout: "There are no API user keys yet; create one with 'keyward keys create --name NAME --user EMAIL'.\n"},
		{args: []string{"logs", "--limit", "3"}, stdout: `TIME +BY +EVENT +DESCRIPTION\n.* command line +user-deleted +Removed Vic Viewer \(vic@example.com\) from the team with 1 API user key\n.* user-key-deleted +Deleted API user key ci-deploy-key with its user Vic Viewer \(vic@example.com\)\n.* user-key-deleted +Deleted API user key early-key-01 of Vic Viewer \(vic@example.com\)\n`},
		{args: []string{"--json", "logs", "--limit", "1"}, stdout: `(?s)\[\n  \{\n    "id": \d+,\n    "time": "[^"]+Z",\n    "originator": "command line",\n.*"type": "user-deleted",.*\]\n`},
		{args: []string{"api", "disable"}, stdout: "The REST API is disabled: the account key is revoked and every request will be refused.\n"},
		// Usage mistakes: exit 2.
		{args: []string{"keys"}, code: 2, stderr: "keys needs a subcommand: create, delete, disable, enable, expire, list, roll"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"keys", "create", "--name", "only-a-name-1"}, code: 2, stderr: "keys create needs --user; usage: keyward keys create --name NAME --user EMAIL"},
		{args: []string{"cidr", "add", "just-the-key"}, code: 2, stderr: "cidr add takes 2 arguments; usage: keyward cidr add KEY CIDR"},
		{args: []string{"logs", "--limit", "0"}, code: 1, stderr: "--limit must be between 1 and 100000"},
		{args: []string{"logs", "--since", "yesterday"}, code: 2, stderr: "flag provided but not defined: -since"},
	}
}

// runFlow runs steps in a new data directory and returns what the steps
// marked to save.
func runFlow(t *testing.T, run invoke, dataDir string, steps []step) map[string]string {
	saved := map[string]string{}
	for i, s := range steps {
		code, stdout, stderr := run(t, dataDir, s.stdin, s.args...)
		where := "keyward " + strings.Join(s.args, " ")
		if code != s.code {
			t.Fatalf("step %d, %s: exit status %d, want %d\nstdout: %s\nstderr: %s", i, where, code, s.code, stdout, stderr)
		}
		if s.stdout != "" && !regexp.MustCompile(`\A`+s.stdout+`\z`).MatchString(stdout) {
			t.Fatalf("step %d, %s: stdout\n%q\ndoes not match\n%q", i, where, stdout, s.stdout)
		}
		if s.stdout == "" && stdout != "" {
			t.Fatalf("step %d, %s: unexpected stdout %q", i, where, stdout)
		}
		if s.stderr == "" && stderr != "" || !strings.Contains(stderr, s.stderr) {
			t.Fatalf("step %d, %s: stderr %q, want %q", i, where, stderr, s.stderr)
		}
		if s.code != 0 && !strings.HasPrefix(stderr, "keyward: ") {
			t.Fatalf("step %d, %s: the error does not start with 'keyward: ': %q", i, where, stderr)
		}
		if s.save != "" {
			saved[s.save] = strings.TrimSpace(stdout)
		}
	}
	return saved
}

// checkKeysWork opens the flow's data directory and checks that the key the
// flow created authenticated the way its allow list says, while it existed:
// the command line and the REST API share one store.
func checkFlowResult(t *testing.T, dataDir string, saved map[string]string) {
	s, err := badger.OpenStore(dataDir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Initialized() == false || len(s.UserKeys()) != 0 {
		t.Fatal("the flow's end state is wrong")
	}
	if data.CheckAccountKeyFormat(saved["accountKey"]) != nil || data.CheckUserKeyFormat(saved["userKey"]) != nil {
		t.Fatal("the printed keys do not have the key format")
	}
	// The key was deleted with its user; the API was disabled.
	if _, err := s.Authenticate(saved["accountKey"], saved["userKey"], netip.MustParseAddr("127.0.0.1")); err != data.ErrAPIDisabled {
		t.Fatalf("Authenticate after the flow = %v", err)
	}
}

// TestAMistypedDataDirectoryStaysMissing: a command that creates nothing,
// given a data directory that does not exist, says there is no account
// there and makes no directory.
func TestAMistypedDataDirectoryStaysMissing(t *testing.T) {
	typo := filepath.Join(t.TempDir(), "typo")
	runFlow(t, runInProcess, typo, []step{
		{args: []string{"users", "list"}, code: 1, stderr: "has no account yet: create one with 'keyward init' or by opening the console (or, if the account is elsewhere, give its directory with --data or KEYWARD_DATA)"},
		{args: []string{"keys", "list", "--json"}, code: 1, stderr: "has no account yet"},
		{args: []string{"backup", filepath.Join(filepath.Dir(typo), "b.backup")}, code: 1, stderr: "has no account yet"},
	})
	if _, err := os.Stat(typo); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after read-only commands, the mistyped data directory: %v", err)
	}
}
