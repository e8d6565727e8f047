package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// CellKind is what a table cell shows.
type CellKind int

// The kinds of cell.
const (
	CellText   CellKind = iota // a label
	CellLink                   // a hyperlink-styled action, such as "Manage"
	CellButton                 // a button, such as "Delete"
)

// Cell is a table cell that shows text, a link or a button, so that one
// cell template serves every column of a table. Row and Col say where it
// is, as the table last placed it.
type Cell struct {
	widget.BaseWidget

	Kind       CellKind
	Text       string
	Importance widget.Importance
	Row, Col   int
	OnTapped   func() // for links and buttons

	Label  *widget.Label
	Link   *widget.Hyperlink
	Button *widget.Button

	buttonBox *fyne.Container // centres the button; shown and hidden in its place
}

// NewCell returns an empty text cell.
func NewCell() *Cell {
	c := &Cell{}
	c.Label = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	c.Link = &widget.Hyperlink{OnTapped: c.tapped, Truncation: fyne.TextTruncateEllipsis}
	c.Button = &widget.Button{OnTapped: c.tapped}
	c.buttonBox = container.NewCenter(c.Button)
	c.ExtendBaseWidget(c)
	c.update()
	return c
}

func (c *Cell) tapped() {
	if c.OnTapped != nil {
		c.OnTapped()
	}
}

// Set shows text of the given kind at row and col; onTapped serves links
// and buttons.
func (c *Cell) Set(row, col int, kind CellKind, text string, importance widget.Importance, onTapped func()) {
	c.Row, c.Col, c.Kind, c.Text, c.Importance, c.OnTapped = row, col, kind, text, importance, onTapped
	c.Refresh()
}

// Refresh brings the parts in line with the fields.
func (c *Cell) Refresh() {
	c.update()
	c.BaseWidget.Refresh()
}

func (c *Cell) update() {
	c.Label.Hide()
	c.Link.Hide()
	c.buttonBox.Hide()
	c.Button.Text = ""
	switch c.Kind {
	case CellLink:
		c.Link.SetText(c.Text)
		c.Link.Show()
	case CellButton:
		c.Button.Text, c.Button.Importance = c.Text, c.Importance
		c.Button.Refresh()
		c.buttonBox.Show()
	default:
		c.Label.Text, c.Label.Importance = c.Text, c.Importance
		c.Label.Refresh()
		c.Label.Show()
	}
}

// CreateRenderer stacks the three parts; only one is visible, but the cell
// is as tall as the tallest, so that a table's rows fit buttons whatever
// its template shows.
func (c *Cell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(allPartsLayout{}, c.Label, c.Link, c.buttonBox))
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
