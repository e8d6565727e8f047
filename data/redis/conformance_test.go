package redis

import (
	"testing"

	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/redis/redistest"
)

// TestConformance holds the Backend to data.Backend's contract, each
// storage a new account on the shared server and each handle a client of
// its own, as another process's would be.
func TestConformance(t *testing.T) {
	srv := redistest.Shared(t)
	backendtest.Run(t, backendtest.Config{
		New: func(t *testing.T) func() (data.Backend, error) {
			url := srv.URL(redistest.Account())
			return func() (data.Backend, error) {
				b, err := Open(url, Options{Logf: t.Logf})
				if err != nil {
					return nil, err
				}
				return b, nil
			}
		},
	})
}
