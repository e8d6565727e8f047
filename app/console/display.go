package console

import "runtime"

// NoDesktop says why the console cannot open a window here, or "" when
// it can: on Linux and the BSDs a window needs an X11 or Wayland session,
// which DISPLAY or WAYLAND_DISPLAY names. Without one, Fyne's GL driver
// ended the program in a panic with a GLFW stack trace.
func NoDesktop(goos string, getenv func(string) string) string {
	switch goos {
	case "windows", "darwin", "android", "ios", "js", "wasip1":
		return ""
	}
	// Fyne's driver here speaks X11: a Wayland session serves it through
	// XWayland, which sets DISPLAY.
	if getenv("DISPLAY") != "" {
		return ""
	}
	return "The console needs a desktop session, and this one has none (DISPLAY is not set). " +
		"On a server, \"keyward serve\" serves the REST API, and the commands manage the account: see \"keyward --help\"."
}

// NoDesktopHere is NoDesktop for this system.
func NoDesktopHere(getenv func(string) string) string { return NoDesktop(runtime.GOOS, getenv) }
