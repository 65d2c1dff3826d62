//go:build linux

package iouring

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Some tests need a process of their own: one that installs a seccomp
// filter (it cannot be removed), or one that may crash. The test re-runs
// its own binary with childEnv set to the test's name; the child does the
// dangerous part, prints childOK, and exits before TestMain's leak check.

const (
	childEnv = "IOURING_TEST_CHILD"
	childOK  = "CHILD-OK"
)

// inChild reports whether this process is the child of test t.
func inChild(t *testing.T) bool { return os.Getenv(childEnv) == t.Name() }

// childDone ends the child: what it printed is the parent's to check.
func childDone(msg string) {
	os.Stdout.WriteString(childOK + " " + msg + "\n")
	os.Exit(0)
}

// childFail ends the child with a failure message.
func childFail(msg string) {
	os.Stdout.WriteString("CHILD-FAIL " + msg + "\n")
	os.Exit(1)
}

// runChild runs test t in a child process and returns its output; it
// fails t if the child did not print childOK.
func runChild(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("child process hung:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), childOK) {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	return string(out)
}
