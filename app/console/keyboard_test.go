package console

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// press types a shortcut as the driver does: to the focused widget when it
// handles shortcuts, to the canvas otherwise.
func (e *env) press(s fyne.Shortcut) {
	if f, ok := e.w.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	e.w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(s)
}

func TestShortcutAddOpensAdd(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.showTab("Team")
	e.press(shortcutAdd)
	if len(e.c.dialogs) != 1 || e.c.access.tabs.Selected().Text != "API Keys" || !hasButton(e.top(), "Create") {
		t.Fatal("Ctrl+N did not open Add on the API Keys tab")
	}
	// With a dialog up, it does nothing more.
	e.press(shortcutAdd)
	if len(e.c.dialogs) != 1 {
		t.Fatal("Ctrl+N opened a second dialog")
	}
	e.escape()
	// From the filter field too: the entry passes the shortcut on.
	e.w.Canvas().Focus(e.c.access.keys.filter)
	e.press(shortcutAdd)
	if len(e.c.dialogs) != 1 {
		t.Fatal("Ctrl+N from the filter did not open Add")
	}
}

func TestShortcutAddNeedsAnOwner(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("vic@example.com")
	e.press(shortcutAdd)
	if len(e.c.dialogs) != 0 {
		t.Fatal("Ctrl+N opened Add for a Viewer")
	}
}

func TestShortcutFilterFocusesTheFilter(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.press(shortcutFilter)
	if e.w.Canvas().Focused() != e.c.access.keys.filter {
		t.Fatal("Ctrl+F on API Keys did not focus its filter")
	}
	e.showTab("System Log")
	e.press(shortcutFilter)
	if e.w.Canvas().Focused() != e.c.access.log.filter {
		t.Fatal("Ctrl+F on System Log did not focus its filter")
	}
	// The entry's own shortcuts stay the entry's: Ctrl+A selects its text.
	test.Type(e.c.access.log.filter, "abc")
	e.press(&fyne.ShortcutSelectAll{})
	if e.c.access.log.filter.SelectedText() != "abc" {
		t.Fatal("Ctrl+A in the filter did not select its text")
	}
	// Ctrl+Left moves by word in the entry rather than reaching the window.
	e.press(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierShortcutDefault})
	if e.c.access.log.filter.CursorColumn != 0 {
		t.Fatalf("Ctrl+Left left the cursor at %d", e.c.access.log.filter.CursorColumn)
	}
}

func TestTabOrderOfTheSignInForm(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.c.Start()
	entries := all[*widget.Entry](e.w.Canvas().Content())
	if e.w.Canvas().Focused() != entries[0] {
		t.Fatal("the email field does not start with the focus")
	}
	test.FocusNext(e.w.Canvas())
	if e.w.Canvas().Focused() != entries[1] {
		t.Fatal("Tab from the email does not reach the password")
	}
	test.FocusNext(e.w.Canvas())
	if e.focused() != button(t, e.w.Canvas().Content(), "Sign in") {
		t.Fatalf("Tab from the password reaches %T, not Sign in", e.w.Canvas().Focused())
	}
}

// TestTabReachesEveryControlOfAddKey walks the Add dialog with Tab.
func TestTabReachesEveryControlOfAddKey(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.press(shortcutAdd)
	d := e.top()
	name := all[*widgets.Entry](d)[0]
	if e.w.Canvas().Focused() != name {
		t.Fatal("Add does not open with the focus on the key name")
	}
	var order []any
	for range 4 {
		test.FocusNext(e.w.Canvas())
		order = append(order, e.focused())
	}
	sels := all[*widgets.Select](d)
	if order[0] != sels[0] || order[1] != sels[1] || order[2] != button(t, d, "Cancel") {
		t.Fatalf("Tab order from the name: %T, %T, %T (want the user, the expiry, Cancel)", order[0], order[1], order[2])
	}
}

// looksFocused tells whether the entry draws itself focused: the border in
// the primary colour, with the blinking cursor that repaints the window
// many times a second.
func looksFocused(e fyne.Widget) bool {
	primary := theme.Color(theme.ColorNamePrimary)
	for _, r := range all[*canvas.Rectangle](e) {
		if r.StrokeWidth > 0 && r.StrokeColor == primary {
			return true
		}
	}
	return false
}

// An entry that had the keyboard when its screen or dialog went away must
// stop looking focused: otherwise its cursor blinks on out of sight and the
// idle window keeps repainting (it cost 6% of a core, and 20 MB in the
// first idle minute).
func TestFocusEndsWithTheScreenOrDialog(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.c.Start()
	entries := all[*widget.Entry](e.w.Canvas().Content())
	email, password := entries[0], entries[1]
	test.Type(email, "ada@example.com")
	e.w.Canvas().Focus(password)
	test.Type(password, ownerPassword)
	if !looksFocused(password) {
		t.Fatal("the focused password field does not look focused: the test cannot see focus")
	}
	password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.c.access == nil {
		t.Fatalf("Enter did not sign in: %s", e.visibleErrors())
	}
	if looksFocused(password) || looksFocused(email) {
		t.Fatal("the sign-in form's field still looks focused after sign-in")
	}

	// Escape typed into the Add dialog's name field closes the dialog.
	e.press(shortcutAdd)
	name := e.w.Canvas().Focused().(*widgets.Entry)
	test.Type(name, "ci-key")
	name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(e.c.dialogs) != 0 {
		t.Fatal("Escape in the name field did not close Add")
	}
	if looksFocused(name) {
		t.Fatal("the closed Add dialog's name field still looks focused")
	}

	// Ctrl+N from the System Log's filter switches to API Keys.
	e.showTab("System Log")
	e.press(shortcutFilter)
	e.press(shortcutAdd)
	e.escape()
	if looksFocused(e.c.access.log.filter) {
		t.Fatal("the System Log's filter still looks focused on the API Keys tab")
	}

	// A dialog closed because the signed-in user's role changed: Ada
	// becomes a Viewer while typing a key name.
	_, err := e.store.AddUser(data.CommandLine, data.NewUser{Name: "Olga Owner", Email: "olga@example.com", Role: data.RoleOwner, Password: ownerPassword})
	e.must(err)
	e.press(shortcutAdd)
	name = e.w.Canvas().Focused().(*widgets.Entry)
	test.Type(name, "ci-key")
	e.setRole("ada@example.com", data.RoleViewer)
	if len(e.c.dialogs) != 0 || e.c.user.Role != data.RoleViewer {
		t.Fatal("the role change did not reopen the window without the dialog")
	}
	if looksFocused(name) {
		t.Fatal("the Add dialog's name field still looks focused after the role change closed it")
	}

	// Signing out from the focused filter.
	e.press(shortcutFilter)
	filter := e.c.access.keys.filter
	test.Tap(button(t, e.w.Canvas().Content(), "Sign out"))
	if e.c.access != nil || looksFocused(filter) {
		t.Fatal("the filter still looks focused on the sign-in form")
	}
}
