package cli

import (
	"strings"
	"testing"

	"keyward/data"
)

// TestNoKeyEchoed passes real keys where names, emails, roles and other
// arguments go: each is refused or looked up without the key repeated in
// any message, none is stored, and a long argument is cut in the message.
func TestNoKeyEchoed(t *testing.T) {
	dir := t.TempDir()
	backupFlow(t, dir)
	user, err := data.NewUserKey()
	if err != nil {
		t.Fatal(err)
	}
	body := user[4:16]
	pasted := "a secret was pasted into the wrong field"
	for _, s := range []step{
		{args: []string{"keys", "create", "--name", user, "--user", "ada@example.com"}, code: 1, stderr: pasted},
		{args: []string{"users", "add", "--name", user, "--email", "eve@example.com", "--role", "viewer"}, code: 1, stderr: pasted},
		{args: []string{"users", "add", "--name", "Eve", "--email", user, "--role", "viewer"}, code: 1, stderr: pasted},
		{args: []string{"users", "add", "--name", "Eve", "--email", "eve@example.com", "--role", user}, code: 1, stderr: "Unknown role"},
		{args: []string{"keys", "delete", user}, code: 1, stderr: "There is no API user key named"},
		{args: []string{"cidr", "add", "backed-up-key", user}, code: 1, stderr: "is not a valid IP address"},
		{args: []string{"users", "set-role", user, "viewer"}, code: 1, stderr: "There is no user with the email"},
		{args: []string{"logs", "--limit", user}, code: 2, stderr: "invalid value"},
		{args: []string{user}, code: 2, stderr: "unknown command"},
	} {
		code, stdout, stderr := runInProcess(t, dir, "", s.args...)
		if code != s.code || !strings.Contains(stderr, s.stderr) {
			t.Errorf("keyward %.40s…: status %d, %q; want %d, %q", strings.Join(s.args, " "), code, stderr, s.code, s.stderr)
		}
		if strings.Contains(stdout+stderr, body) {
			t.Errorf("keyward %.40s… repeats the key: %q", strings.Join(s.args, " "), stdout+stderr)
		}
	}
	code, stdout, _ := runInProcess(t, dir, "", "logs", "--limit", "1000")
	if code != 0 || strings.Contains(stdout, body) {
		t.Fatalf("the log holds the key: %q", stdout)
	}
	// A 100 KB argument is cut in the message.
	long := strings.Repeat("x", 100_000)
	for _, args := range [][]string{{"keys", "delete", long}, {"users", "add", "--name", "Eve", "--email", long, "--role", "viewer"}, {"logs", "--limit", long}} {
		_, _, stderr := runInProcess(t, dir, "", args...)
		if len(stderr) > 700 {
			t.Errorf("keyward %s %s …: %d bytes of error", args[0], args[1], len(stderr))
		}
	}
}
