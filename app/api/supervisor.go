package api

import (
	"context"
	"sync"
	"time"

	"keyward/data"
)

// Supervisor starts, moves and stops the REST API for the console and for
// `keyward serve`. It remembers the configuration last applied, so that a
// Start after a Stop serves with it, and it moves a running API to a new
// configuration without leaving it down when the new one cannot be served.
// It is safe for concurrent use; Status waits for a Start, Apply or Stop
// under way.
type Supervisor struct {
	store *data.Store

	mu      sync.Mutex
	cfg     Config        // the configuration to serve with
	started bool          // Start was called, and Stop not since
	srv     *server       // the server serving now; nil when none is
	err     error         // why none is, although started
	done    chan struct{} // closed when the serving under way ends
}

// Status is what a Supervisor is doing.
type Status struct {
	// Running is true while the API is serving.
	Running bool
	// URL is the base URL while running ("http://127.0.0.1:8686"), "" otherwise.
	URL string
	// Addr is the configured address, bound or not.
	Addr string
	// Err says why the API is not serving although it was started: the
	// last Start could not serve, a move failed and the old address could
	// not be taken back, or serving ended on its own. It is nil while
	// running and after Stop.
	Err error
}

// moveGrace is how long requests in flight on the old address may take to
// finish when Apply moves the API.
const moveGrace = 5 * time.Second

// NewSupervisor returns a stopped supervisor for store, configured with
// the account's settings.
func NewSupervisor(store *data.Store) *Supervisor {
	return &Supervisor{store: store, cfg: withDefaults(ConfigFrom(store.Settings())), done: make(chan struct{})}
}

// withDefaults fills in what the empty fields of cfg stand for.
func withDefaults(cfg Config) Config {
	if cfg.Addr == "" {
		cfg.Addr = data.DefaultAPIAddr
	}
	return cfg
}

// Start serves the API with the configuration last applied. It returns once
// the socket is bound, or with an error that says why it could not be (such
// as the address being in use), which Status then reports too. It does
// nothing if the API is already running.
func (s *Supervisor) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = true
	if s.srv != nil {
		return nil
	}
	srv, err := s.launch(s.cfg)
	s.serving(srv, err)
	return err
}

// Apply makes cfg the configuration to serve with. A stopped API only
// remembers it for the next Start. A started one moves to it: to a new
// address, the new socket is bound before the old one is released, so an
// address that cannot be used leaves the API where it was; on the same
// address (a new rate limit, say) the old server stops first and comes back
// if the new one cannot start. An API that was started but could not
// serve tries cfg, and its old configuration again if cfg fails too. The
// error says why cfg could not be served; the configuration is then the old
// one.
func (s *Supervisor) Apply(cfg Config) error {
	cfg = withDefaults(cfg)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.cfg = cfg
		return nil
	}
	old := s.srv
	freeFirst := old == nil || cfg.Addr == s.cfg.Addr
	if freeFirst && old != nil {
		stopWithin(old, moveGrace)
	}
	next, err := s.launch(cfg)
	if err != nil {
		if freeFirst {
			s.serving(s.launch(s.cfg))
		}
		return err
	}
	if !freeFirst {
		stopWithin(old, moveGrace)
	}
	s.cfg = cfg
	s.serving(next, nil)
	return nil
}

// Stop stops the API and waits, until ctx ends, for requests in flight to
// finish. It returns the error serving ended with, if any. Stopping a
// stopped API does nothing.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = false
	srv := s.srv
	s.serving(nil, nil)
	if srv == nil {
		return nil
	}
	return srv.Stop(ctx)
}

// Status says whether the API is serving, where, and if not, why.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Addr: s.cfg.Addr, Err: s.err}
	if s.srv != nil {
		st.Running, st.URL = true, s.srv.URL()
	}
	return st
}

// Done returns a channel that is closed when serving ends, by Stop or on
// its own (Status().Err then says why); a move is no end. Once serving has
// ended it stays closed until the API serves again, so that a caller that
// asks after the end learns of it at once; before the first serving it is
// open.
func (s *Supervisor) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// launch starts a server on cfg and watches it. The caller holds s.mu.
func (s *Supervisor) launch(cfg Config) (*server, error) {
	srv := newServer(s.store, cfg)
	if err := srv.Start(); err != nil {
		return nil, err
	}
	go s.watch(srv)
	return srv, nil
}

// serving records srv as the server serving now (nil: none, for the reason
// err), and keeps done in step: closed when serving ends, a new channel
// when serving begins after that. The caller holds s.mu.
func (s *Supervisor) serving(srv *server, err error) {
	was := s.srv != nil
	s.srv, s.err = srv, err
	switch {
	case was && srv == nil:
		close(s.done)
	case !was && srv != nil:
		select {
		case <-s.done:
			s.done = make(chan struct{})
		default:
		}
	}
}

// watch records srv's end if it stops serving on its own, rather than by
// Stop or a move, which replace s.srv first.
func (s *Supervisor) watch(srv *server) {
	<-srv.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == srv {
		s.serving(nil, srv.Err())
	}
}

// stopWithin stops srv, giving requests in flight up to grace to finish.
func stopWithin(srv *server, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	srv.Stop(ctx)
}
