package console

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"keyward/data"
)

// The exports: the key list and the system log as the tab shows them,
// filtered and in the same order, to CSV or JSON as the file's name ends.

// showExport asks where to save an export named name (its extension
// choosing the format), and writes it with write.
func (c *Console) showExport(title, name string, write func(f fyne.URIWriteCloser, format data.ExportFormat) (rows int, note string, err error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) { c.onExportFile(w, err, write) }, c.win)
	d.SetTitleText(title)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".json"}))
	if c.backupFolder != nil {
		d.SetLocation(c.backupFolder)
	}
	c.show(d, true)
}

// onExportFile writes the export to the file chosen in the save dialog;
// w is nil when the dialog was cancelled.
func (c *Console) onExportFile(w fyne.URIWriteCloser, err error, write func(fyne.URIWriteCloser, data.ExportFormat) (int, string, error)) {
	if err != nil {
		c.showError(data.Errorf(data.EInternal, "Could not create the export file: %v. Choose another folder or name.", err))
		return
	}
	if w == nil {
		return
	}
	uri := w.URI()
	format, err := data.ExportFormatOf(uri.Name())
	if err == nil {
		var n int
		var note string
		n, note, err = write(w, format)
		if cerr := w.Close(); err == nil && cerr != nil {
			err = data.Errorf(data.EInternal, "Could not finish writing %s: %v.", uri.Name(), cerr)
		}
		if err == nil {
			c.inform("Export saved", fmt.Sprintf("Wrote %s to %s.%s", data.Count(n, "row", "rows"), displayPath(uri), note))
			return
		}
	} else {
		w.Close()
	}
	if uri.Scheme() == "file" {
		removeIfEmpty(uri.Path())
	}
	c.showError(err)
}

// displayPath names a file for people.
func displayPath(u fyne.URI) string {
	if u.Scheme() == "file" {
		return u.Path()
	}
	return u.String()
}

// exportName is an export's suggested file name: the account's, what it
// holds, the day.
func (c *Console) exportName(what string) string {
	acct, _ := c.store.Account()
	return fmt.Sprintf("%s-%s-%s.csv", data.FileNamePart(acct.Name), what, c.clock.Now().In(c.opts.Location).Format("2006-01-02"))
}

// exportKeys exports the keys the table shows, as it shows them.
func (t *keysTab) exportKeys() {
	t.c.showExport("Export the API user keys", t.c.exportName("api-keys"), func(w fyne.URIWriteCloser, f data.ExportFormat) (int, string, error) {
		keys := t.visibleKeys()
		return len(keys), "", data.WriteKeys(w, f, keys)
	})
}

// exportLog exports the entries the System Log shows.
func (t *logTab) exportLog() {
	t.c.showExport("Export the system log", t.c.exportName("system-log"), func(w fyne.URIWriteCloser, f data.ExportFormat) (int, string, error) {
		entries, note := t.entries, ""
		if len(entries) == logShown {
			note = fmt.Sprintf(" They are the newest %d entries, as the tab shows: filter by text or days to export older ones.", logShown)
		}
		return len(entries), note, data.WriteSystemLog(w, f, entries)
	})
}
