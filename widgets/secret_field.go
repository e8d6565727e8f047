package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SecretField shows a secret masked, with Show/Hide and Copy buttons and a
// brief "Copied" note. It holds the secret only while it is revealed: Show
// asks for it through OnShow, whose handler calls SetSecret, and Hide drops
// it again.
type SecretField struct {
	widget.BaseWidget

	Masked   string // shown while hidden, such as "kwa_••••••••••••"
	Secret   string // shown while revealed
	Revealed bool
	Copied   bool // the "Copied" note is up

	OnShow func() // the user asked to see the secret
	OnHide func() // the user hid it
	OnCopy func() // the user asked to copy it

	text   *widget.Label
	box    *fieldBox
	Toggle *Button // Show or Hide
	Copy   *Button
	note   *widget.Label
}

// NewSecretField returns a hidden secret field showing masked.
func NewSecretField(masked string) *SecretField {
	f := &SecretField{Masked: masked}
	f.text = &widget.Label{TextStyle: fyne.TextStyle{Monospace: true}, Truncation: fyne.TextTruncateEllipsis}
	f.Toggle = NewButton("", nil, widget.MediumImportance, f.onToggle)
	f.Copy = NewButton("Copy", theme.ContentCopyIcon(), widget.MediumImportance, f.onCopy)
	f.note = &widget.Label{Importance: widget.SuccessImportance}
	f.box = newFieldBox(f.text)
	f.ExtendBaseWidget(f)
	f.update()
	return f
}

func (f *SecretField) onToggle() {
	if f.Revealed {
		f.SetSecret("")
		if f.OnHide != nil {
			f.OnHide()
		}
		return
	}
	if f.OnShow != nil {
		f.OnShow()
	}
}

func (f *SecretField) onCopy() {
	if f.OnCopy != nil {
		f.OnCopy()
	}
}

// SetSecret reveals secret, or hides the field when secret is "".
func (f *SecretField) SetSecret(secret string) {
	f.Secret, f.Revealed = secret, secret != ""
	f.Refresh()
}

// SetCopied shows or clears the "Copied" note.
func (f *SecretField) SetCopied(copied bool) {
	f.Copied = copied
	f.Refresh()
}

// Refresh brings the parts in line with the fields.
func (f *SecretField) Refresh() {
	f.update()
	f.BaseWidget.Refresh()
}

func (f *SecretField) update() {
	f.box.refresh()
	if f.Revealed {
		f.text.SetText(f.Secret)
		f.Toggle.SetText("Hide")
		f.Toggle.SetIcon(theme.VisibilityOffIcon())
	} else {
		f.text.SetText(f.Masked)
		f.Toggle.SetText("Show")
		f.Toggle.SetIcon(theme.VisibilityIcon())
	}
	if f.Copied {
		f.note.SetText("Copied")
		f.note.Show()
	} else {
		f.note.SetText("")
		f.note.Hide()
	}
}

// CreateRenderer lays the field out as a boxed value with its buttons on
// the right.
func (f *SecretField) CreateRenderer() fyne.WidgetRenderer {
	// The note's place is kept while it is hidden, and Show and Hide share
	// one width: nothing moves under the pointer.
	toggle := steady(f.Toggle, buttonWidth(theme.VisibilityOffIcon(), "Show", "Hide"))
	buttons := container.NewHBox(toggle, f.Copy, steady(f.note, labelWidth("Copied")))
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, buttons, f.box.box))
}

// fieldBox frames content like a read-only input.
type fieldBox struct {
	bg  *canvas.Rectangle
	box *fyne.Container
}

func newFieldBox(content fyne.CanvasObject) *fieldBox {
	b := &fieldBox{bg: canvas.NewRectangle(color.Transparent)}
	b.box = container.NewStack(b.bg, content)
	b.refresh()
	return b
}

// refresh re-reads the theme's colours.
func (b *fieldBox) refresh() {
	b.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	b.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	b.bg.StrokeWidth = theme.InputBorderSize()
	b.bg.CornerRadius = theme.InputRadiusSize()
	b.bg.Refresh()
}
