package badger

import (
	"testing"

	"keyward/data"
	"keyward/data/backendtest"
)

// TestConformance holds the Backend to data.Backend's contract, each
// storage a new data directory.
func TestConformance(t *testing.T) {
	backendtest.Run(t, backendtest.Config{
		New: func(t *testing.T) func() (data.Backend, error) {
			dir := t.TempDir()
			return func() (data.Backend, error) {
				b, err := Open(dir, Options{Logf: t.Logf})
				if err != nil {
					return nil, err
				}
				return b, nil
			}
		},
		Exclusive: true,
	})
}
