// Command widgetwindow is bench/console.sh's second baseline: a Fyne
// window of the console's default size with the kinds of widgets the API
// Keys tab draws (tabs, a table, bold and monospace text, buttons with
// icons, an entry) and no data, no store and no server. Against the empty
// window it shows what drawing such a screen costs in Fyne and Mesa alone.
package main

import (
	"fmt"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := fyneapp.NewWithID("io.keyward.bench.widgets")
	w := a.NewWindow("Widgets")
	table := widget.NewTable(
		func() (int, int) { return 20, 6 },
		func() fyne.CanvasObject { return widget.NewLabel("template cell text") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(fmt.Sprintf("row %d, column %d", id.Row, id.Col))
		})
	top := container.NewVBox(
		&widget.Label{Text: "API account key", TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: "••••••••••••••••", TextStyle: fyne.TextStyle{Monospace: true}},
		container.NewHBox(
			widget.NewButtonWithIcon("Show", theme.VisibilityIcon(), func() {}),
			widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {}),
			widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), func() {}),
		),
		&widget.Entry{PlaceHolder: "Filter"},
	)
	tabs := container.NewAppTabs(
		container.NewTabItem("Team", widget.NewLabel("")),
		container.NewTabItem("API Keys", container.NewBorder(top, nil, nil, nil, table)),
		container.NewTabItem("System Log", widget.NewLabel("")),
	)
	tabs.SelectIndex(1)
	w.SetContent(tabs)
	w.Resize(fyne.NewSize(1000, 680))
	w.ShowAndRun()
}
