package console

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/widgets"
)

// column is a table column's header and width.
type column struct {
	title string
	width float32
}

// newTable returns the console's kind of table: a bold header row of cols,
// no header column, and a widgets.Cell in every cell, which fill sets for
// the given row and column of rows().
func newTable(cols []column, rows func() int, fill func(row, col int, cell *widgets.Cell)) *widgets.Table {
	var t *widgets.Table
	t = widgets.NewTable(
		func() (int, int) { return tableLength(t, rows(), len(cols)) },
		func() fyne.CanvasObject { return widgets.NewCell() },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= 0 && id.Row < rows() && id.Col >= 0 && id.Col < len(cols) {
				fill(id.Row, id.Col, o.(*widgets.Cell))
			}
		})
	t.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(cols) {
			o.(*widget.Label).SetText(cols[id.Col].title)
		}
	}
	widths, grow := make([]float32, len(cols)), make([]float32, len(cols))
	for i, c := range cols {
		widths[i], grow[i] = c.width, columnGrowth[c.title]
	}
	t.SetColumns(widths, grow)
	return t
}

// columnGrowth is each named column's share of a wide window's spare
// width: the names and texts that are cut with "…" first.
var columnGrowth = map[string]float32{
	"Key name": 3, "User name": 2, "CIDR allow list": 1, "Last used": 1,
	"Name": 2, "Email": 2, "Role": 1,
	"By": 1, "Event": 1, "Description": 4,
}

// sortableHeaders makes the headers of the columns sortable[col] says are
// buttons: a tap calls tap(col), and the column state() names shows an
// arrow up, or down (desc), after its title. The arrows are icons: Fyne's
// font has no ▲, which a Windows without a fallback font drew as a box.
func sortableHeaders(t *widgets.Table, cols []column, sortable []bool, state func() (col int, desc bool), tap func(col int)) {
	t.CreateHeader = func() fyne.CanvasObject {
		label := &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}
		button := widgets.NewButton("", nil, widget.LowImportance, nil)
		button.Alignment, button.IconPlacement = widget.ButtonAlignLeading, widget.ButtonIconTrailingText
		return container.NewStack(label, button)
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col < 0 || id.Col >= len(cols) {
			return
		}
		parts := o.(*fyne.Container).Objects
		label, button := parts[0].(*widget.Label), parts[1].(*widgets.Button)
		if !sortable[id.Col] {
			label.SetText(cols[id.Col].title)
			label.Show()
			button.Hide()
			return
		}
		var icon fyne.Resource
		if col, desc := state(); col == id.Col {
			icon = sortIcon(desc)
		}
		c := id.Col
		button.Text, button.Icon, button.OnTapped = cols[id.Col].title, icon, func() { tap(c) }
		button.Refresh()
		button.Show()
		label.Hide()
	}
}

// sortIcon is the arrow of a sorted column: down when it is descending.
// (A function: the theme's icons need a running app, which the CLI never
// starts.)
func sortIcon(desc bool) fyne.Resource {
	if desc {
		return theme.MenuDropDownIcon()
	}
	return theme.MenuDropUpIcon()
}

// tableColumn is a column of a table of Ts and how it shows one.
type tableColumn[T any] struct {
	column
	fill func(item T, row, col int, cell *widgets.Cell)
}

// newColumnTable returns a table with a row for each of items() and the
// given columns.
func newColumnTable[T any](cols []tableColumn[T], items func() []T) *widgets.Table {
	return newRowTable(cols, func() int { return len(items()) }, func(row int) T { return items()[row] })
}

// newRowTable returns a table with rows() rows, row i showing at(i), and
// the given columns.
func newRowTable[T any](cols []tableColumn[T], rows func() int, at func(row int) T) *widgets.Table {
	headers := make([]column, len(cols))
	for i, c := range cols {
		headers[i] = c.column
	}
	return newTable(headers, rows, func(row, col int, cell *widgets.Cell) {
		cols[col].fill(at(row), row, col, cell)
	})
}

// tableLength is a table's Length: rows and cols, but no rows while the
// table has no size. Fyne 2.7 lays out a table of no size (which happens
// when it is refreshed or given column widths before it is shown) as if
// every row were visible, and builds a row divider for each, which it keeps
// and walks on every frame after: 10,000 of them for 10,000 keys.
func tableLength(t *widgets.Table, rows, cols int) (int, int) {
	if t.Size().Height <= 0 {
		return 0, cols
	}
	return rows, cols
}
