package console

import (
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
