package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Entry is a widget.Entry that reports the Escape key, which widget.Entry
// ignores, so that a dialog can be cancelled while one of its fields has
// the focus.
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

// NewPasswordEntry returns an entry that hides what is typed.
func NewPasswordEntry() *Entry {
	e := NewEntry()
	e.Password = true
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
