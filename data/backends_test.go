package data_test

import (
	"sync"

	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/badger"
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
}
