package console

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
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

	filter   *widgets.Entry
	from, to *widget.DateEntry
	count    *widget.Label
	export   *widgets.Button
	table    *widgets.Table
	detail   *widget.Label // the selected entry in full
	entries  []data.SystemLogEntry
	selected int  // the row shown in full, -1 for none
	stale    bool // the log changed, or was never loaded, while the tab was hidden
}

var logColumns = []column{{"Time", 130}, {"By", 200}, {"Event", 150}, {"Description", 480}}

func newLogTab(c *Console) *logTab {
	t := &logTab{c: c,
		filter:   widgets.NewEntry(),
		from:     widget.NewDateEntry(),
		to:       widget.NewDateEntry(),
		count:    countLabel(),
		selected: -1,
	}
	t.filter.PlaceHolder, t.filter.OnChanged = "Filter by text", func(string) { t.filterChanged() }
	t.from.PlaceHolder, t.to.PlaceHolder = "From (any day)", "To (any day)"
	t.from.OnChanged = func(*time.Time) { t.filterChanged() }
	t.to.OnChanged = func(*time.Time) { t.filterChanged() }
	t.table = newTable(logColumns, func() int { return len(t.entries) }, t.fillCell)
	t.detail = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	t.detail.Hide()
	t.table.OnSelected = t.onSelected
	// Wide enough for "From (any day)" beside the calendar button: at 170
	// its placeholder was cut and the entry showed a scroll bar.
	t.export = c.button("Export…", theme.DownloadIcon(), widget.MediumImportance, t.exportLog)
	toolbar := borderLayout(nil, nil, nil, container.NewHBox(minWidth(t.from, 210), minWidth(t.to, 210), t.count, t.export), t.filter)
	t.content = borderLayout(toolbar, t.detail, nil, nil, t.table)
	t.stale = true
	return t
}

// onSelected shows the selected entry in full under the table, since the
// table's cells cut long descriptions short.
func (t *logTab) onSelected(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(t.entries) {
		return
	}
	e := t.entries[id.Row]
	// The resource's kind, not its internal number ("API key 1" told a
	// reader nothing): the description names it.
	text := fmt.Sprintf("Entry %d · %s · %s · by %s", e.ID, t.c.formatTime(e.Time), e.Type, e.Originator)
	if e.APIKeyName != "" {
		text += " with the API key " + e.APIKeyName
	}
	t.detail.SetText(text + "\n" + e.Description)
	t.detail.Show()
	// The whole row shows it is the one in full, not only the cell tapped.
	t.selected = id.Row
	t.table.Refresh()
}

func (t *logTab) fillCell(row, col int, cell *widgets.Cell) {
	e := t.entries[row]
	var text string
	switch col {
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
	cell.Set(row, col, widgets.CellText, text, widget.MediumImportance, nil)
	cell.SetHighlighted(row == t.selected)
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

// filterChanged shows the entries a changed filter lets through from the
// first, not from where the table was scrolled to in the longer list.
// A new entry refreshes the tab without moving it.
func (t *logTab) filterChanged() {
	t.refresh()
	t.table.ScrollToTop()
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
	t.entries, t.stale = entries, false
	t.table.UnselectAll()
	t.selected = -1
	t.detail.Hide()
	switch {
	case len(entries) == logShown:
		t.count.SetText(fmt.Sprintf("The newest %s; filter to see older ones", data.Count(logShown, "entry", "entries")))
	default:
		t.count.SetText(data.Count(len(entries), "entry", "entries"))
	}
	t.table.Refresh()
}
