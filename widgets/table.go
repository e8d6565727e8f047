package widgets

import (
	"image/color"
	"iter"
	"time"
	"weak"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Table is a widget.Table with a header row that the keyboard can page
// through: Page Up and Page Down move the focused cell a screenful, Home
// and End to the first and last rows (widget.Table knows only the arrow
// keys). The pointer moving over it counts as activity (see OnActivity).
//
// Its columns can share the width the table has beyond their own: see
// SetColumns.
type Table struct {
	widget.Table

	widths, grow []float32
	laidOut      float32 // the width the columns were last fitted to

	cells     []weak.Pointer[Cell]     // the cells the table placed, for the tooltip and the wheel
	pruneAt   int                      // how long cells grows before the dropped ones leave it
	rowHeight float32                  // a row and its divider, once measured
	newCell   func() fyne.CanvasObject // the caller's CreateCell
	wheelDY   float32                  // the wheel's movement not yet scrolled
	tip       *tooltip                 // drawn over the cells; hidden while there is none
	tipCell   *Cell                    // the cell the pointer rests on
	stopTip   func()                   // cancels the tooltip about to show
}

// SetColumns gives the columns their widths, and the shares of the spare
// width each takes when the table is wider than their sum (0: none), each
// up to maxGrow times its own width. Names take the room a wide window
// has, rather than being cut with "…" beside empty space.
func (t *Table) SetColumns(widths, grow []float32) {
	t.widths, t.grow, t.laidOut = widths, grow, -1
	t.fitColumns(t.Size().Width)
}

// maxGrow caps how far a column grows: past it, more width only spreads
// a row's parts apart.
const maxGrow = 2.5

// Resize fits the columns to the new width.
func (t *Table) Resize(size fyne.Size) {
	t.fitColumns(size.Width)
	t.Table.Resize(size)
}

func (t *Table) fitColumns(width float32) {
	if width == t.laidOut || len(t.widths) == 0 {
		return
	}
	t.laidOut = width
	var sum, shares float32
	for i, w := range t.widths {
		sum += w + 1 // and the divider
		shares += t.grow[i]
	}
	// The scroll bar's room stays free, and a little more: a table a few
	// pixels too wide shows a horizontal scroll bar.
	spare := max(0, width-sum-theme.ScrollBarSize()-4*theme.Padding())
	for i, w := range t.widths {
		if shares > 0 && t.grow[i] > 0 {
			w = min(w+spare*t.grow[i]/shares, w*maxGrow)
		}
		t.SetColumnWidth(i, w)
	}
}

// NewTable returns a table with a header row and no header column; see
// widget.NewTable for the three functions.
//
// A cell that is a *Cell shows its text in full in a tooltip when it is
// cut short and the pointer rests on it.
func NewTable(length func() (rows, cols int), create func() fyne.CanvasObject, update func(widget.TableCellID, fyne.CanvasObject)) *Table {
	t := &Table{newCell: create, tip: newTooltip()}
	t.Length = length
	// Fyne makes a cell to measure a row on every refresh and scroll, and
	// drops it: the table keeps only the cells it shows.
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		if c, ok := o.(*Cell); ok && !c.placed {
			c.placed = true
			t.addCell(c)
		}
		update(id, o)
	}
	t.CreateCell = func() fyne.CanvasObject {
		o := create()
		if c, ok := o.(*Cell); ok {
			c.onScroll = t.wheel
			c.onHover = func(ev *desktop.MouseEvent) { t.hover(c, ev.AbsolutePosition) }
			c.onOut = t.hoverOut
			c.Link.onHover, c.Link.onOut = c.onHover, c.onOut
		}
		return o
	}
	t.ShowHeaderRow = true
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey pages and jumps, and passes every other key to the table.
func (t *Table) TypedKey(ev *fyne.KeyEvent) {
	active()
	switch ev.Name {
	case fyne.KeyPageDown, fyne.KeyPageUp:
		step := fyne.KeyDown
		if ev.Name == fyne.KeyPageUp {
			step = fyne.KeyUp
		}
		for range t.pageRows() {
			t.Table.TypedKey(&fyne.KeyEvent{Name: step})
		}
	case fyne.KeyHome:
		t.focusRow(0)
	case fyne.KeyEnd:
		rows, _ := t.Length()
		t.focusRow(rows - 1)
	default:
		t.Table.TypedKey(ev)
	}
}

// pageRows is how many rows a screenful holds, less one that stays in
// view, so that paging keeps the reader's place.
func (t *Table) pageRows() int {
	if t.rowHeight == 0 {
		t.rowHeight = t.newCell().MinSize().Height + 1 // and the divider
	}
	return max(1, int(t.Size().Height/t.rowHeight)-2)
}

// focusRow moves the focused cell to the first column of row and scrolls
// it into view. widget.Table keeps its focused cell to itself; selecting
// a cell moves it, so a table that shows no selection has it undone.
func (t *Table) focusRow(row int) {
	rows, _ := t.Length()
	if row < 0 || row >= rows {
		return
	}
	id := widget.TableCellID{Row: row, Col: 0}
	t.Select(id)
	if t.OnSelected == nil {
		t.Unselect(id)
	}
}

// MouseMoved counts as activity, highlights as widget.Table does, and
// shows the tooltip of a cut-off cell once the pointer rests on it.
func (t *Table) MouseMoved(ev *desktop.MouseEvent) {
	t.Table.MouseMoved(ev)
	t.hover(t.cellAt(ev.AbsolutePosition), ev.AbsolutePosition)
}

// MouseOut hides the tooltip.
func (t *Table) MouseOut() {
	t.hoverOut()
	t.Table.MouseOut()
}

// hover notes the pointer at pos over cell c (nil for none): a cut-off
// cell's tooltip shows once the pointer has rested on it.
func (t *Table) hover(c *Cell, pos fyne.Position) {
	active()
	if c == t.tipCell {
		return
	}
	t.hideTip()
	t.tipCell = c
	if c == nil || !c.Truncated() {
		return
	}
	t.stopTip = AfterFunc(TooltipDelay, func() { t.showTip(c, pos) })
}

func (t *Table) hoverOut() {
	t.hideTip()
	t.tipCell = nil
}

// TooltipDelay is how long the pointer rests on a cut-off cell before its
// full text shows.
var TooltipDelay = 600 * time.Millisecond

// AfterFunc runs f on the UI goroutine after d, unless stop is called
// first. Tests replace it.
var AfterFunc = defaultAfterFunc

func defaultAfterFunc(d time.Duration, f func()) (stop func()) {
	timer := time.AfterFunc(d, func() { fyne.Do(f) })
	return func() { timer.Stop() }
}

// addCell records a cell the table placed. The table keeps cells aside
// for reuse in a sync.Pool, which drops them at a collection, and makes
// new ones then: held strongly here, the dropped cells would pile up.
func (t *Table) addCell(c *Cell) {
	if len(t.cells) >= t.pruneAt {
		live := t.cells[:0]
		for _, w := range t.cells {
			if w.Value() != nil {
				live = append(live, w)
			}
		}
		clear(t.cells[len(live):])
		t.cells, t.pruneAt = live, 2*len(live)+64
	}
	t.cells = append(t.cells, weak.Make(c))
}

// allCells are the cells the table placed that still exist: on screen,
// or kept aside for reuse.
func (t *Table) allCells() iter.Seq[*Cell] {
	return func(yield func(*Cell) bool) {
		for _, w := range t.cells {
			if c := w.Value(); c != nil && !yield(c) {
				return
			}
		}
	}
}

// cellAt is the cell drawn at pos, nil for none. A cell put aside for
// reuse can have the place of one on screen (the row it showed is back in
// view, in another cell): the one found is checked on the canvas.
func (t *Table) cellAt(pos fyne.Position) *Cell {
	d := fyne.CurrentApp().Driver()
	origin, ok := t.cellOrigin()
	if !ok {
		return nil
	}
	for c := range t.allCells() {
		if !c.Visible() {
			continue
		}
		p, s := origin.Add(c.Position()), c.Size()
		if pos.X >= p.X && pos.X < p.X+s.Width && pos.Y >= p.Y && pos.Y < p.Y+s.Height && near(d.AbsolutePositionForObject(c), p) {
			return c
		}
	}
	return nil
}

// near tells whether a and b are the same place, but for the rounding of
// adding positions up in another order.
func near(a, b fyne.Position) bool {
	return abs(a.X-b.X) < 0.5 && abs(a.Y-b.Y) < 0.5
}

// cellOrigin is where on the canvas the container of the cells the table
// shows is: they are its children, so one cell's place gives everyone's,
// where finding each on the canvas walked the window's objects once a
// cell (11 ms with a hundred cells). A cell the table put aside (it keeps
// them for reuse, visible) is not on the canvas: the driver says it is at
// the canvas's origin, outside the table, and it is passed over. Its own
// place is that of a row out of view, or of one back in view in another
// cell.
func (t *Table) cellOrigin() (fyne.Position, bool) {
	d := fyne.CurrentApp().Driver()
	top, size := d.AbsolutePositionForObject(t), t.Size()
	inTable := func(p fyne.Position) bool {
		return p.X >= top.X && p.Y >= top.Y && p.X < top.X+size.Width && p.Y < top.Y+size.Height
	}
	// The cell placed last is on screen: found on the canvas, it gives
	// the origin at the cost of one walk, where each cell put aside tried
	// first cost a walk of the whole window.
	var last *Cell
	for c := range t.allCells() {
		if c.Visible() && (last == nil || c.moved > last.moved) {
			last = c
		}
	}
	if last != nil {
		if p := d.AbsolutePositionForObject(last); inTable(p) {
			return p.Subtract(last.Position()), true
		}
	}
	for c := range t.allCells() {
		if !c.Visible() {
			continue
		}
		if p := d.AbsolutePositionForObject(c); inTable(p) {
			return p.Subtract(c.Position()), true
		}
	}
	return fyne.Position{}, false
}

func (t *Table) showTip(c *Cell, at fyne.Position) {
	if t.tipCell != c || !c.Truncated() || !c.Visible() {
		return
	}
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(t)
	t.tip.show(c.Text, at.Subtract(origin).AddXY(12, 20), t.Size())
}

func (t *Table) hideTip() {
	if t.stopTip != nil {
		t.stopTip()
		t.stopTip = nil
	}
	t.tip.hide()
}

// CreateRenderer draws the table with the tooltip over its cells: drawn
// by the table itself, the tooltip takes neither the focus nor the
// pointer, as a pop-up would.
func (t *Table) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	return &tableRenderer{WidgetRenderer: t.Table.CreateRenderer(), tip: t.tip.box}
}

