package check

import (
	"fmt"
	"runtime"
	"strings"
)

// stall is what the stall detector found about a goroutine that did not
// finish in time.
type stall struct {
	verdict string // "a lost wakeup: ..." / "a deadlock: ..." / "an endless loop: ..."
	where   string // the learner's frame it was in: "countdown.go:21 in (*Countdown).Poll"
	stack   string // its stack, trimmed to the interesting frames
}

// diagnoseStall reads the stack of goroutine id (the one Within ran the
// learner's code on) and says which of the three it looks like: parked
// in the executor's driver with nobody to wake it (a lost wakeup),
// blocked on a lock or a channel elsewhere (a deadlock), or running (an
// endless loop). It is a guess from one look, labelled as such.
func diagnoseStall(id uint64) stall {
	buf := make([]byte, 1<<20)
	all := string(buf[:runtime.Stack(buf, true)])
	head := fmt.Sprintf("goroutine %d [", id)
	i := strings.Index(all, head)
	if i < 0 {
		return stall{}
	}
	g := all[i:]
	if j := strings.Index(g, "\n\n"); j >= 0 {
		g = g[:j]
	}
	state := g[len(head):]
	if j := strings.IndexByte(state, ']'); j >= 0 {
		state = state[:j]
	}
	var st stall
	st.where, st.stack = learnerFrame(g), trimStack(g)
	switch {
	case strings.HasPrefix(state, "running"), strings.HasPrefix(state, "runnable"):
		st.verdict = "an endless loop: your code was running, not waiting, when the time was up"
	case strings.Contains(g, ").Park(") || strings.Contains(g, ".park("):
		st.verdict = "a lost wakeup: the executor was parked, waiting for a wake that nothing is going to fire (a future returned Pending without handing its waker to anyone who will use it)"
	default:
		st.verdict = "a deadlock: your code was blocked (" + state + ") on something nobody will release"
	}
	return st
}

// learnerFrame returns the first frame of stack g that is in an
// exercise's own code — under exercises/ or solutions/, not a test file —
// as "file.go:line in func".
// Frames in a given.go (code the exercise hands out) come after the
// learner's own.
func learnerFrame(g string) string {
	if f := frameIn(g, false); f != "" {
		return f
	}
	return frameIn(g, true)
}

func frameIn(g string, givenToo bool) string {
	lines := strings.Split(g, "\n")
	for k := 1; k+1 < len(lines); k++ {
		loc := strings.TrimSpace(lines[k+1])
		if !strings.HasPrefix(lines[k+1], "\t") {
			continue
		}
		file := loc
		if j := strings.LastIndex(file, " +0x"); j >= 0 {
			file = file[:j]
		}
		if !(strings.Contains(file, "/exercises/") || strings.Contains(file, "/solutions/")) || strings.Contains(file, "_test.go:") {
			continue
		}
		if !givenToo && strings.Contains(file, "/given.go:") {
			continue
		}
		fn := lines[k]
		if j := strings.LastIndex(fn, "("); j > 0 {
			fn = fn[:j]
		}
		name := file
		if j := strings.LastIndex(name, "/"); j >= 0 {
			name = name[j+1:]
		}
		return name + " in " + shortFuncName(fn)
	}
	return ""
}

// trimStack keeps the first frames of g (enough to see where it is
// stuck), dropping the runtime's own.
func trimStack(g string) string {
	lines := strings.Split(g, "\n")
	var out []string
	for k := 1; k+1 < len(lines) && len(out) < 16; k += 2 {
		if strings.HasPrefix(lines[k], "runtime.") && !strings.HasPrefix(lines[k], "runtime.Gosched") {
			continue
		}
		out = append(out, "\t"+lines[k], "\t"+lines[k+1])
	}
	return strings.Join(out, "\n")
}

// learnerFrameOf is learnerFrame for a panic's stack (debug.Stack).
func learnerFrameOf(stack []byte) string { return learnerFrame(string(stack)) }
