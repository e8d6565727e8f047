package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"keyward/data"
	"keyward/data/badger"
)

func TestStartupErrorWhenAlreadyOpen(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	held, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, err = badger.OpenStore(dir, data.Options{})
	quits := 0
	w := StartupError(a, dir, err, func() { quits++ })
	defer w.Close()
	if w.Title() != "Keyward is already open" || !strings.Contains(labelText(w.Content()), "Keyward is already open with this data ("+dir+")") {
		t.Fatalf("the window says %q: %s", w.Title(), labelText(w.Content()))
	}
	test.Tap(button(t, w.Content(), "Quit"))
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if quits != 3 {
		t.Fatalf("Quit, Enter and Escape quit %d times, want 3", quits)
	}
}

func TestStartupErrorOther(t *testing.T) {
	a := test.NewTempApp(t)
	w := StartupError(a, "/nowhere", data.Errorf(data.EInternal, "Could not open the data directory /nowhere: permission denied"), func() {})
	defer w.Close()
	if w.Title() != "Keyward cannot open its data" || !strings.Contains(labelText(w.Content()), "permission denied") {
		t.Fatalf("the window says %q", labelText(w.Content()))
	}
}

// damagedDataDir returns a data directory whose Badger MANIFEST is gone
// while its records remain, and the error opening it gives.
func damagedDataDir(t *testing.T) (string, error) {
	dir := t.TempDir()
	s, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: ownerPassword}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	manifests, _ := filepath.Glob(filepath.Join(dir, "*", "MANIFEST"))
	if len(manifests) != 1 {
		t.Fatalf("MANIFEST files: %v", manifests)
	}
	if err := os.Remove(manifests[0]); err != nil {
		t.Fatal(err)
	}
	_, err = badger.OpenStore(dir, data.Options{})
	return dir, err
}

func TestStartupErrorTitles(t *testing.T) {
	damagedDir, damaged := damagedDataDir(t)
	full := &data.Error{Code: data.EInternal, Err: data.ErrFull, Message: "The disk that holds the data directory /data is full. Nothing was changed; free some space and try again."}
	for _, tc := range []struct {
		name, dir string
		err       error
		title     string
		says      []string
	}{
		{"damaged", damagedDir, damaged, "Keyward's data is damaged", []string{"is damaged", "Nothing was changed", "keyward restore"}},
		{"full", "/data", full, "The disk is full", []string{"free some space"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			w := StartupError(a, tc.dir, tc.err, func() {})
			defer w.Close()
			text := labelText(w.Content())
			if w.Title() != tc.title || !strings.Contains(text, tc.title) {
				t.Fatalf("the window is titled %q: %s", w.Title(), text)
			}
			for _, want := range tc.says {
				if !strings.Contains(text, want) {
					t.Errorf("the window lacks %q: %s", want, text)
				}
			}
		})
	}
}
