package console

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/data/clocktest"
)

// openBackupDialog taps About, then Back up now, with the file dialog
// opening in dir, and returns the file dialog and its file name entry.
func (e *env) openBackupDialog(dir string) (fyne.CanvasObject, *widget.Entry) {
	e.t.Helper()
	folder, err := storage.ListerForURI(storage.NewFileURI(dir))
	e.must(err)
	e.c.backupFolder = folder
	test.Tap(e.c.access.about)
	test.Tap(button(e.t, e.top(), "Back up now…"))
	fd := e.top()
	entries := all[*widget.Entry](fd)
	if len(entries) != 1 {
		e.t.Fatalf("the file dialog has %d entries", len(entries))
	}
	return fd, entries[0]
}

// saveAs types name into the file dialog and taps Save.
func (e *env) saveAs(fd fyne.CanvasObject, name *widget.Entry, file string) {
	e.t.Helper()
	name.SetText("")
	test.Type(name, file)
	test.Tap(button(e.t, fd, "Save"))
}

// readBackup reads and checks the backup file at path.
func readBackup(t *testing.T, path string) *data.Backup {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := data.ReadBackup(f)
	if err != nil {
		t.Fatalf("%s is not a valid backup: %v", path, err)
	}
	return b
}

// assertPrivate fails unless only its owner can read the file at path.
func assertPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
}

// TestBackUpNow drives About → Back up now → Fyne's save dialog, and
// checks the file and what the console says of it.
func TestBackUpNow(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "ci-deploy-key", "vic@example.com"))
	e.signIn("ada@example.com")
	dir := t.TempDir()
	fd, name := e.openBackupDialog(dir)
	if want := data.BackupName("Acme", clocktest.Start); name.Text != want {
		t.Fatalf("the suggested name is %q, want %q", name.Text, want)
	}
	e.saveAs(fd, name, "acme.backup")

	path := filepath.Join(dir, "acme.backup")
	assertPrivate(t, path)
	b := readBackup(t, path)
	if b.Info.Account != "Acme" || b.Info.Records < 6 || !b.Info.AccountKeySealed {
		t.Fatalf("the backup holds %+v", b.Info)
	}
	said := labelText(e.top())
	for _, want := range []string{
		"Backed up " + data.Count(b.Info.Records, "record", "records") + " of the account Acme to", path,
		"The account key is in it sealed, and its seal key is not: keep a copy of the seal key file " + e.store.SealKeyFile() + " too, apart from the backup.",
		"Restoring needs it to recover the account key; without it, a new account key can be issued.",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("the result lacks %q:\n%s", want, said)
		}
	}
	if e.store.SealKeyFile() == "" {
		t.Fatal("the store has no seal key file")
	}
	e.escape() // the result
	e.escape() // About
	if len(e.c.dialogs) != 0 {
		t.Fatalf("%d dialogs are still up", len(e.c.dialogs))
	}

	// Over an existing file, which Fyne reopens with its mode, after
	// asking.
	old := filepath.Join(dir, "old.backup")
	e.must(os.WriteFile(old, []byte("an older backup"), 0o644))
	fd, name = e.openBackupDialog(dir)
	e.saveAs(fd, name, "old.backup")
	test.Tap(button(t, e.w.Canvas().Overlays().Top(), "Yes")) // Overwrite?
	assertPrivate(t, old)
	if readBackup(t, old).Info.Records != b.Info.Records {
		t.Fatal("the second backup differs")
	}
}

// TestBackUpNowWithoutAccountKey: with the API never enabled there is no
// account key, and nothing to say of the seal key.
func TestBackUpNowWithoutAccountKey(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.signIn("ada@example.com")
	dir := t.TempDir()
	fd, name := e.openBackupDialog(dir)
	e.saveAs(fd, name, "acme.backup")
	if b := readBackup(t, filepath.Join(dir, "acme.backup")); b.Info.AccountKeySealed {
		t.Fatalf("the backup holds %+v", b.Info)
	}
	if said := labelText(e.top()); !strings.Contains(said, "Backed up") || strings.Contains(said, "seal key") {
		t.Fatalf("the result says %q", said)
	}
}

// TestBackUpNowErrors: a file that cannot be created, or a backup that
// cannot be taken, is an error dialog, and leaves no empty file behind.
func TestBackUpNowErrors(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.signIn("ada@example.com")

	dir := filepath.Join(t.TempDir(), "gone")
	e.must(os.Mkdir(dir, 0o700))
	fd, name := e.openBackupDialog(dir)
	e.must(os.Remove(dir))
	e.saveAs(fd, name, "acme.backup")
	if said := labelText(e.top()); !strings.Contains(said, "Could not create the backup file") {
		t.Fatalf("a folder that went away: %q", said)
	}
	e.escape()
	e.escape()

	dir = t.TempDir()
	fd, name = e.openBackupDialog(dir)
	e.must(e.store.Close())
	e.saveAs(fd, name, "acme.backup")
	if said := labelText(e.top()); !strings.Contains(said, "The data store is closed.") {
		t.Fatalf("a closed store: %q", said)
	}
	if _, err := os.Lstat(filepath.Join(dir, "acme.backup")); !os.IsNotExist(err) {
		t.Fatalf("the failed backup left a file behind: %v", err)
	}
}

// TestBackUpNowOnlyForOwners: other roles are not offered it.
func TestBackUpNowOnlyForOwners(t *testing.T) {
	for _, email := range []string{"vic@example.com", "max@example.com"} {
		e := newEnv(t).withAccount(true)
		e.signIn(email)
		test.Tap(e.c.access.about)
		if hasButton(e.top(), "Back up now…") || strings.Contains(labelText(e.top()), "keyward restore") {
			t.Errorf("%s is offered a backup", email)
		}
	}
}
