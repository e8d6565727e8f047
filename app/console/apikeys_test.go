package console

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

func TestEnableAPI(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.signIn("ada@example.com")
	k := e.c.access.keys
	if !k.apiOff.Visible() || k.apiOn.Visible() || !k.enable.Visible() {
		t.Fatal("with the API off, Enable API is not offered")
	}
	if !strings.Contains(labelText(k.apiOff), "Enabling the API creates the account key and starts the REST API on 127.0.0.1:8686") {
		t.Fatalf("the explanation is missing: %s", labelText(k.apiOff))
	}
	test.Tap(k.enable)
	acct, _ := e.store.Account()
	if !acct.APIEnabled || !e.api.running {
		t.Fatal("Enable API did not enable and start the API")
	}
	if k.apiOff.Visible() || !k.apiOn.Visible() || k.status.Text != "The REST API is listening on http://127.0.0.1:8686." {
		t.Fatalf("status: %q", k.status.Text)
	}
	// Disable asks first, with the same Cancel as the delete confirmations;
	// Cancel leaves the API running.
	test.Tap(k.disable)
	test.Tap(button(t, e.top(), "Cancel"))
	if acct, _ := e.store.Account(); !acct.APIEnabled || !e.api.running || len(e.c.dialogs) != 0 {
		t.Fatal("Cancel on the Disable confirmation did not keep the API on")
	}
	test.Tap(k.disable)
	test.Tap(button(t, e.top(), "Disable API"))
	if acct, _ := e.store.Account(); acct.APIEnabled || e.api.running || !k.apiOff.Visible() {
		t.Fatal("Disable API did not disable and stop the API")
	}
}

func TestEnableAPIFailureIsShown(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.api.startErr = errAddressInUse
	e.signIn("ada@example.com")
	k := e.c.access.keys
	test.Tap(k.enable)
	if !k.apiOn.Visible() || k.status.Importance != widget.DangerImportance ||
		k.status.Text != "The API is enabled, but the REST API could not start: "+errAddressInUse.Error()+"." || !k.retry.Visible() {
		t.Fatalf("a failed start is not shown: %q", k.status.Text)
	}
	e.api.startErr = nil
	test.Tap(k.retry)
	if !e.api.running || k.retry.Visible() || !strings.Contains(k.status.Text, "listening") {
		t.Fatal("Retry did not start the API")
	}
}

func TestAccountKeyShowHideCopy(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	key, err := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	e.must(err)
	f := e.c.access.keys.accountKey
	if f.Revealed || strings.Contains(labelText(f), key) || f.Toggle.Text != "Show" {
		t.Fatal("the account key is not masked at first")
	}
	test.Tap(f.Toggle)
	if !f.Revealed || !strings.Contains(labelText(f), key) || f.Toggle.Text != "Hide" {
		t.Fatal("Show did not reveal the key")
	}
	test.Tap(f.Toggle)
	if f.Revealed || strings.Contains(labelText(f), key) || f.Toggle.Text != "Show" {
		t.Fatal("Hide did not mask the key")
	}
	test.Tap(f.Copy)
	if got := e.a.Clipboard().Content(); got != key {
		t.Fatalf("the clipboard holds %q", data.KeyHint(got))
	}
	if !strings.Contains(labelText(f), "Copied") {
		t.Fatal("no Copied note")
	}
	e.clock.Advance(copiedFor)
	if strings.Contains(labelText(f), "Copied") {
		t.Fatal("the Copied note stays")
	}
	log, _ := e.store.SystemLog(data.LogQuery{Limit: 2})
	if log[0].Type != data.EventAccountKeyCopied || log[1].Type != data.EventAccountKeyShown || log[0].Originator != "Ada Owner" {
		t.Fatalf("log = %+v", log)
	}
}

func TestClipboardIsClearedAfterTheDelay(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	f := e.c.access.keys.accountKey
	test.Tap(f.Copy)
	key := e.a.Clipboard().Content()
	e.clock.Advance(DefaultClipboardDelay - time.Second)
	if e.a.Clipboard().Content() != key {
		t.Fatal("the clipboard was cleared early")
	}
	e.clock.Advance(time.Second)
	if got := e.a.Clipboard().Content(); got != "" {
		t.Fatalf("after %s the clipboard still holds %q", DefaultClipboardDelay, data.KeyHint(got))
	}
	// Something else copied since is left alone.
	test.Tap(f.Copy)
	e.a.Clipboard().SetContent("a note of the user's")
	e.clock.Advance(DefaultClipboardDelay)
	if got := e.a.Clipboard().Content(); got != "a note of the user's" {
		t.Fatalf("the user's own clipboard content was cleared: %q", got)
	}
	// Closing the console takes a copied secret away at once.
	test.Tap(f.Copy)
	e.c.Close()
	if got := e.a.Clipboard().Content(); got != "" {
		t.Fatal("closing the console left the key on the clipboard")
	}
}

