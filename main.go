// Keyward manages the API keys of a Redis-Cloud-style account and serves
// its REST API. With no command it opens the console; with one it runs the
// command line (see app/cli).
package main

import (
	_ "embed"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"github.com/BurntSushi/toml"

	"keyward/app/api"
	"keyward/app/cli"
	_ "keyward/app/cli/locale" // before Fyne's lang package: see there
	"keyward/app/console"
	"keyward/assets"
	"keyward/data"
	"keyward/data/badger"
	"keyward/data/redis"
)

// fyneAppTOML is FyneApp.toml, the one place the app's id, name and
// version are written; `fyne package` reads it too.
//
//go:embed FyneApp.toml
var fyneAppTOML string

// metadata is what main reads of FyneApp.toml.
var metadata struct {
	Website string
	Details struct {
		ID, Name, Version string
		Build             int
	}
}

func main() {
	if _, err := toml.Decode(fyneAppTOML, &metadata); err != nil || metadata.Details.ID == "" {
		fmt.Fprintln(os.Stderr, "keyward: the built-in FyneApp.toml cannot be read:", err)
		os.Exit(cli.ExitError)
	}
	if len(os.Args) > 1 {
		cli.AttachConsole()
	}
	os.Exit(cli.Run(os.Args[1:], cli.Env{
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		Getenv:         os.Getenv,
		DefaultDataDir: defaultDataDir(),
		Open:           badger.OpenStore,
		OpenShared:     redis.OpenStore,
		IsDataDir:      badger.IsDataDir,
		RequestBackup:  badger.RequestBackup,
		Console:        runConsole,
		API:            api.NewSupervisor,
		SharedLimiter: func(url string) (api.KeyLimiter, func() error, error) {
			l, err := redis.NewRateLimiter(url)
			if err != nil {
				return nil, nil, err
			}
			return l, l.Close, nil
		},
		Version: version(),
	}))
}

// version is how --version and the About dialog name this build.
func version() string {
	return fmt.Sprintf("%s %s (build %d)", metadata.Details.Name, metadata.Details.Version, metadata.Details.Build)
}

// runConsole opens the store with open and shows the window, which serves
// the REST API through a supervisor, until it is closed; where says which
// store it is, when it cannot be opened.
func runConsole(where cli.Location, open func(data.Options) (*data.Store, error)) int {
	if msg := console.NoDesktopHere(os.Getenv); msg != "" {
		fmt.Fprintln(os.Stderr, "keyward:", msg)
		return cli.ExitError
	}
	// A desktop window that sits open all day: the garbage collector runs
	// at half the heap's growth rather than all of it, which keeps the
	// resident memory 4 to 10 MB lower with 10,000 keys (BENCHMARKS.md)
	// for a little more collecting, unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	a := fyneapp.NewWithID(metadata.Details.ID)
	a.SetIcon(assets.Icon)
	// What goes wrong in the background (the engine's warnings, a failed
	// write of last-used times) goes to stderr, for whoever started it
	// from a terminal; the window says what a person must know.
	store, err := open(data.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "keyward: "+format+"\n", args...)
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "keyward:", data.ErrorMessage(err))
		console.StartupError(a, where.String(), err, a.Quit).ShowAndRun()
		return cli.ExitError
	}
	defer store.Close()
	w := a.NewWindow(console.Title)
	c := console.New(a, w, store, api.NewSupervisor(store), console.Options{Version: version(), Website: metadata.Website, Shared: where.Store != ""})
	c.Start()
	stopped := quitOnSignal(a)
	w.ShowAndRun()
	c.Close()
	if stopped.Load() {
		fmt.Fprintln(os.Stderr, "keyward: Stopped.")
	}
	return cli.ExitOK
}

// quitOnSignal closes the console as its window's close button would when
// the process is asked to stop (SIGTERM at logout or from a service
// manager, Ctrl+C or SIGHUP in the terminal it was started from), so that
// the in-process API stops, a key copied to the clipboard is taken back
// and the last-used times are written before the store closes. A second
// signal ends the process at once. The result tells, once the window's
// loop has returned, whether a signal ended it.
func quitOnSignal(a fyne.App) *atomic.Bool {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	stopped := new(atomic.Bool)
	go func() {
		<-signals
		stopped.Store(true)
		fyne.Do(a.Quit)
		<-signals
		os.Exit(cli.ExitError)
	}()
	return stopped
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
	return filepath.Join(root, "fyne", metadata.Details.ID)
}
