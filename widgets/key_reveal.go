package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// KeyReveal is the content of a dialog that shows a new secret once: the
// value, a Copy button, a warning, and a Finish button that stays disabled
// until the value has been copied. It offers no other way out; the dialog
// that holds it must not either.
type KeyReveal struct {
	widget.BaseWidget

	Value   string
	Warning string
	Copied  bool

	OnCopy   func() // the user copied the value
	OnFinish func() // the user finished, after copying

	Copy   *Button
	Finish *Button
	// Extra holds more buttons, shown left of Finish (such as "Copy
	// account key").
	Extra *fyne.Container

	value *widget.Label
	box   *fieldBox
	hint  *widget.Label
	warn  *widget.Label
}

// NewKeyReveal returns the reveal content for value.
func NewKeyReveal(value, warning string) *KeyReveal {
	r := &KeyReveal{Value: value, Warning: warning}
	// Not selectable: a selectable label takes a Tab stop it shows no
	// focus on, and copying by hand would not enable Finish. Copy is the
	// way to take the value.
	r.value = &widget.Label{TextStyle: fyne.TextStyle{Monospace: true}}
	r.box = newFieldBox(r.value)
	r.Copy = NewButton("Copy", theme.ContentCopyIcon(), widget.HighImportance, r.onCopy)
	r.Finish = NewButton("Finish", nil, widget.MediumImportance, r.onFinish)
	r.Extra = container.NewHBox()
	r.hint = &widget.Label{Text: "Copy the key to finish.", SizeName: theme.SizeNameCaptionText}
	r.warn = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	r.ExtendBaseWidget(r)
	r.update()
	return r
}

func (r *KeyReveal) onCopy() {
	if r.OnCopy != nil {
		r.OnCopy()
	}
}

func (r *KeyReveal) onFinish() {
	if r.Copied && r.OnFinish != nil {
		r.OnFinish()
	}
}

// SetCopied records that the value was copied, which enables Finish.
func (r *KeyReveal) SetCopied(copied bool) {
	r.Copied = copied
	r.Refresh()
}

// Refresh brings the parts in line with the fields.
func (r *KeyReveal) Refresh() {
	r.update()
	r.BaseWidget.Refresh()
}

func (r *KeyReveal) update() {
	r.box.refresh()
	r.value.SetText(r.Value)
	r.warn.SetText(r.Warning)
	if r.Copied {
		r.Finish.Enable()
		r.Finish.Importance = widget.HighImportance
		r.Copy.Importance = widget.MediumImportance
		r.Copy.SetText("Copied")
		r.Copy.SetIcon(theme.ConfirmIcon())
		r.hint.Hide()
	} else {
		r.Finish.Disable()
		r.Finish.Importance = widget.MediumImportance
		r.Copy.Importance = widget.HighImportance
		r.Copy.SetText("Copy")
		r.Copy.SetIcon(theme.ContentCopyIcon())
		r.hint.Show()
	}
	r.Finish.Refresh()
	r.Copy.Refresh()
}

// CreateRenderer stacks the value row, the warning and the buttons.
func (r *KeyReveal) CreateRenderer() fyne.WidgetRenderer {
	// Copy becomes Copied in the same width: the value's box keeps its size.
	valueRow := container.NewBorder(nil, nil, nil, steady(r.Copy, buttonWidth(theme.ContentCopyIcon(), "Copy", "Copied")), r.box.box)
	warning := container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.WarningIcon())), nil, r.warn)
	buttons := container.NewHBox(r.Extra, layout.NewSpacer(), r.hint, r.Finish)
	return widget.NewSimpleRenderer(container.NewVBox(valueRow, warning, buttons))
}