func TestAddKeyNameValidation(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	test.Tap(e.c.access.keys.add)
	d := e.top()
	name := all[*widgets.Entry](d)[0]
	sel := all[*widgets.Select](d)[0]
	create := button(t, d, "Create")
	tests := []struct{ name, message string }{
		{"short", "Use at least 10 characters (this name has 5)."},
		{strings.Repeat("k", 51), "Use at most 50 characters (this name has 51)."},
		{"has spaces in it", "Remove the spaces: a key name cannot contain spaces."},
		{"clé-de-déploiement", "Use only ASCII letters, digits, '-' and '_' (not 'é')."},
		{"dots.in.the.name", "Use only ASCII letters, digits, '-' and '_' (not '.')."},
		{"bad name", "Use at least 10 characters (this name has 8).\n• Remove the spaces"},
	}
	sel.SetSelectedIndex(0)
	for _, tt := range tests {
		name.SetText("")
		test.Type(name, tt.name)
		if !create.Disabled() {
			t.Errorf("%q: Create is enabled", tt.name)
		}
		if got := labelText(d); !strings.Contains(got, "• "+tt.message) {
			t.Errorf("%q: the dialog says\n%s\nwant %q", tt.name, got, tt.message)
		}
	}
	name.SetText("")
	test.Type(name, "ci-deploy-key")
	if create.Disabled() || strings.Contains(labelText(d), "•") {
		t.Fatal("a valid name and a user do not enable Create")
	}
	sel.ClearSelected()
	if !create.Disabled() {
		t.Fatal("Create is enabled without a user")
	}
}

func TestUserSelectorOffersOnlyEligibleUsers(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	test.Tap(e.c.access.keys.add)
	sel := all[*widgets.Select](e.top())[0]
	want := []string{"Ada Owner (ada@example.com)", "Lou Logs (lou@example.com)", "Vic Viewer (vic@example.com)"}
	if !slices.Equal(sel.Options, want) {
		t.Fatalf("the selector offers %q, want %q (no Member)", sel.Options, want)
	}
}

// TestCreateKey walks the Add → API user key → Finish flow: Finish is
// disabled until Copy, Escape does nothing, the key reaches the clipboard,
// the row appears and the value is nowhere on disk.
func TestCreateKey(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	test.Tap(e.c.access.keys.add)
	add := e.top()
	test.Type(all[*widgets.Entry](add)[0], "ci-deploy-key")
	all[*widgets.Select](add)[0].SetSelected("Vic Viewer (vic@example.com)")
	test.Tap(button(t, add, "Create"))

	reveal := e.top()
	if reveal == add {
		t.Fatal("the API user key dialog did not open")
	}
	finish := button(t, reveal, "Finish")
	if !finish.Disabled() || !strings.Contains(labelText(reveal), "This is the only time the value of this key is available") {
		t.Fatal("Finish is enabled before Copy, or the warning is missing")
	}
	e.escape()
	if e.w.Canvas().Overlays().Top() != reveal {
		t.Fatal("Escape closed the API user key dialog")
	}
	test.Tap(finish) // disabled: nothing happens
	if e.w.Canvas().Overlays().Top() != reveal {
		t.Fatal("a disabled Finish closed the dialog")
	}
	test.Tap(button(t, reveal, "Copy"))
	secret := e.a.Clipboard().Content()
	if data.CheckUserKeyFormat(secret) != nil {
		t.Fatalf("the clipboard holds %q, not a user key", data.KeyHint(secret))
	}
	if finish.Disabled() {
		t.Fatal("Finish is still disabled after Copy")
	}
	test.Tap(finish)
	if e.w.Canvas().Overlays().Top() != nil {
		t.Fatal("Finish did not close the dialog")
	}
	row := e.keyRow("ci-deploy-key")
	if row < 0 {
		t.Fatal("the new key is not in the table")
	}
	if c := cell(t, e.c.access.keys.table, row, e.col("User name")); c.Text != "Vic Viewer" {
		t.Fatalf("user cell = %q", c.Text)
	}
	if c := cell(t, e.c.access.keys.table, row, e.col("CIDR allow list")); c.Kind != 1 || c.Text != "Manage · All addresses" {
		t.Fatalf("allow-list cell = %q", c.Text)
	}
	acct, _ := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	if _, err := e.store.Authenticate(acct, secret, loopback); err != nil {
		t.Fatalf("the copied key does not authenticate: %v", err)
	}
	assertNotOnDisk(t, e.store.Location(), secret)
}

