package console

import (
	"fyne.io/fyne/v2"
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
func newTable(cols []column, rows func() int, fill func(row, col int, cell *widgets.Cell)) *widget.Table {
	var t *widget.Table
	t = widget.NewTableWithHeaders(
		func() (int, int) { return tableLength(t, rows(), len(cols)) },
		func() fyne.CanvasObject { return widgets.NewCell() },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= 0 && id.Row < rows() && id.Col >= 0 && id.Col < len(cols) {
				fill(id.Row, id.Col, o.(*widgets.Cell))
			}
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(cols) {
			o.(*widget.Label).SetText(cols[id.Col].title)
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

// tableColumn is a column of a table of Ts and how it shows one.
type tableColumn[T any] struct {
	column
	fill func(item T, row, col int, cell *widgets.Cell)
}

// newColumnTable returns a table with a row for each of items() and the
// given columns.
func newColumnTable[T any](cols []tableColumn[T], items func() []T) *widget.Table {
	headers := make([]column, len(cols))
	for i, c := range cols {
		headers[i] = c.column
	}
	return newTable(headers, func() int { return len(items()) }, func(row, col int, cell *widgets.Cell) {
		cols[col].fill(items()[row], row, col, cell)
	})
}

// tableLength is a table's Length: rows and cols, but no rows while the
// table has no size. Fyne 2.7 lays out a table of no size (which happens
// when it is refreshed or given column widths before it is shown) as if
// every row were visible, and builds a row divider for each, which it keeps
// and walks on every frame after: 10,000 of them for 10,000 keys.
func tableLength(t *widget.Table, rows, cols int) (int, int) {
	if t.Size().Height <= 0 {
		return 0, cols
	}
	return rows, cols
}
