//go:build ignore

// gen_icon draws Keyward's application icon, icon.png: a key on a rounded
// square, anti-aliased by supersampling signed distances. Run it with
// `go run gen_icon.go` from this directory after changing it.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const (
	size = 512
	sub  = 4 // samples per axis per pixel
)

// Shapes are signed distance functions: negative inside.

func roundedSquare(x, y, half, radius float64) float64 {
	qx := math.Abs(x) - half + radius
	qy := math.Abs(y) - half + radius
	return math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - radius
}

func box(x, y, cx, cy, hw, hh float64) float64 {
	dx := math.Abs(x-cx) - hw
	dy := math.Abs(y-cy) - hh
	return math.Hypot(math.Max(dx, 0), math.Max(dy, 0)) + math.Min(math.Max(dx, dy), 0)
}

func ring(x, y, cx, cy, r, width float64) float64 {
	return math.Abs(math.Hypot(x-cx, y-cy)-r) - width/2
}

// key is the white glyph: a ring for the bow, a shaft and two teeth, turned
// 45 degrees.
func key(x, y float64) float64 {
	c, s := math.Cos(math.Pi/4), math.Sin(math.Pi/4)
	u, v := c*x+s*y, -s*x+c*y
	bow := ring(u, v, -120, 0, 62, 38)
	shaft := box(u, v, 60, 0, 130, 19)
	tooth1 := box(u, v, 150, 42, 17, 30)
	tooth2 := box(u, v, 95, 36, 15, 24)
	return math.Min(math.Min(bow, shaft), math.Min(tooth1, tooth2))
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(p, q uint8) uint8 { return uint8(float64(p)*(1-t) + float64(q)*t + 0.5) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

func main() {
	top := color.NRGBA{0x1f, 0x3a, 0x93, 255}    // indigo
	bottom := color.NRGBA{0x0f, 0x9b, 0x8e, 255} // teal
	white := color.NRGBA{0xff, 0xff, 0xff, 255}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var bg, fg float64
			for sy := 0; sy < sub; sy++ {
				for sx := 0; sx < sub; sx++ {
					x := float64(px) + (float64(sx)+0.5)/sub - size/2
					y := float64(py) + (float64(sy)+0.5)/sub - size/2
					if roundedSquare(x, y, 240, 96) < 0 {
						bg++
						if key(x, y) < 0 {
							fg++
						}
					}
				}
			}
			n := float64(sub * sub)
			if bg == 0 {
				continue
			}
			c := mix(top, bottom, float64(py)/size)
			c = mix(c, white, fg/bg)
			c.A = uint8(bg / n * 255)
			img.SetNRGBA(px, py, c)
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
