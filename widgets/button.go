package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Button is a widget.Button that works from the keyboard as well as a
// widget.Button works with the pointer:
//   - Enter and Return press it, as Space does;
//   - Escape is reported (OnEscape), so that a dialog can be cancelled
//     while one of its buttons has the focus;
//   - the focused button draws a ring around itself. widget.Button shows
//     focus by blending its fill with the focus colour, which on a primary
//     (blue) button differs from its unfocused self by a few RGB units.
type Button struct {
	widget.Button

	OnEscape func() // Escape was pressed on the button

	focused bool
}

// NewButton returns a button with text, an optional icon and importance
// that calls tapped when pressed.
func NewButton(text string, icon fyne.Resource, importance widget.Importance, tapped func()) *Button {
	b := &Button{}
	b.Text, b.Icon, b.Importance, b.OnTapped = text, icon, importance, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter, Return and Space, and reports
// Escape.
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	active()
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.Button.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	case fyne.KeyEscape:
		if b.OnEscape != nil {
			b.OnEscape()
		}
	default:
		b.Button.TypedKey(ev)
	}
}

// Tapped presses the button.
func (b *Button) Tapped(ev *fyne.PointEvent) {
	active()
	b.Button.Tapped(ev)
}

// FocusGained shows the ring.
func (b *Button) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
}

// FocusLost hides the ring.
func (b *Button) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
}

// Focused tells whether the button has the keyboard focus.
func (b *Button) Focused() bool { return b.focused }

// CreateRenderer draws the button as widget.Button does, with the focus
// ring over it.
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	return newFocusRing(b.Button.CreateRenderer(), b.Focused)
}

// ringGap is how far outside its widget the focus ring is drawn, so that
// it stands apart from a filled button of the same colour.
const ringGap = 3

// focusRing wraps a widget's renderer with a ring drawn around the widget
// while focused() is true.
type focusRing struct {
	fyne.WidgetRenderer
	ring    *canvas.Rectangle
	focused func() bool
}

func newFocusRing(r fyne.WidgetRenderer, focused func() bool) *focusRing {
	f := &focusRing{WidgetRenderer: r, ring: canvas.NewRectangle(nil), focused: focused}
	f.ring.StrokeWidth = 2
	f.update()
	return f
}

// Objects are the widget's own, then the ring.
func (f *focusRing) Objects() []fyne.CanvasObject {
	objects := f.WidgetRenderer.Objects()
	return append(objects[:len(objects):len(objects)], f.ring)
}

// Layout lays the widget out and puts the ring around it.
func (f *focusRing) Layout(size fyne.Size) {
	f.WidgetRenderer.Layout(size)
	f.ring.Move(fyne.NewPos(-ringGap, -ringGap))
	f.ring.Resize(size.AddWidthHeight(2*ringGap, 2*ringGap))
}

// Refresh redraws the widget and shows or hides the ring.
func (f *focusRing) Refresh() {
	f.WidgetRenderer.Refresh()
	f.update()
	f.ring.Refresh()
}

func (f *focusRing) update() {
	f.ring.StrokeColor = theme.Color(theme.ColorNamePrimary)
	f.ring.CornerRadius = theme.Size(theme.SizeNameInputRadius) + ringGap
	f.ring.Hidden = !f.focused()
}

// DialogKeys are the Escape and Enter a selector or check box reports
// rather than ignores, so that a dialog can be cancelled or confirmed
// while one of them has the focus.
type DialogKeys struct {
	OnEscape func() // Escape was pressed on the control
	OnEnter  func() // Enter or Return was pressed on it
}

// report calls the handler of ev, telling whether there was one; the
// control takes the keys it does not report.
func (k *DialogKeys) report(ev *fyne.KeyEvent) bool {
	active()
	switch {
	case ev.Name == fyne.KeyEscape && k.OnEscape != nil:
		k.OnEscape()
	case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && k.OnEnter != nil:
		k.OnEnter()
	default:
		return false
	}
	return true
}

// Select is a widget.Select that reports Escape and Enter (DialogKeys).
type Select struct {
	widget.Select
	DialogKeys
}

// NewSelect returns a selector of options that calls changed when the
// choice changes.
func NewSelect(options []string, changed func(string)) *Select {
	s := &Select{}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

// Tapped opens the list of choices.
func (s *Select) Tapped(ev *fyne.PointEvent) {
	active()
	s.Select.Tapped(ev)
}

// TypedKey reports Escape and Enter and passes every other key on.
func (s *Select) TypedKey(ev *fyne.KeyEvent) {
	if !s.report(ev) {
		s.Select.TypedKey(ev)
	}
}

// Check is a widget.Check that reports Escape and Enter (DialogKeys).
type Check struct {
	widget.Check
	DialogKeys
}

// NewCheck returns a check box labelled text that calls changed when a
// person changes it.
func NewCheck(text string, changed func(bool)) *Check {
	c := &Check{}
	c.Text, c.OnChanged = text, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey reports Escape and Enter and passes every other key on.
func (c *Check) TypedKey(ev *fyne.KeyEvent) {
	if !c.report(ev) {
		c.Check.TypedKey(ev)
	}
}
