package console

import (
	"time"

	"fyne.io/fyne/v2"
)

// clipboardGuard puts secrets on the clipboard and takes them off again
// after a delay, unless the clipboard has changed since: a key must not sit
// there for the next paste into a chat window.
type clipboardGuard struct {
	clip  fyne.Clipboard
	clock Clock
	delay time.Duration // 0: never clear

	secret string // the secret this guard last copied, while it may still be there
	stop   func()
}

func newClipboardGuard(clip fyne.Clipboard, clock Clock, delay time.Duration) *clipboardGuard {
	return &clipboardGuard{clip: clip, clock: clock, delay: delay}
}

// copySecret puts secret on the clipboard and schedules its removal.
func (g *clipboardGuard) copySecret(secret string) {
	if g.stop != nil {
		g.stop()
	}
	g.clip.SetContent(secret)
	g.secret, g.stop = secret, nil
	if g.delay > 0 {
		g.stop = g.clock.AfterFunc(g.delay, g.clearNow)
	}
}

// clearNow empties the clipboard if it still holds the secret copied last.
func (g *clipboardGuard) clearNow() {
	if g.secret != "" && g.clip.Content() == g.secret {
		g.clip.SetContent("")
	}
	g.secret = ""
	if g.stop != nil {
		g.stop()
		g.stop = nil
	}
}
