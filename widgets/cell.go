package widgets

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// CellKind is what a table cell shows.
type CellKind int

// The kinds of cell.
const (
	CellText   CellKind = iota // a label
	CellLink                   // a hyperlink-styled action, such as "Manage"
	CellButton                 // a button, such as "Delete"
	CellCheck                  // a check box, such as a row's selection; Checked is its state
)

// Cell is a table cell that shows text, a link, a button or a check box, so that one
// cell template serves every column of a table. Row and Col say where it
// is, as the table last placed it.
type Cell struct {
	widget.BaseWidget

	Kind       CellKind
	Text       string
	Importance widget.Importance
	Row, Col   int
	OnTapped   func()        // for links and buttons, and check boxes when they change
	Checked    bool          // for check boxes
	Icon       fyne.Resource // for buttons: with no Text, an icon button

	Label  *widget.Label
	Link   *Link
	Button *Button
	Check  *widget.Check

	buttonBox *fyne.Container           // centres the button; shown and hidden in its place
	shown     cellLook                  // what the visible part shows
	placed    bool                      // a table has shown it (rather than measured it)
	highlight *canvas.Rectangle         // under the parts, while the cell's row is the one selected
	onScroll  func(*fyne.ScrollEvent)   // the wheel over the cell, for its table
	onHover   func(*desktop.MouseEvent) // the pointer over the cell, for its table
	onOut     func()                    // the pointer left the cell
	moved     uint64                    // when the table last placed it, by cellMoves
}

// cellMoves counts the moves of every cell. A table places each cell it
// shows on every refresh and scroll, and none it put aside: the cell moved
// last is on screen (Table.cellOrigin).
var cellMoves atomic.Uint64

// Move places the cell, and notes when.
func (c *Cell) Move(pos fyne.Position) {
	c.moved = cellMoves.Add(1)
	c.BaseWidget.Move(pos)
}

// MouseIn reports the pointer to the cell's table: under the pointer the
// deepest object that takes hover events gets them (here the cell, or its
// link), never the table around it.
func (c *Cell) MouseIn(ev *desktop.MouseEvent) { c.MouseMoved(ev) }

// MouseMoved reports the pointer to the cell's table.
func (c *Cell) MouseMoved(ev *desktop.MouseEvent) {
	if c.onHover != nil {
		c.onHover(ev)
	}
}

// MouseOut reports that the pointer left.
func (c *Cell) MouseOut() {
	if c.onOut != nil {
		c.onOut()
	}
}

// Scrolled passes the mouse wheel to the table the cell is in, which
// scrolls by rows.
func (c *Cell) Scrolled(ev *fyne.ScrollEvent) {
	if c.onScroll != nil {
		c.onScroll(ev)
	}
}

