package console

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keyward/widgets"
)

// rect is an area of the window.
type rect struct{ x0, y0, x1, y1 float32 }

func (r rect) intersect(o rect) rect {
	return rect{max(r.x0, o.x0), max(r.y0, o.y0), min(r.x1, o.x1), min(r.y1, o.y1)}
}

func (r rect) empty() bool { return r.x1 <= r.x0 || r.y1 <= r.y0 }

func (r rect) String() string { return fmt.Sprintf("(%.0f,%.0f)-(%.0f,%.0f)", r.x0, r.y0, r.x1, r.y1) }

// control is a control as drawn: what is seen of it, inside the scrolls
// that hold it.
type control struct {
	name string
	seen rect
}

// drawnControls returns the controls under root and the part of each the
// window shows, clipped by the scroll containers around it.
func drawnControls(root fyne.CanvasObject) []control {
	d := fyne.CurrentApp().Driver()
	var out []control
	var walk func(o fyne.CanvasObject, clip rect)
	walk = func(o fyne.CanvasObject, clip rect) {
		if o == nil || !o.Visible() {
			return
		}
		pos, size := d.AbsolutePositionForObject(o), o.Size()
		r := rect{pos.X, pos.Y, pos.X + size.Width, pos.Y + size.Height}
		name := ""
		switch x := o.(type) {
		case *widget.Label:
			if x.Text != "" {
				name = "label " + x.Text
			}
		case *widget.Entry:
			name = "entry " + x.PlaceHolder
		case *widgets.Entry:
			name = "entry " + x.PlaceHolder
		case *widgets.Select:
			name = "selector " + x.PlaceHolder
		case *widget.Select:
			name = "selector"
		case *widgets.Button:
			name = "button " + x.Text
		case *widget.Button:
			name = "button " + x.Text
		case *widgets.Check:
			name = "check " + x.Text
		case *widget.Hyperlink:
			name = "link " + x.Text
		}
		if name != "" {
			if seen := r.intersect(clip); !seen.empty() {
				out = append(out, control{name, seen})
			}
			return
		}
		if _, ok := o.(*container.Scroll); ok {
			clip = clip.intersect(r)
		}
		for _, c := range children(o) {
			walk(c, clip)
		}
	}
	walk(root, rect{-1e6, -1e6, 1e6, 1e6})
	return out
}

// checkFits fails t if a control of root reaches outside the window or
// overlaps another.
func checkFits(t *testing.T, what string, root fyne.CanvasObject, window fyne.Size) {
	t.Helper()
	controls := drawnControls(root)
	if len(controls) == 0 {
		t.Fatalf("%s: no controls found", what)
	}
	win := rect{0, 0, window.Width, window.Height}
	for i, c := range controls {
		if c.seen.intersect(win) != c.seen {
			t.Errorf("%s: the %s at %s reaches outside the %.0f×%.0f window", what, c.name, c.seen, window.Width, window.Height)
		}
		for _, o := range controls[i+1:] {
			if !c.seen.intersect(o.seen).empty() {
				t.Errorf("%s: the %s at %s overlaps the %s at %s", what, c.name, c.seen, o.name, o.seen)
			}
		}
	}
}

// At 1024×600, the smallest window the console supports, every dialog and
// form fits, and nothing is drawn over anything else.
func TestDialogsFitA600PixelWindow(t *testing.T) {
	small := fyne.NewSize(1024, 600)
	e := newEnv(t)
	e.w.Resize(small)
	e.c.Start()
	checkFits(t, "the setup form", e.w.Canvas().Content(), small)

	e = newEnv(t).withAccount(true)
	e.w.Resize(small)
	e.signIn("ada@example.com")
	test := func(what string, open func()) {
		open()
		checkFits(t, what, e.top(), small)
		e.c.closeDialogs()
	}
	test("Settings", e.c.showSettings)
	test("Add API user key", e.c.showAddKeyDialog)
	test("About", e.c.showAbout)
	e.showTab("Team")
	test("Add user", func() { e.c.showUserDialog(nil) })
	u := e.user("vic@example.com")
	test("Edit user", func() { e.c.showUserDialog(&u) })
	e.signIn("vic@example.com")
	test("a Viewer's Settings", e.c.showSettings)
}
