package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// logShown bounds the entries the System Log tab loads at once, newest
// first; a narrower filter reaches older ones.
const logShown = 5000

// logTab is the System Log tab: newest first, in a virtualised table,
// filtered by text and by a range of days.
type logTab struct {
	c       *Console
	content fyne.CanvasObject

	filter   *widget.Entry
	from, to *widget.DateEntry
	count    *widget.Label
	table    *widget.Table
	entries  []data.SystemLogEntry
}

var logColumns = []struct {
	title string
	width float32
}{{"Time", 140}, {"By", 220}, {"Event", 150}, {"Description", 560}}

func newLogTab(c *Console) *logTab {
	t := &logTab{c: c,
		filter: &widget.Entry{PlaceHolder: "Filter by text"},
		from:   widget.NewDateEntry(),
		to:     widget.NewDateEntry(),
		count:  countLabel(),
	}
	t.filter.OnChanged = func(string) { t.refresh() }
	t.from.PlaceHolder, t.to.PlaceHolder = "From (any day)", "To (any day)"
	t.from.OnChanged = func(*time.Time) { t.refresh() }
	t.to.OnChanged = func(*time.Time) { t.refresh() }
	t.table = widget.NewTableWithHeaders(func() (int, int) { return len(t.entries), len(logColumns) },
		func() fyne.CanvasObject { return widgets.NewCell() }, t.updateCell)
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(logColumns) {
			o.(*widget.Label).SetText(logColumns[id.Col].title)
		}
	}
	for i, col := range logColumns {
		t.table.SetColumnWidth(i, col.width)
	}
	dates := container.NewGridWithColumns(2, t.from, t.to)
	toolbar := container.NewBorder(nil, nil, nil, container.NewHBox(dates, t.count), t.filter)
	t.content = container.NewBorder(toolbar, nil, nil, nil, t.table)
	t.refresh()
	return t
}

func (t *logTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	if id.Row < 0 || id.Row >= len(t.entries) {
		return
	}
	e := t.entries[id.Row]
	var text string
	switch id.Col {
	case 0:
		text = t.c.formatTime(e.Time)
	case 1:
		text = e.Originator
		if e.APIKeyName != "" {
			text += " (API key " + e.APIKeyName + ")"
		}
	case 2:
		text = e.Type
	case 3:
		text = e.Description
	}
	o.(*widgets.Cell).Set(id.Row, id.Col, widgets.CellText, text, widget.MediumImportance, nil)
}

// query is what the filters ask for: the days run from the start of From
// to the end of To, in the console's time zone.
func (t *logTab) query() data.LogQuery {
	q := data.LogQuery{Text: t.filter.Text, Limit: logShown}
	day := func(d *time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, t.c.opts.Location)
	}
	if t.from.Date != nil {
		q.Since = day(t.from.Date)
	}
	if t.to.Date != nil {
		q.Until = day(t.to.Date).AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return q
}

func (t *logTab) refresh() {
	q := t.query()
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
		t.entries = nil
		t.count.SetText("The To day is before the From day")
		t.table.Refresh()
		return
	}
	entries, err := t.c.store.SystemLog(q)
	if err != nil {
		t.count.SetText(data.ErrorMessage(err))
		return
	}
	t.entries = entries
	switch {
	case len(entries) == logShown:
		t.count.SetText(fmt.Sprintf("The newest %s; filter to see older ones", countText(logShown, "entry", "entries")))
	default:
		t.count.SetText(countText(len(entries), "entry", "entries"))
	}
	t.table.Refresh()
}
