package cli

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/badger"
	"keyward/data/clocktest"
)

// clockInvoke is runInProcess with the store on clock, so that a test
// can let keys expire and grace periods end.
func clockInvoke(clock *clocktest.Clock) invoke {
	return func(t *testing.T, dataDir, stdin string, args ...string) (int, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := Run(args, Env{
			Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
			Getenv: func(k string) string {
				if k == DataEnv {
					return dataDir
				}
				return ""
			},
			Open: func(dir string, opts data.Options) (*data.Store, error) {
				opts.Now = clock.Now
				return badger.OpenStore(dir, opts)
			},
			API: api.NewSupervisor,
		})
		return code, stdout.String(), stderr.String()
	}
}

// lifecycleSetup creates an account with the API on and two Owner keys.
func lifecycleSetup() []step {
	return []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"}, stdin: "a long owner password\n", stdout: `(?s).*`},
		{args: []string{"api", "enable"}, stdout: `(?s).*`},
		{args: []string{"api", "account-key"}, stdout: accountKeyRE, save: "account"},
		{args: []string{"keys", "create", "--name", "deploy-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "deploy"},
		{args: []string{"keys", "create", "--name", "nightly-job-1", "--user", "ada@example.com", "--expires", "30m"}, stdout: userKeyRE, save: "nightly"},
	}
}

// lifecycleSteps are the lifecycle commands that need no clock, with
// their bad input: exit 1, a message, and nothing changed.
func lifecycleSteps() []step {
	return []step{
		{args: []string{"keys", "create", "--name", "past-expiry-1", "--user", "ada@example.com", "--expires", "2020-01-01"}, code: 1, stderr: "keyward: The expiry 2020-01-01 00:00 UTC is not in the future"},
		{args: []string{"keys", "create", "--name", "bad-expiry-01", "--user", "ada@example.com", "--expires", "soon"}, code: 1, stderr: `"soon" is not an expiry: write never, a duration such as 7d`},
		{args: []string{"keys", "create", "--name", "neg-expiry-01", "--user", "ada@example.com", "--expires", "-1d"}, code: 1, stderr: "is not in the future"},
		{args: []string{"keys", "list", "--status", "active"}, stdout: `NAME .* EXPIRES +STATE\ndeploy-key-01 .* never +active\nnightly-job-1 .* \d{4}-\d\d-\d\d \d\d:\d\d UTC +active\n`},
		{args: []string{"keys", "list", "--status", "gone"}, code: 1, stderr: `"gone" is not a key status: use active, disabled, expired or inactive.`},
		{args: []string{"keys", "list", "--status", ""}, code: 1, stderr: `"" is not a key status: use active, disabled, expired or inactive.`},
		{args: []string{"keys", "list", "--unused-for", ""}, code: 2, stderr: `--unused-for takes a whole number of days, such as 90; "" is not one`},
		{args: []string{"keys", "list", "--unused-for", "x"}, code: 2, stderr: `--unused-for takes a whole number of days, such as 90; "x" is not one`},
		{args: []string{"keys", "list", "--unused-for", "-3"}, code: 1, stderr: `--unused-for takes a whole number of days, such as 90; "-3" is not one.`},
		{args: []string{"keys", "list", "--unused-for", "36501"}, code: 1, stderr: `--unused-for is at most 36,500 days (100 years); "36501" is more.`},
		{args: []string{"keys", "list", "--unused-for", "99999999999999999999"}, code: 1, stderr: `--unused-for is at most 36,500 days`},
		{args: []string{"keys", "list", "--unused-for", "1"}, stdout: "No API user key matches.\n"},
		{args: []string{"keys", "list", "--unused-for", "0"}, stdout: `(?s)NAME .*deploy-key-01 .*nightly-job-1 .*`},
		{args: []string{"keys", "disable", "deploy-key-01"}, stdout: "Disabled the API user key deploy-key-01 of Ada Owner; requests with it are refused until it is enabled \\('keyward keys enable deploy-key-01'\\).\n"},
		{args: []string{"keys", "disable", "deploy-key-01"}, code: 1, stderr: "The API user key deploy-key-01 is already disabled (by command line, "},
		{args: []string{"keys", "list", "--status", "DISABLED"}, stdout: `NAME .*\ndeploy-key-01 .* never +disabled\n`},
		{args: []string{"--json", "keys", "list", "--status", "disabled"}, stdout: `(?s)\[\n  \{\n.*"status": "disabled",.*"expiresAt": null,\n    "disabledAt": "[^"]+Z",\n    "disabledBy": "command line"\n  \}\n\]\n`},
		{args: []string{"keys", "enable", "deploy-key-01"}, stdout: "Enabled the API user key deploy-key-01 of Ada Owner.\n"},
		{args: []string{"keys", "enable", "deploy-key-01"}, code: 1, stderr: "The API user key deploy-key-01 is not disabled."},
		{args: []string{"keys", "disable", "no-such-key-1"}, code: 1, stderr: `There is no API user key named "no-such-key-1"`},
		{args: []string{"keys", "expire", "deploy-key-01", "2027-01-31"}, stdout: "The API user key deploy-key-01 now expires 2027-01-31 00:00 UTC.\n"},
		{args: []string{"keys", "expire", "deploy-key-01", "2027-01-31"}, code: 1, stderr: "The API user key deploy-key-01 already expires 2027-01-31 00:00 UTC."},
		{args: []string{"keys", "expire", "deploy-key-01", "yesterday"}, code: 1, stderr: `"yesterday" is not an expiry`},
		{args: []string{"keys", "expire", "deploy-key-01", "2001-01-01T00:00:00Z"}, code: 1, stderr: "is not in the future: choose a later time, or never."},
		{args: []string{"keys", "expire", "deploy-key-01", "never"}, stdout: "The API user key deploy-key-01 now never expires.\n"},
		{args: []string{"keys", "expire", "deploy-key-01"}, code: 2, stderr: "keys expire takes 2 arguments; usage: keyward keys expire NAME never|30d|DATE"},
		{args: []string{"keys", "roll", "deploy-key-01", "--grace", "-1h"}, code: 1, stderr: "A grace period must be between none and 30 days"},
		{args: []string{"keys", "roll", "deploy-key-01", "--grace", "31d"}, code: 1, stderr: "A grace period must be between none and 30 days"},
		{args: []string{"keys", "roll", "deploy-key-01", "--grace", "a while"}, code: 1, stderr: `"a while" is not a duration`},
		{args: []string{"keys", "roll", "deploy-key-01", "--grace", "24h"}, stdout: userKeyRE, save: "rolled"},
		{args: []string{"keys", "list", "--status", "active"}, stdout: `(?s).*deploy-key-01 .* never +active \(old value until \d{4}-\d\d-\d\d \d\d:\d\d UTC\)\n.*`},
		{args: []string{"--json", "keys", "list"}, stdout: `(?s).*"name": "deploy-key-01",.*"graceUntil": "[^"]+Z".*`},
		{args: []string{"keys", "scan", "-"}, stdin: "no key here\n", stdout: "0 keys found, 0 live.\n"},
		{args: []string{"logs", "--limit", "1"}, stdout: `(?s).* user-key-rolled +Rolled API user key deploy-key-01 of Ada Owner \(ada@example.com\): its previous value works until .* \(a grace period of 1 day\)\n`},
	}
}

// TestLifecycleCommands drives every lifecycle command, with its bad input,
// and checks what the keys then do against the API's rules: a clock lets
// the nightly key expire and the roll's grace period end.
func TestLifecycleCommands(t *testing.T) {
	clock := clocktest.New()
	run := clockInvoke(clock)
	dir := t.TempDir()
	saved := runFlow(t, run, dir, lifecycleSetup())
	for k, v := range runFlow(t, run, dir, lifecycleSteps()) {
		saved[k] = v
	}
	auth := func(secret string) error {
		s, err := badger.OpenStore(dir, data.Options{Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, err = s.Authenticate(saved["account"], secret, netip.MustParseAddr("127.0.0.1"))
		return err
	}
	if err := auth(saved["deploy"]); err != nil {
		t.Fatalf("the old value during the grace period: %v", err)
	}
	clock.Advance(30 * time.Minute)
	runFlow(t, run, dir, []step{
		{args: []string{"keys", "list", "--status", "expired"}, stdout: `NAME .*\nnightly-job-1 .* expired\n`},
		{args: []string{"keys", "expire", "nightly-job-1", "7d"}, stdout: "The API user key nightly-job-1 now expires .*\n"},
		{args: []string{"keys", "list", "--status", "expired"}, stdout: "No API user key matches.\n"},
	})
	clock.Advance(24 * time.Hour)
	if err := auth(saved["deploy"]); err != data.ErrRolledUserKey {
		t.Fatalf("the old value after the grace period: %v", err)
	}
	if err := auth(saved["rolled"]); err != nil {
		t.Fatalf("the new value: %v", err)
	}
	runFlow(t, run, dir, []step{
		{args: []string{"keys", "list", "--status", "active"}, stdout: `(?s).*deploy-key-01 .* never +active\n.*`},
		// deploy-key-01 was used just now (by auth above), nightly-job-1 never.
		{args: []string{"keys", "list", "--unused-for", "1"}, stdout: `NAME .*\nnightly-job-1 .*\n`},
	})
}

// TestLifecycleEndToEnd runs the lifecycle commands through the built
// binary.
func TestLifecycleEndToEnd(t *testing.T) {
	bin, err := keywardBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	runFlow(t, binaryInvoke(bin), dir, lifecycleSetup())
	runFlow(t, binaryInvoke(bin), dir, lifecycleSteps())
}

// TestRollWarnings: keys roll prints only the new value on stdout, and
// says on stderr what else it did: a value still in an earlier grace
// period stopped working, or the key still does not authenticate.
func TestRollWarnings(t *testing.T) {
	run := clockInvoke(clocktest.New())
	dir := t.TempDir()
	runFlow(t, run, dir, lifecycleSetup())
	runFlow(t, run, dir, []step{
		{args: []string{"keys", "roll", "deploy-key-01", "--grace", "24h"}, stdout: userKeyRE},
		{args: []string{"keys", "roll", "deploy-key-01", "--grace", "24h"}, stdout: userKeyRE,
			stderr: "keyward: The value before the current one, which an earlier roll left working until "},
		{args: []string{"keys", "roll", "deploy-key-01"}, stdout: userKeyRE, stderr: "stops working at once: a key keeps only one previous value.\n"},
		{args: []string{"keys", "roll", "deploy-key-01"}, stdout: userKeyRE},
		{args: []string{"keys", "disable", "deploy-key-01"}, stdout: `(?s).*`},
		{args: []string{"keys", "roll", "deploy-key-01"}, stdout: userKeyRE, stderr: "keyward: The key is disabled: its new value works only once an Owner enables it.\n"},
	})
}

// utf16le is s in UTF-16, little-endian, as Windows writes it.
func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// TestKeysScan plants keys in a tree and on stdin: keys scan reports each
// with its file and line, which key it is and whether it is live, never
// the value; it exits 1 while a live one is found, and --disable disables
// the live ones in one change.
func TestKeysScan(t *testing.T) {
	clock := clocktest.New()
	run := clockInvoke(clock)
	dir := t.TempDir()
	saved := runFlow(t, run, dir, lifecycleSetup())
	saved2 := runFlow(t, run, dir, []step{
		{args: []string{"keys", "create", "--name", "paused-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "paused"},
		{args: []string{"keys", "disable", "paused-key-01"}, stdout: `(?s).*`},
	})
	tree := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stranger, _ := data.NewUserKey()
	write("deploy/.env", "# CI\nKEYWARD_KEY="+saved["deploy"]+"\nOTHER=1\n")
	write("src/main.go", "package main\n\n// an old one\nconst k = \""+saved2["paused"]+"\"\nconst s = \""+stranger+"\"\n")
	write("notes.txt", "nothing here but kwu_ and kwa_ and kwu_shortkey\n")
	// Where keys leak: a JSON log's escape, a URL, PowerShell 5's UTF-16, a
	// file's name; and links, to a file and to a directory.
	write("logs/app.json", `{"msg":"connecting with\n`+saved2["paused"]+`\n"}`+"\n")
	write("logs/access.log", "GET /hook?next=%2Fv1%3Fsecret%3D"+saved2["paused"]+" HTTP/1.1\n")
	write("logs/ps.txt", "\xff\xfe"+string(utf16le("line one\r\nKEY="+saved2["paused"]+"\r\n")))
	write("logs/"+saved2["paused"]+".txt", "named after a key, with another\n"+stranger+"\n")
	if err := os.Symlink(filepath.Join(tree, "deploy", ".env"), filepath.Join(tree, "env-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(tree, "deploy"), filepath.Join(tree, "deploy-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop", filepath.Join(tree, "loop")); err != nil { // a link round in a loop holds no key
		t.Fatal(err)
	}
	write(".git/config", saved["deploy"]+"\n")
	// A disk image: sparse, larger than keys scan reads.
	big, err := os.Create(filepath.Join(tree, "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(300 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()
	runFlow(t, run, dir, []step{
		{args: []string{"keys", "scan", tree}, code: 1, stderr: "keyward: Live keys were found: see above.",
			stdout: `\Q` + filepath.Join(tree, "deploy/.env") + `\E:2: kwu_…\w{4} is the API user key deploy-key-01 of Ada Owner: live; disable it, roll it or delete it\n` +
				`\Q` + filepath.Join(tree, "logs/access.log") + `\E:1: kwu_…\w{4} is the API user key paused-key-01 of Ada Owner: disabled, not live\n` +
				`\Q` + filepath.Join(tree, "logs/app.json") + `\E:1: kwu_…\w{4} is the API user key paused-key-01 of Ada Owner: disabled, not live\n` +
				`\Q` + filepath.Join(tree, "logs") + `/kwu_…\E\w{4}\.txt:2: kwu_…\w{4} is a user key that is not one of this account's \(perhaps deleted\)\n` +
				`\Q` + filepath.Join(tree, "logs/ps.txt") + `\E:2: kwu_…\w{4} is the API user key paused-key-01 of Ada Owner: disabled, not live\n` +
				`\Q` + filepath.Join(tree, "src/main.go") + `\E:4: kwu_…\w{4} is the API user key paused-key-01 of Ada Owner: disabled, not live\n` +
				`\Q` + filepath.Join(tree, "src/main.go") + `\E:5: kwu_…\w{4} is a user key that is not one of this account's \(perhaps deleted\)\n` +
				`\Q` + filepath.Join(tree, "deploy-link") + `\E: skipped: a link to a directory, not followed: name it to scan there\n` +
				`\Q` + filepath.Join(tree, "disk.img") + `\E: skipped: larger than 256 MB, not a file a key is pasted into\n` +
				`7 keys found, 1 live.\n`},
		{args: []string{"keys", "scan", filepath.Join(tree, "notes.txt")}, stdout: "0 keys found, 0 live.\n"},
		// A link named is followed, and a file reached twice is read once;
		// a path that cannot be read is said, the others are scanned, and
		// the scan fails: it cannot say all is clean.
		{args: []string{"keys", "scan", filepath.Join(tree, "deploy-link"), filepath.Join(tree, "env-link")}, code: 1, stderr: "Live keys were found",
			stdout: `\Q` + filepath.Join(tree, "deploy-link/.env") + `\E:2: .*\n1 key found, 1 live.\n`},
		{args: []string{"keys", "scan", filepath.Join(tree, "missing"), filepath.Join(tree, "notes.txt")}, code: 1,
			stderr: `keyward: No live key was found, but 1 path could not be read, so the scan is not complete: see above.`,
			stdout: `\Q` + filepath.Join(tree, "missing") + `\E: skipped: it does not exist\n0 keys found, 0 live; 1 path could not be read.\n`},
		{args: []string{"keys", "scan", filepath.Join(tree, "missing"), filepath.Join(tree, "deploy")}, code: 1,
			stderr: `keyward: Live keys were found, and 1 path could not be read: see above.`, stdout: `(?s).*1 key found, 1 live; 1 path could not be read.\n`},
		{args: []string{"keys", "scan"}, code: 2, stderr: "keys scan needs at least one argument"},
		{args: []string{"keys", "scan", "-"}, stdin: "x " + saved["account"] + " y\n", code: 1, stderr: "Live keys were found",
			stdout: `-:1: kwa_…\w{4} is the account key of this account: live; revoke it by disabling and enabling the API\n1 key found, 1 live.\n`},
		{args: []string{"--json", "keys", "scan", filepath.Join(tree, "deploy")}, code: 1, stderr: "Live keys were found",
			stdout: `(?s)\{\n  "found": \[\n    \{\n      "file": ".*\.env",\n      "line": 2,\n      "hint": "kwu_…\w{4}",\n      "kind": "user key",\n      "ofThisAccount": true,\n      "key": "deploy-key-01",.*"live": true,.*\],\n  "skipped": \[\],\n  "live": 1\n\}\n`},
		{args: []string{"--json", "keys", "scan", filepath.Join(tree, "missing")}, code: 1, stderr: "could not be read",
			stdout: `\{\n  "found": \[\],\n  "skipped": \[\n    \{\n      "path": ".*missing",\n      "reason": "it does not exist",\n      "unread": true\n    \}\n  \],\n  "live": 0\n\}\n`},
		{args: []string{"keys", "scan", tree, "--disable"}, code: 1, stderr: "Live keys were found", stdout: `(?s).*7 keys found, 1 live; disabled deploy-key-01.\n`},
		{args: []string{"keys", "scan", tree}, stdout: `(?s).*deploy-key-01 of Ada Owner: disabled, not live\n.*7 keys found, 0 live.\n`},
		{args: []string{"logs", "--limit", "1"}, stdout: `(?s).*user-key-disabled +Disabled API user key deploy-key-01 of Ada Owner \(ada@example.com\) \(found by keys scan\)\n`},
	})
	for _, secret := range []string{saved["deploy"], saved2["paused"], saved["account"]} {
		for _, args := range [][]string{{"keys", "scan", tree}, {"--json", "keys", "scan", tree}} {
			_, stdout, stderr := run(t, dir, "", args...)
			if strings.Contains(stdout+stderr, secret) {
				t.Fatal("keys scan repeats a key's value")
			}
		}
	}
}
