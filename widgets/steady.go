package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// steadyLayout gives its objects at least a width, so that a part whose
// text changes ("Copy" to "Copied") or that comes and goes (a "Copied"
// note) does not move what is beside it under the pointer.
type steadyLayout struct{ width float32 }

func (l steadyLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l steadyLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	min := fyne.NewSize(l.width, 0)
	for _, o := range objects {
		if o.Visible() {
			min = min.Max(o.MinSize())
		}
	}
	return min
}

// steady wraps o in a container at least width wide.
func steady(o fyne.CanvasObject, width float32) *fyne.Container {
	return &fyne.Container{Layout: steadyLayout{width}, Objects: []fyne.CanvasObject{o}}
}

// buttonWidth is the width of a button with icon showing the widest of
// texts.
func buttonWidth(icon fyne.Resource, texts ...string) float32 {
	var w float32
	for _, t := range texts {
		w = max(w, widget.NewButtonWithIcon(t, icon, nil).MinSize().Width)
	}
	return w
}

// labelWidth is the width of a label showing text.
func labelWidth(text string) float32 { return widget.NewLabel(text).MinSize().Width }
