package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Entry is a widget.Entry that reports the Escape key, which widget.Entry
// ignores, so that a dialog can be cancelled while one of its fields has
// the focus; and that passes the window's own shortcuts (Ctrl+N and the
// like), which the focused widget would otherwise swallow, on to the window.
type Entry struct {
	widget.Entry

	OnEscape func() // Escape was pressed in the entry
}

// NewEntry returns an empty single-line entry.
func NewEntry() *Entry {
	e := &Entry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey reports Escape and passes every other key to the entry.
func (e *Entry) TypedKey(ev *fyne.KeyEvent) {
	active()
	if ev.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedRune types r.
func (e *Entry) TypedRune(r rune) {
	active()
	e.Entry.TypedRune(r)
}

// TypedShortcut passes the window's shortcuts — modified letters and
// digits (Ctrl+N, Ctrl+F, Ctrl+1…), Ctrl+Tab and Ctrl+Page Up/Down — to
// the canvas the entry is on, and every other shortcut (copy, paste,
// undo, Ctrl+arrow word moves…) to the entry.
func (e *Entry) TypedShortcut(s fyne.Shortcut) {
	active()
	custom, ok := s.(*desktop.CustomShortcut)
	if !ok || !IsWindowShortcut(custom) {
		e.Entry.TypedShortcut(s)
		return
	}
	if c, ok := fyne.CurrentApp().Driver().CanvasForObject(e).(interface{ TypedShortcut(fyne.Shortcut) }); ok {
		c.TypedShortcut(s)
	}
}

// IsWindowShortcut tells the shortcuts that belong to the window rather
// than to a text field.
func IsWindowShortcut(s *desktop.CustomShortcut) bool {
	switch k := s.KeyName; {
	case len(k) == 1 && ('A' <= k[0] && k[0] <= 'Z' || '0' <= k[0] && k[0] <= '9'):
		return true
	case k == fyne.KeyTab, k == fyne.KeyPageUp, k == fyne.KeyPageDown:
		return s.Modifier&fyne.KeyModifierControl != 0
	}
	return false
}
