package console

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
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
	return centeredCardOf(formWidth, title, subtitle, content...)
}

// centeredCardOf is centeredCard width wide.
func centeredCardOf(width float32, title, subtitle string, content ...fyne.CanvasObject) fyne.CanvasObject {
	body := minWidth(container.NewVBox(content...), width)
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

// borderLayout is container.NewBorder with the objects in reading order:
// top, left, center, right, bottom. Fyne moves the keyboard focus in the
// order of a container's objects, and container.NewBorder puts the center
// first, so that Tab reached a screen's table before the controls above
// it.
func borderLayout(top, bottom, left, right, center fyne.CanvasObject) *fyne.Container {
	var objects []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left, center, right, bottom} {
		if o != nil {
			objects = append(objects, o)
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), objects...)
}

// readOnlyNote says that a screen is read-only for role, and who can do
// what it does not offer.
func readOnlyNote(role data.Role, what string) *widget.Label {
	return hint(fmt.Sprintf("Read-only: you are signed in as a %s. An Owner can %s.", role, what))
}
