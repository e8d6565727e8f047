package console

import (
	"strings"
	"testing"
)

func TestNoDesktop(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	none := env(nil)
	if msg := NoDesktop("linux", none); !strings.Contains(msg, "needs a desktop session") || !strings.Contains(msg, "keyward serve") {
		t.Fatalf("no display on Linux: %q", msg)
	}
	if msg := NoDesktop("linux", env(map[string]string{"WAYLAND_DISPLAY": "wayland-0"})); msg == "" {
		t.Fatal("a Wayland session without XWayland passes, and GLFW's X11 driver would panic")
	}
	for _, vars := range []map[string]string{{"DISPLAY": ":0"}, {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}} {
		if msg := NoDesktop("linux", env(vars)); msg != "" {
			t.Fatalf("%v: %q", vars, msg)
		}
	}
	for _, goos := range []string{"windows", "darwin"} {
		if msg := NoDesktop(goos, none); msg != "" {
			t.Fatalf("%s needs no DISPLAY: %q", goos, msg)
		}
	}
}