type tableRenderer struct {
	fyne.WidgetRenderer
	tip *fyne.Container
}

func (r *tableRenderer) Objects() []fyne.CanvasObject {
	objects := r.WidgetRenderer.Objects()
	return append(objects[:len(objects):len(objects)], r.tip)
}

// tooltip is a cell's full text in a box, over the table. The box is
// never hidden, only emptied and shrunk to nothing: the canvas draws the
// objects it found visible when it last walked the table, so a box shown
// after being hidden would not be drawn until the whole table refreshed.
type tooltip struct {
	box   *fyne.Container
	bg    *canvas.Rectangle
	label *widget.Label
	shown bool
}

func newTooltip() *tooltip {
	tip := &tooltip{bg: canvas.NewRectangle(color.Transparent), label: &widget.Label{Wrapping: fyne.TextWrapWord}}
	tip.box = container.NewWithoutLayout(tip.bg, tip.label)
	return tip
}

// show shows text at pos in an area of size, as wide as the text up to
// half the area, kept inside it.
func (tip *tooltip) show(text string, pos fyne.Position, area fyne.Size) {
	pad := theme.InnerPadding()
	width := min(fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width+2*pad+2, max(area.Width/2, 200))
	tip.label.SetText(text)
	tip.label.Resize(fyne.NewSize(width, 0))
	size := fyne.NewSize(width, tip.label.MinSize().Height)
	tip.label.Resize(size)
	pos.X = max(0, min(pos.X, area.Width-size.Width))
	pos.Y = max(0, min(pos.Y, area.Height-size.Height))
	tip.bg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	tip.bg.StrokeColor, tip.bg.StrokeWidth = theme.Color(theme.ColorNameSeparator), 1
	tip.bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	tip.bg.Resize(size)
	tip.box.Move(pos)
	tip.box.Resize(size)
	tip.shown = true
	tip.box.Refresh()
}

