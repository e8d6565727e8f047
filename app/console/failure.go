package console

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
)

// refusedUntilRestart is the banner's first line: what the failure means
// for the person at the window.
const refusedUntilRestart = "Changes are refused until Keyward is restarted, once the problem is fixed."

// failureBanner is the red band across the top of the window once the
// storage has failed under the store (data.Store.Failure): it says what
// failed and that changes are refused until Keyward is restarted. It stays
// until then, above whatever screen is up, sign-in included: the actions
// that change things stay where they are and fail with the same message,
// but the banner is what a person sees first.
type failureBanner struct {
	content fyne.CanvasObject
	text    *widget.RichText
}

func newFailureBanner(failure error) *failureBanner {
	onError := widget.RichTextStyle{ColorName: theme.ColorNameForegroundOnError}
	heading := onError
	heading.TextStyle = fyne.TextStyle{Bold: true}
	b := &failureBanner{text: widget.NewRichText(
		&widget.TextSegment{Text: refusedUntilRestart, Style: heading},
		&widget.TextSegment{Text: data.ErrorMessage(failure), Style: onError},
	)}
	b.text.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameForegroundOnError))
	// The built-in themes' error colour is the same red in both variants,
	// so the band need not follow a change of theme.
	band := canvas.NewRectangle(theme.Color(theme.ColorNameError))
	b.content = container.NewStack(band, container.NewBorder(nil, nil, container.NewPadded(icon), nil, b.text))
	return b
}

// storageFailed puts the failure banner over the screen that is up, once.
func (c *Console) storageFailed() {
	if c.banner == nil && c.screen != nil {
		c.setContent(c.screen)
	}
}
