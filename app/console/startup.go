package console

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// StartupError is the window shown instead of the console when the data
// directory cannot be opened, most often because another Keyward has it,
// or because it is damaged or its disk full: someone who started Keyward
// from a menu sees no terminal. Quit, Enter and
// Escape call quit (the app's Quit, so that Run returns).
func StartupError(a fyne.App, dataDir string, err error, quit func()) fyne.Window {
	title, msg := "Keyward cannot open its data", data.ErrorMessage(err)
	switch {
	case errors.Is(err, data.ErrInUse):
		title = "Keyward is already open"
		msg = "Keyward is already open with this data (" + dataDir + "). Switch to the window that is open, or close it and start Keyward again."
	case errors.Is(err, data.ErrDamaged):
		title = "Keyward's data is damaged" // the message says how to restore a backup
	case errors.Is(err, data.ErrFull):
		title = "The disk is full"
	}
	w := a.NewWindow(title)
	text := &widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}
	quitButton := widgets.NewButton("Quit", nil, widget.HighImportance, quit)
	heading := &widget.Label{Text: title, TextStyle: fyne.TextStyle{Bold: true}}
	w.SetContent(container.NewBorder(container.NewHBox(widget.NewIcon(theme.WarningIcon()), heading),
		container.NewHBox(layout.NewSpacer(), quitButton), nil, nil, text))
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
			quit()
		}
	})
	w.Resize(fyne.NewSize(460, 180))
	return w
}
