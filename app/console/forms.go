package console

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// formWidth is the width of the setup and sign-in forms.
const formWidth = 420

// minWidth makes o at least width wide.
func minWidth(o fyne.CanvasObject, width float32) fyne.CanvasObject {
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(width, 0))
	return container.NewStack(strut, o)
}

// centeredCard puts a titled card of formWidth in the middle of the window.
func centeredCard(title, subtitle string, content ...fyne.CanvasObject) fyne.CanvasObject {
	body := minWidth(container.NewVBox(content...), formWidth)
	return container.NewCenter(widget.NewCard(title, subtitle, body))
}

// labelled stacks a field under its label.
func labelled(label string, field fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), field)
}

// hint is a line of explanation in the caption size.
func hint(text string) *widget.Label {
	return &widget.Label{Text: text, SizeName: theme.SizeNameCaptionText, Wrapping: fyne.TextWrapWord}
}

// countLabel is a short line of figures, such as "5 keys".
func countLabel() *widget.Label {
	return &widget.Label{SizeName: theme.SizeNameCaptionText}
}

// errorLabel is the line under a form that says what went wrong.
func errorLabel() *widget.Label {
	l := &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	l.Hide()
	return l
}

// setError shows msg in l, or hides l when msg is "".
func setError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
