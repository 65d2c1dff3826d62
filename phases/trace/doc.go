// Package trace is the event vocabulary every runtime in the workbook speaks.
//
// # Why a trace
//
// An executor is a loop that nobody can see: it polls a task, the task
// returns Pending, a waker fires on some other goroutine, the task is queued
// again. The only way to *watch* that happen is for the runtime to say what
// it does, one event at a time. Every phase reports through the same Event
// type, so the terminal workbook can show any phase's runtime, and a runtime
// running in another process (a learner's exercise under go test) can be
// shown exactly like one in this process.
//
// # Events
//
// An Event is plain data: a sequence number, a monotonic time, the executor
// and task it concerns, its Kind, and a few detail fields that depend on the
// kind (who woke a task, whether a poll was ready, who holds a waker). Later
// phases add kinds (SQE submitted, CQE reaped, parked in the kernel...);
// on the wire kinds travel by name, so old recordings stay readable.
//
// # Sinks
//
// A runtime hands each event to a Sink synchronously, on the goroutine that
// did the thing. A runtime with no sink pays one nil check per event site.
// The sinks here:
//
//   - Recorder keeps the last N events in a ring and counts what it dropped.
//   - Stepper blocks the runtime at each event until the user says go on:
//     step, continue, continue to a breakpoint, or detach.
//   - JSONWriter writes JSON lines; JSONReader (or ReadJSON) reads them back.
//   - Tee sends each event to several sinks.
package trace
