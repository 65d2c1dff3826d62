// Package check is the exercise harness: what every exercise test uses to
// tell "not started" from "wrong", to stop a learner's deadlock from hanging
// the test run, and to assert on the runtime's trace; and the grading engine
// the TUI and instructors use to run those tests as subprocesses.
//
// # In an exercise test
//
// Every test of an exercise starts with a deferred Guard, and runs the
// learner's code through Within (or BlockOn, which is Within around
// executor.BlockOn):
//
//	const exercise = "phase1/01-countdown"
//
//	func TestCountdownWakesItselfEachStep(t *testing.T) {
//		defer check.Guard(t, exercise)
//		rec := check.Recorder(t) // the trace, printed if the test fails
//		ex := check.Executor(t, executor.WithSink(rec))
//		got := check.BlockOn(t, ex, executor.Future[[]int](&Countdown{N: 3}))
//		check.Polls(t, check.Events(rec), 1, 4)
//		...
//	}
//
// The skeleton the learner starts from calls TODO in every function to be
// written. TODO panics with a *NotStartedError; Guard recovers it and skips
// the test with a message saying which README to open and which function
// to start with — or fails the test when WORKBOOK_STRICT=1, which is how CI
// proves that every skeleton fails. A TODO reached inside a task comes back
// from the executor as a *executor.PanicError wrapping the same
// *NotStartedError; NoError and BlockOn recognise it and skip likewise.
// Any other panic in learner code fails the test with the panic value and
// the stack where it happened; it never crashes the test binary.
//
// The other helpers: Executor (an executor closed at the end of the test),
// Recorder (a trace recorder printed when the test fails), Trace and its
// assertions (Polls, WokenBy, Count, None, NoLostWakeups), NewDriver and
// NoParking (executor drivers that watch parking: in a test where every
// wake comes from inside the executor, parking means a lost wakeup), Go
// (goroutines whose panics come back to the test), Fail (a verdict from
// given code, without a stack), Started (skip when a Result's error is a
// TODO), and TraceDemo (the body of an exercise's TestTraceDemo), with
// what a demo on a fake needs to trace like a runtime: FakeRing (a fake
// kernel's requests told as SQEs prepared, submitted, CQEs reaped, with
// the queues' heads and tails) and Clock (sequence numbers and runtime
// time for a scenario without an executor).
//
// # The adversarial toolkit
//
// A test suite is worth the wrong answers it catches, and a wrong answer
// that needs an unlucky interleaving passes a test that only hopes for
// one. The toolkit creates the interleavings instead:
//
//   - Seam: named hook points in given code where a test runs its own
//     step, deterministically — a wake between a learner's Load and
//     CompareAndSwap, or between "the inbox is empty" and the park.
//   - WakeStorm: goroutines firing wakes from outside while the code
//     under test decides (bounded stress, where no seam fits).
//   - Spurious, Jostle: polls with nothing new — a future that resubmits
//     or frees on every poll shows itself.
//   - Handoff: a future moved to another task between two polls — one
//     that keeps its first waker wakes the wrong task.
//   - Trickle: fake kernels posting completions one, a few or none at a
//     time instead of filling the ring.
//   - SlowReader, Greedy, Reset, EchoOnce: peers that read slowly, send a
//     megabyte at once, or reset the connection.
//   - NoFDLeak, NoGoroutineLeak, CloseNoLiveTasks, Leak,
//     GoroutinesCreated, GoroutineID: what was left open, running or
//     alive, how many goroutines the code started, and which goroutine
//     ran a cleanup.
//
// Every exercise's solutions/ folder holds wrong_<name>.go fixtures
// (//go:build wrong && wrong_<name>), each a plausible mistake its tests
// must catch every run; .ci/check-exercises builds each alone.
//
// Within runs a function on its own goroutine and waits at most Deadline
// (5s; WORKBOOK_DEADLINE overrides it, e.g. "20s"). Learner code that never
// finishes fails the test with "did not finish in 5 s: a lost wakeup, a
// deadlock or an endless loop", which of the three its stack suggests
// (the stall detector), and the learner's file and line; its goroutine
// is abandoned (it leaks, which is fine for a failing test), Executor's
// cleanup leaves an abandoned executor alone, and the later tests of the
// run skip instead of waiting five seconds each for the same bug.
//
// # Grading
//
// RunTests runs one exercise's tests as `go test -json` in a subprocess
// with a time limit (killing the whole process group when it is over) and
// returns a Report; Grade does it for a list of exercises. RunTraceDemo
// runs an exercise's TestTraceDemo and streams the trace events the
// learner's code emitted into a trace.Sink ("run mine").
//
// # README and HINTS format
//
// ParseReadme reads an exercise's README.md, which keeps the task:
//
//	# <title>
//
//	Lesson: <lesson id>
//
//	<the statement: any markdown, with ## sections if wanted, among them
//	"## What the tests catch", the mistakes its tests reject>
//
// and the HINTS.md beside it, which the workbook reveals one at a time:
//
//	# Hints: <title>        (a preamble: anything before the first hint)
//
//	## Hint 1
//	<the gentlest hint>
//
//	## Hint 2
//	<a more explicit one>  ... and so on, numbered from 1; the last is
//	a strong nudge or pseudo-code, not the solution
//
// Headings inside fenced code blocks do not count. A README that still
// holds a "## Hints" section is an error: the hints moved to HINTS.md.
package check
