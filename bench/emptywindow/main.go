// Command emptywindow is bench/console.sh's baseline: an empty Fyne window
// of the console's default size, to measure what Fyne and the GL driver
// alone take.
package main

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := fyneapp.NewWithID("io.keyward.bench.empty")
	w := a.NewWindow("Empty")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1000, 680))
	w.ShowAndRun()
}