// Truncated tells whether the cell's text is cut short with "…": a
// label or link narrower than its text.
func (c *Cell) Truncated() bool {
	if c.Text == "" || (c.Kind != CellText && c.Kind != CellLink) {
		return false
	}
	full := fyne.MeasureText(c.Text, theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
	return full > c.Size().Width
}

// SetHighlighted shows the cell as part of the selected row, or not.
func (c *Cell) SetHighlighted(on bool) {
	if c.highlight.Visible() == on {
		return
	}
	c.highlight.Hidden = !on
	c.highlight.FillColor = theme.Color(theme.ColorNameSelection)
	c.highlight.Refresh()
}

// NewCell returns an empty text cell.
func NewCell() *Cell {
	watchTheme()
	c := &Cell{}
	c.Label = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	c.Link = &Link{}
	c.Link.OnTapped, c.Link.Truncation = c.tapped, fyne.TextTruncateEllipsis
	c.Link.ExtendBaseWidget(c.Link)
	c.Button = NewButton("", nil, widget.MediumImportance, c.tapped)
	c.Check = widget.NewCheck("", func(on bool) {
		c.Checked, c.shown.checked = on, on
		c.tapped()
	})
	c.buttonBox = container.NewCenter(c.Button)
	c.highlight = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	c.highlight.Hide()
	c.ExtendBaseWidget(c)
	c.show()
	return c
}

// Link is a cell's hyperlink: it reports the pointer over it to the cell's
// table (the deepest object under the pointer that takes hover events gets
// them, so the table would never hear of a pointer resting on a link).
type Link struct {
	widget.Hyperlink

	onHover func(*desktop.MouseEvent) // the pointer moved over the link
	onOut   func()                    // it left
}

// MouseIn reports the pointer.
func (l *Link) MouseIn(ev *desktop.MouseEvent) {
	l.Hyperlink.MouseIn(ev)
	if l.onHover != nil {
		l.onHover(ev)
	}
}

// MouseMoved reports the pointer.
func (l *Link) MouseMoved(ev *desktop.MouseEvent) {
	l.Hyperlink.MouseMoved(ev)
	if l.onHover != nil {
		l.onHover(ev)
	}
}

// MouseOut reports that the pointer left.
func (l *Link) MouseOut() {
	l.Hyperlink.MouseOut()
	if l.onOut != nil {
		l.onOut()
	}
}

func (c *Cell) tapped() {
	active()
	if c.OnTapped != nil {
		c.OnTapped()
	}
}

// SetCheck shows a check box at row and col, checked or not; onTapped is
// called when a person changes it, after Checked has followed.
func (c *Cell) SetCheck(row, col int, checked bool, onTapped func()) {
	c.Row, c.Col, c.Kind, c.Text, c.Checked, c.OnTapped = row, col, CellCheck, "", checked, onTapped
	c.show()
}

// Set shows text of the given kind at row and col; onTapped serves links
// and buttons.
func (c *Cell) Set(row, col int, kind CellKind, text string, importance widget.Importance, onTapped func()) {
	c.Row, c.Col, c.Kind, c.Text, c.Importance, c.OnTapped, c.Icon = row, col, kind, text, importance, onTapped, nil
	c.show()
}

// SetIconButton shows a button with only icon at row and col, such as a
// row's trash can.
func (c *Cell) SetIconButton(row, col int, icon fyne.Resource, importance widget.Importance, onTapped func()) {
	c.Row, c.Col, c.Kind, c.Text, c.Importance, c.OnTapped, c.Icon = row, col, CellButton, "", importance, onTapped, icon
	c.show()
}

// Refresh brings every part in line with the fields and redraws the cell,
// as a theme change needs.
func (c *Cell) Refresh() {
	c.shown = cellLook{}
	c.show()
	c.BaseWidget.Refresh()
}

// cellLook is what a cell's visible part shows.
type cellLook struct {
	kind       CellKind
	text       string
	importance widget.Importance
	icon       string // the icon's resource name
	checked    bool
	theme      uint64 // themeChanges when it was drawn
	set        bool   // false until the first show, and after Refresh
}

// themeChanges counts the app's settings changes. A theme change
// refreshes the cells on screen, but not those a table keeps aside for
// reuse: a cell drawn before the change redraws at its next Set even if
// it shows the same.
var themeChanges atomic.Uint64

// settingsWatched are the apps' settings whose changes themeChanges counts.
var settingsWatched sync.Map

// watchTheme counts the current app's settings changes, once an app.
func watchTheme() {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	settings := a.Settings()
	if _, seen := settingsWatched.LoadOrStore(settings, true); !seen {
		settings.AddListener(func(fyne.Settings) { themeChanges.Add(1) })
	}
}

// show brings the one visible part in line with the fields, and does
// nothing when it already shows them: a table sets every visible cell on
// each refresh, scroll and sort, and laying out a label's text (or
// decoding a check box's icon) again for the same look is most of what a
// refresh would cost. The callbacks follow the fields without a redraw.
func (c *Cell) show() {
	look := cellLook{kind: c.Kind, text: c.Text, importance: c.Importance, checked: c.Checked, theme: themeChanges.Load(), set: true}
	if c.Icon != nil {
		look.icon = c.Icon.Name()
	}
	if look == c.shown {
		return
	}
	c.shown = look
	var part fyne.CanvasObject
	c.Button.Text, c.Button.Icon = "", nil // hidden unless the cell is a button
	switch c.Kind {
	case CellCheck:
		c.Check.Checked, part = c.Checked, c.Check
	case CellLink:
		c.Link.Text, part = c.Text, c.Link
	case CellButton:
		c.Button.Text, c.Button.Importance, c.Button.Icon, part = c.Text, c.Importance, c.Icon, c.buttonBox
	default:
		c.Label.Text, c.Label.Importance, part = c.Text, c.Importance, c.Label
	}
	for _, o := range []fyne.CanvasObject{c.Label, c.Link, c.buttonBox, c.Check} {
		if o != part && o.Visible() {
			o.Hide()
		}
	}
	switch {
	case part == c.buttonBox:
		c.buttonBox.Show() // a container's Show does not redraw it
		c.Button.Refresh()
		c.buttonBox.Layout.Layout(c.buttonBox.Objects, c.buttonBox.Size()) // the button's size follows its icon and text
	case !part.Visible():
		part.Show() // which refreshes the widget
	default:
		part.Refresh()
	}
}

// CreateRenderer stacks the three parts; only one is visible, but the cell
// is as tall as the tallest, so that a table's rows fit buttons whatever
// its template shows.
func (c *Cell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(allPartsLayout{}, c.highlight, c.Label, c.Link, c.buttonBox, c.Check))
}

// allPartsLayout stacks its objects over the whole area and is as large as
// the largest of them, visible or not.
type allPartsLayout struct{}

func (allPartsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (allPartsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for _, o := range objects {
		min = min.Max(o.MinSize())
	}
	return min
}
