package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/badger"
)

// mountTmpfs mounts a tmpfs of size MiB on a new directory and unmounts it
// when the test ends, or skips the test where the system does not let it.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux's tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestFullDiskInjected covers the message", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// fill writes a file into dir until the disk has less than leave MiB left.
func fill(t *testing.T, dir string, leave int) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for {
		var free uint64
		if out, err := exec.Command("df", "--output=avail", "-B1M", dir).Output(); err == nil {
			fmt.Sscan(strings.Fields(string(out))[1], &free)
		}
		if free < uint64(leave) {
			return path
		}
		if _, err := f.Write(chunk); err != nil {
			return path
		}
	}
}

// TestFullDisk runs commands on a data directory whose disk is full: each
// says so, with exit status 1 and no stack trace, and changes nothing; once
// there is room again, everything is as it was.
func TestFullDisk(t *testing.T) {
	disk := mountTmpfs(t, 48)
	dir := filepath.Join(disk, "data")
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"},
			stdin: "a long owner password\n", stdout: `(?s).*`},
	})
	filler := fill(t, disk, 8)
	full := "is full:"
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"users", "add", "--name", "Vic Viewer", "--email", "vic@example.com", "--role", "viewer"}, code: 1, stderr: full},
		{args: []string{"users", "list"}, code: 1, stderr: full},
		{args: []string{"backup", filepath.Join(disk, "b.backup")}, code: 1, stderr: full},
	})
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"users", "list"}, stdout: `(?s)ID\s+NAME.*Ada Owner[^\n]*\n$`},
	})
}

// TestFullDiskInjected gives the command line a store whose commits fail
// as a full disk's do, where no tmpfs can be mounted: the message and the
// exit status are the same.
func TestFullDiskInjected(t *testing.T) {
	m := backendtest.NewMemory()
	sealDir := t.TempDir()
	open := func(string, data.Options) (*data.Store, error) {
		b, err := m.Open()
		if err != nil {
			return nil, err
		}
		return data.Open(b, data.Options{SealKeyFile: filepath.Join(sealDir, "seal.key")})
	}
	var stdout, stderr strings.Builder
	env := Env{Stdin: strings.NewReader("a long owner password\n"), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Open: open}
	if code := Run([]string{"--data", "x", "init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"}, env); code != 0 {
		t.Fatalf("init: %d %s", code, stderr.String())
	}
	m.FailCommits(&data.Error{Code: data.EInternal, Err: data.ErrFull, Message: "The disk that holds the data directory x is full: 3.0 MiB free, and Keyward needs 32 MiB to write safely. Nothing was changed; free some space and try again."})
	stderr.Reset()
	code := Run([]string{"--data", "x", "users", "add", "--name", "Vic", "--email", "vic@example.com", "--role", "viewer"}, env)
	if code != ExitError || !strings.Contains(stderr.String(), "is full: 3.0 MiB free") || strings.Contains(stderr.String(), "goroutine") {
		t.Fatalf("status %d, %q", code, stderr.String())
	}
}

// TestServeOutlivesItsDataDirectory removes the data directory under a
// running serve: it says so, answers changes with 503 and reads as
// before, and still stops, within 10 seconds, when asked.
func TestServeOutlivesItsDataDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot remove a directory with open files")
	}
	dir := filepath.Join(t.TempDir(), "data")
	accountKey, userKey := initWithKey(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- Run([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir},
			Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Context: ctx, Open: badger.OpenStore, API: api.NewSupervisor})
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("serve did not start: %q %q", stdout.String(), stderr.String())
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("x-api-key", accountKey)
		req.Header.Set("x-api-secret-key", userKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := call("PUT", "/v1/users/1", `{"name":"Ada Renamed"}`); code != http.StatusServiceUnavailable {
		t.Fatalf("a change after the directory went: %d %s", code, body)
	}
	if code, body := call("GET", "/v1/users", ""); code != http.StatusOK {
		t.Fatalf("a read after the directory went: %d %s", code, body)
	}
	stopping := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != ExitError {
			t.Fatalf("serve exited %d, want 1: its storage failed", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if took := time.Since(stopping); took > 10*time.Second {
		t.Fatalf("serve took %v to stop", took)
	}
	// It says what failed, and does not flood the log with the engine's
	// retries.
	if !strings.Contains(stderr.String(), "is gone or was replaced") {
		t.Fatalf("serve did not say what failed: %.2000q", stderr.String())
	}
	if lines := strings.Count(stderr.String(), "\n"); lines > 10 || len(stderr.String()) > 5000 {
		t.Fatalf("serve logged %d lines, %d bytes", lines, len(stderr.String()))
	}
}
