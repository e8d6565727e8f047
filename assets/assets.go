// Package assets holds Keyward's embedded resources.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go run gen_icon.go

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon, drawn by gen_icon.go.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
