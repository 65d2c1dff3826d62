// Package finale runs phase 4's head-to-head benchmark from the workbook:
// the TCP echo servers of bench/ (N pinned executors, gnet v2 with N
// loops, a goroutine per connection at GOMAXPROCS=N), each loaded by the
// separate load-client process, one measurement after another, and shows
// the progress and the results as a bar chart. It is the Go twin of the
// pool rows of bench/run.sh: the same binaries, the same load client,
// the same two figures (round trips per second, server CPU per round
// trip); it takes one measurement per case where the script takes the
// median of RUNS, and it does not pin the client apart from the servers
// (the script's POOL_*_CPUS default to every CPU too).
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
	"time"
)

// Case is one measurement: a server binary of bench/cmd with its flags.
type Case struct {
	Server string   // "echo-pool", "echo-gnet", "echo-goroutines"
	Args   []string // its flags: "-n 2", "-loops 2", "-procs 2"
	N      int      // executors / loops / GOMAXPROCS
	Label  string   // "pool", "gnet", "goroutines"
}

// Cases returns the head-to-head at each N: the pool, gnet and the
// goroutines, in that order.
func Cases(ns ...int) []Case {
	var out []Case
	for _, n := range ns {
		s := strconv.Itoa(n)
		out = append(out,
			Case{"echo-pool", []string{"-n", s}, n, "pool"},
			Case{"echo-gnet", []string{"-loops", s}, n, "gnet"},
			Case{"echo-goroutines", []string{"-procs", s}, n, "goroutines"},
		)
	}
	return out
}

// QuickEnv, set to 1, makes Settings choose the quick finale: one
// executor and half a second per case (the smoke test uses it).
const QuickEnv = "WORKBOOK_FINALE_QUICK"

// Settings returns the cases and the load the workbook's finale screen
// runs: N = 1 and 2, 64 connections × 64 B, 1 s of warm-up and 3 s
// measured per case (the bench command's defaults); or, quick, N = 1
// and 16 connections for 0.2 s + 0.5 s.
func Settings(quick bool) ([]Case, Load) {
	if quick {
		return Cases(1), Load{Conns: 16, Size: 64, Warmup: 200 * time.Millisecond, Duration: 500 * time.Millisecond}
	}
	return Cases(1, 2), Load{Conns: 64, Size: 64, Warmup: time.Second, Duration: 3 * time.Second}
}

// Load is the load client's settings.
type Load struct {
	Conns, Size      int
	Warmup, Duration time.Duration
}

// Result is one case measured.
type Result struct {
	Case
	RoundTrips float64 // per second
	CPUPerRT   float64 // server CPU ns per round trip
	Err        error
}

// Progress is sent before each case and once at the end (Done).
type Progress struct {
	Step, Steps int    // cases finished, cases in all
	Now         string // what runs now
	Result      *Result
	Done        bool
	Err         error // the run stopped: a build failed, ctx was cancelled
}

// Machine starts the processes: the real one builds and runs bench's
// binaries; tests give a fake.
type Machine interface {
	// Build makes the binaries (once, before the first case).
	Build(ctx context.Context) error
	// Serve starts a server and returns the address it printed, its pid,
	// and a function that stops it.
	Serve(ctx context.Context, c Case) (addr string, pid int, stop func(), err error)
	// Measure runs the load client against addr and returns its output
	// line: "<round trips/s> <server CPU ns per round trip>".
	Measure(ctx context.Context, addr string, pid int, l Load) (string, error)
}

// Run measures each case in turn and reports on progress (from Run's
// goroutine; it may block). A case that fails is reported with its error
// and the run goes on; a build failure or a cancelled ctx ends it.
func Run(ctx context.Context, m Machine, cases []Case, l Load, progress func(Progress)) []Result {
	steps := len(cases)
	progress(Progress{Steps: steps, Now: "building the servers and the load client"})
	if err := m.Build(ctx); err != nil {
		progress(Progress{Steps: steps, Done: true, Err: fmt.Errorf("finale: build: %w", err)})
		return nil
	}
	var out []Result
	for i, c := range cases {
		if err := ctx.Err(); err != nil {
			progress(Progress{Step: i, Steps: steps, Done: true, Err: err})
			return out
		}
		progress(Progress{Step: i, Steps: steps, Now: fmt.Sprintf("%s, N=%d: %d connections × %d B for %v", c.Label, c.N, l.Conns, l.Size, l.Warmup+l.Duration)})
		r := measure(ctx, m, c, l)
		out = append(out, r)
		progress(Progress{Step: i + 1, Steps: steps, Result: &r})
	}
	progress(Progress{Step: steps, Steps: steps, Done: true})
	return out
}

