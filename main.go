// Keyward manages the API keys of a Redis-Cloud-style account and serves
// its REST API. With no command it opens the console; with one it runs the
// command line (see app/cli).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	fyneapp "fyne.io/fyne/v2/app"

	"keyward/api"
	"keyward/app"
	"keyward/app/cli"
	"keyward/assets"
	"keyward/data"
)

// appID is the application id of FyneApp.toml; Fyne keys its storage by it.
const appID = "io.keyward.app"

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.Env{
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		Getenv:         os.Getenv,
		DefaultDataDir: defaultDataDir(),
		Console:        runConsole,
	}))
}

// runConsole opens the store on dataDir and shows the window until it is
// closed.
func runConsole(dataDir string) int {
	store, err := data.Open(dataDir, data.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "keyward:", data.ErrorMessage(err))
		return cli.ExitError
	}
	defer store.Close()
	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.Icon)
	w := a.NewWindow(app.Title)
	console := app.New(a, w, store, app.Options{
		API:            api.Config{Addr: api.DefaultAddr, RateLimit: api.DefaultRateLimit},
		ClipboardDelay: app.DefaultClipboardDelay,
		Version:        a.Metadata().Version,
	})
	console.Start()
	w.ShowAndRun()
	console.Close()
	return cli.ExitOK
}

// defaultDataDir is Fyne's storage root for the app id, the folder that
// a.Storage().RootURI() names. It is computed here, without starting Fyne,
// so that commands run quietly on machines without a display. It is "" when
// the system names no home directory.
func defaultDataDir() string {
	var root string
	var err error
	switch runtime.GOOS {
	case "darwin", "windows":
		root, err = os.UserHomeDir()
		if runtime.GOOS == "darwin" {
			root = filepath.Join(root, "Library", "Preferences")
		} else {
			root = filepath.Join(root, "AppData", "Roaming")
		}
	default:
		root, err = os.UserConfigDir()
	}
	if err != nil {
		return ""
	}
	return filepath.Join(root, "fyne", appID)
}
