package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"keyward/data"
)

// server runs the REST API on a listening socket: Start binds and serves,
// Stop ends it. The Supervisor makes a new one for every start and every
// move.
type server struct {
	store *data.Store
	cfg   Config

	mu       sync.Mutex
	srv      *http.Server
	addr     string
	finished chan struct{} // closed when serving ends
	err      error         // why serving ended; read after finished is closed
}

// newServer returns a server for store on cfg.Addr; Start makes it listen.
func newServer(store *data.Store, cfg Config) *server {
	return &server{store: store, cfg: cfg}
}

// Timeouts and limits of the HTTP server: generous for API calls, short
// enough that idle or slow clients cannot hold connections forever.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
)

// HTTPServer returns an http.Server for handler with the timeouts and
// header limit the REST API is served with. bench/bare serves its baseline
// with it too, so that the two differ only in their handlers.
func HTTPServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// Start listens on the configured address and serves in the background.
// It returns once the socket is bound, or with an error that says why it
// could not be (such as the address being in use).
func (s *server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return fmt.Errorf("the REST API is already running on %s", s.addr)
	}
	var tlsConfig *tls.Config
	if s.cfg.TLSCert != "" || s.cfg.TLSKey != "" {
		if s.cfg.TLSCert == "" || s.cfg.TLSKey == "" {
			return errors.New("to serve HTTPS, give both a TLS certificate and its private key")
		}
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("cannot load the TLS certificate %s and key %s: %w", s.cfg.TLSCert, s.cfg.TLSKey, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return listenError(s.cfg.Addr, err)
	}
	srv := HTTPServer(NewHandler(s.store, s.cfg))
	srv.TLSConfig = tlsConfig
	finished := make(chan struct{})
	s.srv, s.addr, s.finished, s.err = srv, ln.Addr().String(), finished, nil
	go func() {
		var err error
		if tlsConfig != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(finished)
	}()
	return nil
}

// listenError says in words why an address could not be bound.
func listenError(addr string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("another program is already listening on %s: stop it, or choose another address", addr)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("this user may not listen on %s: choose a port above 1023", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("%s is not an address of this machine: choose one it has, such as 127.0.0.1:8686", addr)
	}
	return fmt.Errorf("cannot listen on %s: %w", addr, err)
}

// Addr returns the address the server is bound to ("127.0.0.1:8686"), or
// "" when it is not running.
func (s *server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL returns the base URL of the running API.
func (s *server) URL() string {
	scheme := "http"
	if s.cfg.TLSCert != "" && s.cfg.TLSKey != "" {
		scheme = "https"
	}
	return scheme + "://" + s.Addr()
}

// Done returns a channel closed when serving ends, by Stop or on its own;
// Err then says why. Nil when the server has not started.
func (s *server) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished
}

// Err returns the error serving ended with, once Done is closed.
func (s *server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Stop stops accepting connections and waits, until ctx ends, for requests
// in flight to finish. It returns the error serving ended with, if any.
func (s *server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, finished := s.srv, s.finished
	s.srv, s.addr = nil, ""
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close()
	}
	<-finished
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(err, s.err)
}