func (tip *tooltip) hide() {
	if !tip.shown {
		return
	}
	tip.shown = false
	tip.label.SetText("")
	tip.bg.FillColor, tip.bg.StrokeWidth = color.Transparent, 0
	tip.label.Resize(fyne.Size{})
	tip.bg.Resize(fyne.Size{})
	tip.box.Resize(fyne.Size{})
	tip.box.Refresh()
}

// Tooltip is the text of the tooltip shown, "" when none is.
func (t *Table) Tooltip() string {
	if !t.tip.shown {
		return ""
	}
	return t.tip.label.Text
}

// ScrollToTop shows the first row, keeping the columns in view. Fyne
// 2.7's Table.ScrollToTop fills the cells for the top but leaves the
// scroller where it was: scrolled down, the table then looked empty.
func (t *Table) ScrollToTop() {
	_, _, col, ok := t.shownRows()
	if !ok {
		col = 0
	}
	// Table.ScrollTo moves the scroller, but counts the header into the
	// first row's place: alone it leaves the first row under the header.
	// After ScrollToTop the row is in view at the top, so ScrollTo keeps
	// that offset and only brings the scroller to it.
	t.Table.ScrollToTop()
	t.ScrollTo(widget.TableCellID{Row: 0, Col: col})
}

// wheelRows is how many rows a notch of the mouse wheel scrolls, as
// desktop lists do; widget.Table scrolled 25 pixels, not a row.
const wheelRows = 3

