// Package redistest starts redis-server for the tests of the Redis
// backend and of the layers above it: a server of the test process's own,
// on a Unix socket in a new temporary directory, with the append-only file
// on and no network port, so that no test depends on, or touches, a Redis
// someone left running. Every server ends with the test process, however
// it ends.
//
// Where redis-server is not installed the tests that need it are skipped,
// unless the environment variable KEYWARD_REQUIRE_REDIS is 1 (make test
// sets it): then they fail.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RequireEnv is the environment variable that, set to 1, makes a missing
// redis-server a failure rather than a reason to skip.
const RequireEnv = "KEYWARD_REQUIRE_REDIS"

// Installed reports whether redis-server is on the PATH.
func Installed() bool {
	_, err := exec.LookPath("redis-server")
	return err == nil
}

// Required reports whether the tests must have redis-server: RequireEnv is 1.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Require skips tb, or fails it if Required, when redis-server is not
// installed.
func Require(tb testing.TB) {
	tb.Helper()
	switch {
	case Installed():
	case Required():
		tb.Fatalf("redis-server is not installed, and %s=1: install it (apt-get install redis-server)", RequireEnv)
	default:
		tb.Skipf("redis-server is not installed: skipping the tests on Redis (apt-get install redis-server; %s=1 makes this a failure)", RequireEnv)
	}
}

// Server is a redis-server of the test process's own.
type Server struct {
	dir    string
	socket string

	mu      sync.Mutex
	control io.WriteCloser // the wrapper's stdin: a line ends the server
	exited  chan struct{}  // closed when the wrapper has exited
}

var (
	shared    *Server
	sharedErr error
	sharedMu  sync.Mutex
	accounts  atomic.Int64
)

// Shared returns the test process's shared server, started on first use.
// It serves every test that asks: each keeps its records apart under an
// account of its own (see Account). It stops when the process exits.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	Require(tb)
	s, err := StartShared()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// StartShared is Shared for code without a testing.TB, such as a table of
// backends that opens storages by name: it starts the shared server on
// first use, or returns why it could not.
func StartShared() (*Server, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = start()
	}
	return shared, sharedErr
}

// Start starts a server of tb's own, which it can kill and restart (see
// Kill and Restart); it is stopped, and its directory removed, when tb
// ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	Require(tb)
	s, err := start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.stop)
	return s
}

// Account returns a name no other test of the process uses, for the
// account parameter of a store URL.
func Account() string { return fmt.Sprintf("test-%d-%d", os.Getpid(), accounts.Add(1)) }

// URL returns the store URL of account on s.
func (s *Server) URL(account string) string { return "unix://" + s.socket + "?account=" + account }

// Socket returns the path of s's Unix socket.
func (s *Server) Socket() string { return s.socket }

// start makes a directory and starts a server in it.
func start() (*Server, error) {
	// A short path: a socket's is limited to about a hundred bytes.
	dir, err := os.MkdirTemp("", "keyward-redis-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, socket: filepath.Join(dir, "redis.sock")}
	if err := s.Restart(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// wrapper runs redis-server and ends it, with SIGKILL, once a line or the
// end of its stdin comes: when the test process closes the pipe, or exits
// however it does. Unless the line says keep, it then removes the
// directory.
const wrapper = `dir=$1; shift
redis-server "$@" </dev/null >/dev/null 2>&1 &
pid=$!
read -r line
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ "$line" = keep ] || rm -rf "$dir"`

// Restart starts the server, on the same directory (the same append-only
// file) if it ran before, and waits until it answers.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.control != nil {
		return errors.New("redistest: Restart of a server that runs: Kill it first")
	}
	cmd := exec.Command("sh", "-c", wrapper, "sh", s.dir,
		"--port", "0",
		"--unixsocket", s.socket, "--unixsocketperm", "700",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"),
		"--appendonly", "yes", "--save", "",
		"--daemonize", "no")
	control, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	s.control, s.exited = control, exited
	if err := s.awaitReady(); err != nil {
		s.end("keep")
		return err
	}
	return nil
}

// readyWait is how long a server may take to answer after it starts.
const readyWait = 15 * time.Second

// awaitReady waits until the server answers PING with PONG: it is up, and
// done loading its append-only file.
func (s *Server) awaitReady() error {
	deadline := time.Now().Add(readyWait)
	for {
		if reply, err := ping(s.socket); err == nil && reply == "+PONG" {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("redistest: redis-server exited at start; its log:\n%s", s.log())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redistest: redis-server did not answer in %v; its log:\n%s", readyWait, s.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(socket string) (string, error) {
	c, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "PING\r\n"); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line), err
}

func (s *Server) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return string(b)
}

// Kill ends the server with SIGKILL, as a crash would, and leaves its
// directory for Restart.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.end("keep")
}

// stop ends the server and removes its directory.
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.end("stop")
}

// end tells the wrapper to end the server and waits for it. The caller
// holds mu.
func (s *Server) end(line string) {
	if s.control == nil {
		return
	}
	io.WriteString(s.control, line+"\n")
	s.control.Close()
	<-s.exited
	s.control = nil
}
