package locale

import "testing"

func TestIsC(t *testing.T) {
	for v, want := range map[string]bool{
		"C.UTF-8": true, "C.utf8": true, "POSIX.UTF-8": true, "C@euro": true,
		"C": false, "POSIX": false, "en_US.UTF-8": false, "Ca_ES": false, "CY.UTF-8": false, "": false,
	} {
		if isC(v) != want {
			t.Errorf("isC(%q) = %v, want %v", v, !want, want)
		}
	}
}
