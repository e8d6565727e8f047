package data_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"

	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/badger"
	"keyward/data/redis"
	"keyward/data/redis/redistest"
)

func init() {
	var mu sync.Mutex
	memories := map[string]*backendtest.Memory{}
	data.TestBackends = []data.TestBackend{
		{Name: "badger", Exclusive: true, Open: func(dir string) (data.Backend, error) {
			return badger.Open(dir, badger.Options{})
		}},
		{Name: "memory", Open: func(dir string) (data.Backend, error) {
			mu.Lock()
			m := memories[dir]
			if m == nil {
				m = backendtest.NewMemory()
				memories[dir] = m
			}
			mu.Unlock()
			return m.Open()
		}},
	}
	if !redistest.Installed() && !redistest.Required() {
		fmt.Fprintf(os.Stderr, "redis-server is not installed: the rule tests skip the Redis backend (%s=1 makes this a failure)\n", redistest.RequireEnv)
		return
	}
	// Each test's directory is an account of its own on the test process's
	// redis-server: the same directory, the same account.
	data.TestBackends = append(data.TestBackends, data.TestBackend{Name: "redis", Open: func(dir string) (data.Backend, error) {
		srv, err := redistest.StartShared()
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(dir))
		return redis.Open(srv.URL("data-"+hex.EncodeToString(sum[:12])), redis.Options{})
	}})
}