// assertNotOnDisk fails if secret, or its random body, is in any file
// under dir. Other entries, such as the socket that answers backup
// requests, hold nothing to read.
func assertNotOnDisk(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte(secret[4:36])) {
			t.Errorf("%s holds the key's value", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddKeyRefusalStaysInTheDialog(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "ci-deploy-key", "ada@example.com"))
	e.signIn("ada@example.com")
	test.Tap(e.c.access.keys.add)
	add := e.top()
	test.Type(all[*widgets.Entry](add)[0], "CI-Deploy-Key")
	all[*widgets.Select](add)[0].SetSelectedIndex(0)
	test.Tap(button(t, add, "Create"))
	if e.w.Canvas().Overlays().Top() != add {
		t.Fatal("the dialog closed on a refusal")
	}
	if got := labelText(add); !strings.Contains(got, "An API user key named ci-deploy-key already exists") {
		t.Fatalf("the dialog says %q", got)
	}
	// Typing again clears the old refusal.
	test.Type(all[*widgets.Entry](add)[0], "2")
	if strings.Contains(labelText(add), "already exists") {
		t.Fatal("the refusal stays after the name changed")
	}
	// Escape while typing in the name cancels the dialog.
	all[*widgets.Entry](add)[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape in the name field did not cancel the Add dialog")
	}
}

func createKey(e *env, name, email string) error {
	_, _, err := e.store.CreateUserKey(data.CommandLine, name, e.user(email).ID)
	return err
}

func TestDeleteKey(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "doomed-key-01", "vic@example.com"))
	e.must(createKey(e, "kept-key-0001", "ada@example.com"))
	e.signIn("ada@example.com")
	table := e.c.access.keys.table
	tapDelete := func() {
		test.Tap(cell(t, table, e.keyRow("doomed-key-01"), e.deleteCol()).Button)
	}
	tapDelete()
	confirm := e.top()
	if got := labelText(confirm); !strings.Contains(got, "Delete the API user key “doomed-key-01” of Vic Viewer?") {
		t.Fatalf("the confirmation says %q", got)
	}
	test.Tap(button(t, confirm, "Cancel"))
	if e.keyRow("doomed-key-01") < 0 || len(e.store.UserKeys()) != 2 {
		t.Fatal("Cancel deleted the key")
	}
	tapDelete()
	test.Tap(button(t, e.top(), "Delete"))
	if e.keyRow("doomed-key-01") >= 0 || len(e.store.UserKeys()) != 1 {
		t.Fatal("Delete did not delete the key")
	}
	if c := cell(t, table, 0, e.col("Key name")); c.Text != "kept-key-0001" {
		t.Fatalf("row 0 is now %q", c.Text)
	}
}

func TestFilterKeys(t *testing.T) {
	e := newEnv(t).withAccount(true)
	for _, k := range []struct{ name, email string }{{"alpha-key-001", "ada@example.com"}, {"beta-key-0001", "vic@example.com"}, {"gamma-key-001", "vic@example.com"}} {
		e.must(createKey(e, k.name, k.email))
	}
	e.signIn("ada@example.com")
	k := e.c.access.keys
	if k.count.Text != "3 keys" {
		t.Fatalf("count = %q", k.count.Text)
	}
	test.Type(k.filter, "VIC")
	if k.visibleLen() != 2 || k.count.Text != "2 of 3 keys" {
		t.Fatalf("filter by user: %d rows, %q", k.visibleLen(), k.count.Text)
	}
	k.filter.SetText("gamma")
	if k.visibleLen() != 1 || cell(t, k.table, 0, e.col("Key name")).Text != "gamma-key-001" {
		t.Fatalf("filter by name: %d rows", k.visibleLen())
	}
	k.filter.SetText("")
	if k.visibleLen() != 3 {
		t.Fatal("clearing the filter does not show every key")
	}
}

// TestChangesMadeElsewhereShowUp changes the store as the REST API would;
// the window follows.
func TestChangesMadeElsewhereShowUp(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.must(createKey(e, "made-elsewhere", "vic@example.com"))
	if e.keyRow("made-elsewhere") < 0 {
		t.Fatal("a key created elsewhere does not appear")
	}
	acct, _ := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	k, secret, err := e.store.CreateUserKey(data.CommandLine, "used-elsewhere", e.user("ada@example.com").ID)
	e.must(err)
	_, err = e.store.Authenticate(acct, secret, loopback)
	e.must(err)
	e.must(e.store.FlushLastUsed())
	if got := cell(t, e.c.access.keys.table, e.keyRow(k.Name), e.col("Last used")).Text; got != "2026-11-27 09:00 from 127.0.0.1" {
		t.Fatalf("last used = %q", got)
	}
	e.setRole("vic@example.com", data.RoleMember)
	if got := cell(t, e.c.access.keys.table, e.keyRow("made-elsewhere"), e.col("Key name")); got.Text != "made-elsewhere (inactive)" || got.Importance != widget.WarningImportance {
		t.Fatalf("an inactive key is shown as %q", got.Text)
	}
}