// wheel scrolls by wheelRows rows a notch (Fyne's drivers report 25
// pixels a notch, 10 on macOS): to bring the row that many past the
// last, or before the first, fully shown row into view.
func (t *Table) wheel(ev *fyne.ScrollEvent) {
	active()
	// A trackpad reports many small movements: they add up to rows.
	t.wheelDY += ev.Scrolled.DY
	rows := int(float64(abs(t.wheelDY)) / 25 * wheelRows)
	if rows == 0 {
		return
	}
	up := t.wheelDY > 0 // towards the top
	t.wheelDY = 0
	first, last, col, ok := t.shownRows()
	if !ok {
		return
	}
	total, _ := t.Length()
	target := last + rows
	if up {
		target = first - rows
	}
	t.ScrollTo(widget.TableCellID{Row: max(0, min(total-1, target)), Col: col})
}

func abs(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

// shownRows are the first and last rows whose cells the table shows in
// full, and a column it shows.
func (t *Table) shownRows() (first, last, col int, ok bool) {
	d := fyne.CurrentApp().Driver()
	top, size := d.AbsolutePositionForObject(t), t.Size()
	origin, found := t.cellOrigin()
	if !found {
		return 0, 0, -1, false
	}
	first, col = 1<<31-1, -1
	for c := range t.allCells() {
		if !c.Visible() {
			continue
		}
		p, s := origin.Add(c.Position()), c.Size()
		if p.Y < top.Y || p.Y+s.Height > top.Y+size.Height || p.X < top.X || p.X >= top.X+size.Width {
			continue
		}
		first, last, ok = min(first, c.Row), max(last, c.Row), true
		if col < 0 || c.Col < col {
			col = c.Col
		}
	}
	return first, last, col, ok
}
