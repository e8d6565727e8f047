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
	if ev.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut passes modified letter keys (Ctrl+N, Ctrl+F…) to the
// canvas the entry is on, and every other shortcut (copy, paste, undo,
// Ctrl+arrow word moves…) to the entry.
func (e *Entry) TypedShortcut(s fyne.Shortcut) {
	custom, ok := s.(*desktop.CustomShortcut)
	if !ok || len(custom.KeyName) != 1 || custom.KeyName[0] < 'A' || custom.KeyName[0] > 'Z' {
		e.Entry.TypedShortcut(s)
		return
	}
	if c, ok := fyne.CurrentApp().Driver().CanvasForObject(e).(interface{ TypedShortcut(fyne.Shortcut) }); ok {
		c.TypedShortcut(s)
	}
}
