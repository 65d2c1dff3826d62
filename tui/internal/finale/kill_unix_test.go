//go:build unix

package finale

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests here run the real Bench against fakes: the test binary
// itself, linked under the names Bench runs (echo-pool, loadgen, go).
// Each fake dials the test's control listener (ctlEnv), writes its pid
// and then holds the connection until it dies: the test reads that
// connection to learn a process started, and its EOF to learn the
// process is gone (the kernel closes a dead process's sockets), so
// nothing here waits by sleeping.
const ctlEnv = "WORKBOOK_FINALE_FAKE_CTL"

// fakeProcess acts the part named by the binary's name, when the test
// binary was started as one of the fakes; otherwise it returns.
func fakeProcess() {
	ctl := os.Getenv(ctlEnv)
	role := filepath.Base(os.Args[0])
	if ctl == "" || strings.HasSuffix(role, ".test") {
		return
	}
	conn, err := net.Dial("tcp", ctl)
	if err != nil {
		os.Exit(3)
	}
	fmt.Fprintf(conn, "%s %d\n", role, os.Getpid())
	switch role {
	case "echo-pool":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			os.Exit(3)
		}
		fmt.Println(ln.Addr())
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go io.Copy(c, c)
			}
		}()
	case "go":
		// go build runs the compiler as a child: so does this one.
		child := exec.Command(filepath.Join(filepath.Dir(os.Args[0]), "compile"))
		if err := child.Start(); err != nil {
			os.Exit(3)
		}
	}
	select {} // until killed; loadgen never answers
}

// fakes makes a directory of links to the test binary and a control
// listener, and returns the directory and a function that accepts the
// next fake and returns its name, pid and connection.
func fakes(t *testing.T) (string, func() (string, int, net.Conn)) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"echo-pool", "loadgen", "go", "compile"} {
		if err := os.Symlink(self, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	t.Setenv(ctlEnv, ln.Addr().String())
	next := func() (string, int, net.Conn) {
		t.Helper()
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
		c, err := ln.Accept()
		if err != nil {
			t.Fatalf("no fake process started: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatalf("a fake said nothing: %v", err)
		}
		f := strings.Fields(line)
		pid, _ := strconv.Atoi(f[1])
		return f[0], pid, c
	}
	return dir, next
}

// gone waits (20 s at most) for the process behind c to end: its end
// closes the connection.
func gone(t *testing.T, name string, pid int, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Errorf("%s (pid %d) is still running after the run was cancelled: %v", name, pid, err)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// prebuilt is the real Bench with its binaries already in place.
type prebuilt struct{ *Bench }

func (prebuilt) Build(context.Context) error { return nil }

func TestCancelledRunKillsTheServerAndTheLoadClient(t *testing.T) {
	dir, next := fakes(t)
	b := &Bench{bin: dir}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Result)
	go func() { done <- Run(ctx, prebuilt{b}, Cases(1)[:1], load, func(Progress) {}) }()
	server, spid, sconn := next()
	client, cpid, cconn := next()
	if server != "echo-pool" || client != "loadgen" {
		t.Fatalf("started %s then %s", server, client)
	}
	cancel() // the load client is measuring, the server serving
	select {
	case res := <-done:
		if len(res) != 1 || res[0].Err == nil {
			t.Errorf("a cancelled case: %+v", res)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	gone(t, server, spid, sconn)
	gone(t, client, cpid, cconn)
	// Both were our children and are reaped: no zombie, no process.
	for _, pid := range []int{spid, cpid} {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("pid %d: kill(0) = %v, want ESRCH", pid, err)
		}
	}
}

func TestCancelledBuildKillsTheCompilerToo(t *testing.T) {
	dir, next := fakes(t)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	b := &Bench{Dir: t.TempDir()}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- b.Build(ctx) }()
	goName, gpid, gconn := next()
	compile, cpid, cconn := next()
	if goName != "go" || compile != "compile" {
		t.Fatalf("started %s then %s", goName, compile)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled build returned no error")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Build did not return after its context was cancelled")
	}
	gone(t, goName, gpid, gconn)
	gone(t, compile, cpid, cconn) // the go command's child, not ours
}