func measure(ctx context.Context, m Machine, c Case, l Load) Result {
	r := Result{Case: c}
	addr, pid, stop, err := m.Serve(ctx, c)
	if err != nil {
		r.Err = err
		return r
	}
	defer stop()
	line, err := m.Measure(ctx, addr, pid, l)
	if err != nil {
		r.Err = err
		return r
	}
	r.RoundTrips, r.CPUPerRT, r.Err = parseLoad(line)
	return r
}

// parseLoad reads the load client's line.
func parseLoad(line string) (rt, cpu float64, err error) {
	f := strings.Fields(line)
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("finale: the load client said %q, want two numbers", line)
	}
	if rt, err = strconv.ParseFloat(f[0], 64); err != nil {
		return 0, 0, fmt.Errorf("finale: round trips %q: %w", f[0], err)
	}
	if cpu, err = strconv.ParseFloat(f[1], 64); err != nil {
		return 0, 0, fmt.Errorf("finale: CPU per round trip %q: %w", f[1], err)
	}
	if rt <= 0 {
		return 0, 0, fmt.Errorf("finale: no round trip measured (%q)", line)
	}
	return rt, cpu, nil
}

// Bench is the real Machine: bench/'s binaries, built into a temporary
// directory with the go command.
type Bench struct {
	Dir string // the bench module (…/bench)
	bin string
}

// Build runs go build ./cmd/... in the bench module.
func (b *Bench) Build(ctx context.Context) error {
	b.Close() // a run again builds afresh
	dir, err := os.MkdirTemp("", "workbook-finale-")
	if err != nil {
		return err
	}
	b.bin = dir
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(filepath.Separator), "./cmd/...")
	cmd.Dir = b.Dir
	ownGroup(cmd) // cancelling kills the compiler and linker too
	cmd.WaitDelay = time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

// Close removes the binaries.
func (b *Bench) Close() error {
	if b.bin == "" {
		return nil
	}
	dir := b.bin
	b.bin = ""
	return os.RemoveAll(dir)
}

// Serve starts c's server and waits until its address accepts.
func (b *Bench) Serve(ctx context.Context, c Case) (string, int, func(), error) {
	cmd := exec.CommandContext(ctx, filepath.Join(b.bin, c.Server), c.Args...)
	ownGroup(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", 0, nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop := func() {
		killGroup(cmd)
		cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	go io.Copy(io.Discard, out) // whatever else it prints
	addr := strings.TrimSpace(line)
	if err != nil || addr == "" {
		stop()
		return "", 0, nil, fmt.Errorf("finale: %s printed no address (%v): %s", c.Server, err, stderr.String())
	}
	// gnet prints the address before its loops listen: dial until one
	// connection is accepted (two seconds at most).
	for deadline := time.Now().Add(2 * time.Second); ; {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return "", 0, nil, fmt.Errorf("finale: %s at %s: %w", c.Server, addr, errors.Join(ctx.Err(), err))
		}
		time.Sleep(20 * time.Millisecond) // polling a server we cannot hear from
	}
	return addr, cmd.Process.Pid, stop, nil
}

// Measure runs the load client.
func (b *Bench) Measure(ctx context.Context, addr string, pid int, l Load) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(b.bin, "loadgen"), "-addr", addr,
		"-conns", strconv.Itoa(l.Conns), "-size", strconv.Itoa(l.Size),
		"-warmup", l.Warmup.String(), "-d", l.Duration.String(), "-pid", strconv.Itoa(pid))
	ownGroup(cmd)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("finale: loadgen: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// ErrNoBench says the bench module is not where it should be.
var ErrNoBench = errors.New("finale: no bench/ module (run from the workbook's repository)")

// FindBench returns the bench module under the workbook's root.
func FindBench(root string) (string, error) {
	dir := filepath.Join(root, "bench")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", ErrNoBench
	}
	return dir, nil
}
