package console

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/clocktest"
)

func TestSetup(t *testing.T) {
	e := newEnv(t)
	e.c.Start()
	root := e.w.Canvas().Content()
	entries := all[*widget.Entry](root)
	if len(entries) != 5 || !strings.Contains(labelText(root), "Keyward keeps this account's data in "+e.store.Location()) {
		t.Fatalf("the setup form has %d entries: %s", len(entries), labelText(root))
	}
	fill := func(values ...string) {
		for i, v := range values {
			entries[i].SetText("")
			test.Type(entries[i], v)
		}
		test.Tap(button(t, root, "Create account"))
	}
	fill("Acme", "Ada Owner", "ada@example.com", ownerPassword, "another password!")
	if got := e.visibleErrors(); got != "The two passwords differ: type the same password twice." {
		t.Fatalf("mismatched passwords: %q", got)
	}
	fill("Acme", "Ada Owner", "ada@example.com", "too short", "too short")
	if got := e.visibleErrors(); !strings.Contains(got, "at least 12 characters") {
		t.Fatalf("short password: %q", got)
	}
	fill("Acme", "Ada Owner", "not an email", ownerPassword, ownerPassword)
	if got := e.visibleErrors(); !strings.Contains(got, "is not an email address") {
		t.Fatalf("bad email: %q", got)
	}
	if e.store.Initialized() {
		t.Fatal("a refused setup created the account")
	}
	fill("Acme", "Ada Owner", "ada@example.com", ownerPassword, ownerPassword)
	if e.c.access == nil || e.c.user.Email != "ada@example.com" || e.c.user.Role != data.RoleOwner {
		t.Fatalf("after setup: signed in as %+v", e.c.user)
	}
	sessions, _ := e.store.SessionLog(data.LogQuery{})
	if len(sessions) != 1 || sessions[0].Action != data.SignInSucceeded || sessions[0].UserAgent != "Keyward test console on "+runtime.GOOS {
		t.Fatalf("session log = %+v", sessions)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.c.Start()
	e.typeSignIn("ada@example.com", "the wrong password")
	wrong := e.visibleErrors()
	if wrong != "The email or password is incorrect. Try again in 1 s." || e.c.access != nil {
		t.Fatalf("wrong password: %q", wrong)
	}
	signIn := button(t, e.w.Canvas().Content(), "Sign in")
	if !signIn.Disabled() {
		t.Fatal("Sign in is not held back after a failure")
	}
	e.clock.Advance(time.Second)
	if signIn.Disabled() {
		t.Fatal("Sign in stays disabled")
	}
	// An unknown email gets the same answer; repeated failures wait longer.
	e.typeSignIn("nobody@example.com", ownerPassword)
	if got := e.visibleErrors(); got != "The email or password is incorrect. Try again in 2 s." {
		t.Fatalf("unknown email: %q", got)
	}
	e.clock.Advance(2 * time.Second)
	// A Logs Viewer is told why they cannot sign in.
	e.typeSignIn("lou@example.com", ownerPassword)
	if got := e.visibleErrors(); !strings.Contains(got, "Logs Viewer users use the REST API only and cannot sign in") || e.c.access != nil {
		t.Fatalf("Logs Viewer: %q", got)
	}
	// Enter in the password field submits.
	entries := all[*widget.Entry](e.w.Canvas().Content())
	entries[0].SetText("ADA@example.com")
	entries[1].SetText("")
	test.Type(entries[1], ownerPassword)
	entries[1].TypedKey(&fyneKeyReturn)
	if e.c.access == nil || e.c.user.Name != "Ada Owner" {
		t.Fatalf("right password: %q", e.visibleErrors())
	}
	sessions, _ := e.store.SessionLog(data.LogQuery{})
	want := []string{data.SignInSucceeded, data.SignInRefusedLogsViewer, data.SignInFailed, data.SignInFailed}
	if len(sessions) != len(want) {
		t.Fatalf("session log: %+v", sessions)
	}
	for i, s := range sessions {
		if s.Action != want[i] {
			t.Errorf("session %d: %s, want %s", i, s.Action, want[i])
		}
	}
	// Sign out returns to the form.
	test.Tap(e.c.access.signOut)
	if e.c.access != nil || len(all[*widget.Entry](e.w.Canvas().Content())) != 2 {
		t.Fatal("Sign out did not return to the sign-in form")
	}
}

func TestWindowSizeIsRemembered(t *testing.T) {
	e := newEnv(t)
	if got := e.w.Canvas().Size(); got != defaultSize {
		t.Fatalf("first size = %v, want %v", got, defaultSize)
	}
	e.w.Resize(fyne.NewSize(1200, 800))
	e.c.saveSize()
	again := New(e.a, e.a.NewWindow(Title), e.store, newFakeAPI(), Options{Clock: e.clock})
	defer again.Close()
	if got := again.win.Canvas().Size(); got != fyne.NewSize(1200, 800) {
		t.Fatalf("the next window is %v, want 1200x800", got)
	}
}

// TestSetupAfterAnUnfinishedRestore: on a store a restore stopped in the
// middle of, the setup form says so at once, its Create account is
// disabled, and creating an account there is refused.
func TestSetupAfterAnUnfinishedRestore(t *testing.T) {
	from := newEnv(t).withAccount(true)
	var buf bytes.Buffer
	if _, err := from.store.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	backup, err := data.ReadBackup(&buf)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := openMemoryStore(t)
	b, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	halted, err := data.Open(backendtest.Halting(b, 1), data.Options{SealKeyFile: filepath.Join(t.TempDir(), "seal.key")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := halted.Restore(backup, nil); err == nil {
		t.Fatal("the restore finished")
	}
	halted.Close()
	b, err = m.Open()
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(b, data.Options{Now: clocktest.New().Now, FlushInterval: time.Hour, SealKeyFile: filepath.Join(t.TempDir(), "seal.key")})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, store)
	small := fyne.NewSize(1024, 600)
	e.w.Resize(small)
	e.c.Start()
	checkFits(t, "the setup form on an unfinished restore", e.w.Canvas().Content(), small)
	const unfinished = "holds part of a restore of the account Acme"
	if got := e.visibleErrors(); !strings.Contains(got, unfinished) || !strings.Contains(got, "run the same restore") {
		t.Fatalf("the setup form on an unfinished restore says %q", got)
	}
	root := e.w.Canvas().Content()
	for i, v := range []string{"Other", "Olga Owner", "olga@example.com", ownerPassword, ownerPassword} {
		test.Type(all[*widget.Entry](root)[i], v)
	}
	create := button(t, root, "Create account")
	if !create.Disabled() {
		t.Fatal("Create account is enabled on an unfinished restore")
	}
	for _, l := range all[*widget.Label](root) {
		if l.Visible() && strings.HasPrefix(l.Text, "Keyward keeps this account's data in") {
			t.Fatalf("the setup form on an unfinished restore shows %q below the message that names the place", l.Text)
		}
	}
	test.Tap(create)
	all[*widget.Entry](root)[4].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter in the form
	if got := e.visibleErrors(); !strings.Contains(got, unfinished) || e.store.Initialized() {
		t.Fatalf("creating an account over an unfinished restore: %q, initialized %v", got, e.store.Initialized())
	}
}
