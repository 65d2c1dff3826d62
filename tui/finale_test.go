package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestBenchCommandRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"bench", "-n", "0"}, {"bench", "-n", "two"}, {"bench", "-nope"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	run([]string{"--help"}, &out, &errb)
	if !strings.Contains(out.String(), "go run ./tui bench") {
		t.Error("the usage does not name the bench command")
	}
}
