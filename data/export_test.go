package data

// TestBackend is a backend the rule tests run on. The backends import this
// package, so its own tests cannot import them: backends_test.go, in the
// external test package, lists them here.
type TestBackend struct {
	Name string
	// Exclusive says one handle at a time may open the storage (a data
	// directory's lock).
	Exclusive bool
	// Open opens, or opens again, the storage kept in dir, a directory of
	// the test's own.
	Open func(dir string) (Backend, error)
}

// TestBackends are the backends every rule test runs on; the first is the
// one benchmarks use.
var TestBackends []TestBackend
